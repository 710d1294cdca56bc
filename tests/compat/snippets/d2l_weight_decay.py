# source: d2l-ai/d2l-en, chapter_multilayer-perceptrons/weight-decay.md @ v0.17.6 (0f920da, PyTorch tab)
#   and the d2l helpers it calls, from d2l/torch.py at the same tag
# url: https://github.com/d2l-ai/d2l-en/blob/v0.17.6/chapter_multilayer-perceptrons/weight-decay.md
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: weight decay from scratch (an L2 penalty added to the loss, d2l's sgd) and
#   concisely (SGD parameter groups with weight_decay), 200 inputs and 20 examples
# compare: numbers
# changes: imports in the marked block; the d2l helpers used (synthetic_data, load_array,
#   linreg, squared_loss, sgd, evaluate_loss, Accumulator) copied above the chapter's code
#   with d2l's aliases written out (d2l.normal -> torch.normal, d2l.reshape(y, s) ->
#   y.reshape(s)...); random draws pass through harness.normal / harness.init_params; the
#   training iterator does not shuffle (is_train=False), so both libraries see the same
#   batches; 100 -> 50 epochs; the plots (d2l.Animator) replaced by printing the losses
#   every 25 epochs
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.utils import data
# --- end imports ---
import harness


# -- d2l/torch.py (v0.17.6) --
def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise."""
    X = harness.normal(torch.normal(0, 1, (num_examples, len(w))))
    y = torch.matmul(X, w) + b
    y += harness.normal(torch.normal(0, 0.01, y.shape), std=0.01)
    return X, y.reshape((-1, 1))

def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b

def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

class Accumulator:
    """For accumulating sums over `n` variables."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]

def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    metric = Accumulator(2)  # Sum of losses, no. of examples
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]
# -- end of d2l/torch.py --


n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
train_data = synthetic_data(true_w, true_b, n_train)
train_iter = load_array(train_data, batch_size, is_train=False)
test_data = synthetic_data(true_w, true_b, n_test)
test_iter = load_array(test_data, batch_size, is_train=False)

def init_params():
    w = harness.normal(torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True))
    b = torch.zeros(1, requires_grad=True)
    return [w, b]

def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2

def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 50, 0.003
    for epoch in range(num_epochs):
        for X, y in train_iter:
            # The L2 norm penalty term has been added, and broadcasting
            # makes `l2_penalty(w)` a vector whose length is `batch_size`
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        if (epoch + 1) % 25 == 0:
            print(epoch + 1, (evaluate_loss(net, train_iter, loss),
                              evaluate_loss(net, test_iter, loss)))
    print('L2 norm of w:', torch.norm(w).item())

train(lambd=0)

train(lambd=3)

def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    harness.init_params(net, "normal")
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 50, 0.003
    # The bias parameter has not decayed
    trainer = torch.optim.SGD([
        {"params":net[0].weight,'weight_decay': wd},
        {"params":net[0].bias}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
        if (epoch + 1) % 25 == 0:
            print(epoch + 1, (evaluate_loss(net, train_iter, loss),
                              evaluate_loss(net, test_iter, loss)))
    print('L2 norm of w:', net[0].weight.norm().item())

train_concise(0)

train_concise(3)
