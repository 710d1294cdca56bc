# source: pytorch/tutorials, beginner_source/nn_tutorial.py @ 05e7ce2 ("What is torch.nn really?")
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: "Refactor using optim", "using Dataset" and "using DataLoader": optim.SGD,
#   TensorDataset slicing, a DataLoader without shuffling
# compare: numbers
# changes: imports in the marked blocks; prose comments removed; the MNIST download
#   replaced by scikit-learn's digits (harness.digits: 64 features); the lines this
#   section uses from the earlier ones (bs, xb, yb, lr, epochs, loss_func, Mnist_Logistic
#   with nn.Linear) repeated at the top; each new model passes through harness.init_params
# --- imports (swapped by the runner) ---
import tinynet as torch
import tinynet.nn.functional as F
from tinynet import nn
# --- end imports ---
import harness

x_train, y_train, x_valid, y_valid = harness.digits()
x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
bs = 64  # batch size
xb = x_train[0:bs]  # a mini-batch from x
yb = y_train[0:bs]
lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for
loss_func = F.cross_entropy

class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)

# --- imports (swapped by the runner) ---
from tinynet import optim
# --- end imports ---

def get_model():
    model = harness.init_params(Mnist_Logistic())
    return model, optim.SGD(model.parameters(), lr=lr)

model, opt = get_model()
print(loss_func(model(xb), yb))

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))

# --- imports (swapped by the runner) ---
from tinynet.utils.data import TensorDataset
# --- end imports ---

train_ds = TensorDataset(x_train, y_train)

model, opt = get_model()

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = train_ds[i * bs: i * bs + bs]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))

# --- imports (swapped by the runner) ---
from tinynet.utils.data import DataLoader
# --- end imports ---

train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs)

model, opt = get_model()

for epoch in range(epochs):
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))
