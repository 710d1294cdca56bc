# source: pytorch/tutorials, beginner_source/nn_tutorial.py @ 05e7ce2 ("What is torch.nn really?")
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: "Add validation" and "Create fit() and get_data()": shuffled DataLoaders,
#   model.train()/eval(), loss_batch, a validation loss per epoch
# compare: runs-only (the training DataLoader shuffles with the library's own generator)
# changes: imports in the marked blocks; prose comments removed; the MNIST download
#   replaced by scikit-learn's digits (harness.digits: 64 features); the lines this
#   section uses from the earlier ones (bs, lr, epochs, loss_func, Mnist_Logistic with
#   nn.Linear, get_model) repeated at the top
# --- imports (swapped by the runner) ---
import tinynet as torch
import tinynet.nn.functional as F
from tinynet import nn
from tinynet import optim
from tinynet.utils.data import TensorDataset
from tinynet.utils.data import DataLoader
# --- end imports ---
import harness

x_train, y_train, x_valid, y_valid = harness.digits()
x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
bs = 64  # batch size
lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for
loss_func = F.cross_entropy

class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)

def get_model():
    model = Mnist_Logistic()
    return model, optim.SGD(model.parameters(), lr=lr)

train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs, shuffle=True)

valid_ds = TensorDataset(x_valid, y_valid)
valid_dl = DataLoader(valid_ds, batch_size=bs * 2)

model, opt = get_model()

for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

    model.eval()
    with torch.no_grad():
        valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)

    print(epoch, valid_loss / len(valid_dl))

def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)

# --- imports (swapped by the runner) ---
import numpy as np
# --- end imports ---

def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)

def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )

train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
fit(epochs, model, loss_func, opt, train_dl, valid_dl)
