# source: pytorch/tutorials, beginner_source/nn_tutorial.py @ 05e7ce2 ("What is torch.nn really?")
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: "Neural net from scratch" and "Using torch.nn.functional": logistic regression
#   with a hand-written log_softmax and nll, a manual SGD loop, then F.cross_entropy
# compare: numbers
# changes: imports in the marked blocks; prose comments, pyplot and IPython removed;
#   the MNIST download replaced by scikit-learn's digits (harness.digits: 64 features,
#   so 784 -> 64); the random weights pass through harness.normal
# --- imports (swapped by the runner) ---
import math
import numpy as np
import tinynet as torch
# --- end imports ---
import harness

x_train, y_train, x_valid, y_valid = harness.digits()
print(x_train.shape)

x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
x_train, x_train.shape, y_train.min(), y_train.max()
print(x_train, y_train)
print(x_train.shape)
print(y_train.min(), y_train.max())

weights = harness.normal(torch.randn(64, 10)) / math.sqrt(64)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)

def model(xb):
    return log_softmax(xb @ weights + bias)

bs = 64  # batch size

xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
preds[0], preds.shape
print(preds[0], preds.shape)

def nll(input, target):
    return -input[range(target.shape[0]), target].mean()

loss_func = nll

yb = y_train[0:bs]
print(loss_func(preds, yb))

def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()

print(accuracy(preds, yb))

lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        #         set_trace()
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

print(loss_func(model(xb), yb), accuracy(model(xb), yb))

# --- imports (swapped by the runner) ---
import tinynet.nn.functional as F
# --- end imports ---

loss_func = F.cross_entropy

def model(xb):
    return xb @ weights + bias

print(loss_func(model(xb), yb), accuracy(model(xb), yb))
