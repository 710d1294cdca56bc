# source: pytorch/tutorials, beginner_source/nn_tutorial.py @ 05e7ce2 ("What is torch.nn really?")
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: "Refactor using nn.Module" and "using nn.Linear": nn.Parameter, a fit() that
#   updates model.parameters() under no_grad and calls model.zero_grad()
# compare: numbers
# changes: imports in the marked blocks; prose comments removed; the MNIST download
#   replaced by scikit-learn's digits (harness.digits: 64 features, so 784 -> 64); the
#   lines this section uses from the earlier ones (bs, xb, yb, lr, epochs, loss_func)
#   repeated at the top; the random weights pass through harness.normal and the
#   nn.Linear model through harness.init_params
# --- imports (swapped by the runner) ---
import math
import tinynet as torch
import tinynet.nn.functional as F
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

# --- imports (swapped by the runner) ---
from tinynet import nn
# --- end imports ---

class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(harness.normal(torch.randn(64, 10)) / math.sqrt(64))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias

model = Mnist_Logistic()

print(loss_func(model(xb), yb))

def fit():
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()

fit()

print(loss_func(model(xb), yb))

class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)

model = harness.init_params(Mnist_Logistic())
print(loss_func(model(xb), yb))

fit()

print(loss_func(model(xb), yb))
