# source: d2l-ai/d2l-en, chapter_builders-guide/model-construction.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_builders-guide/model-construction.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: layers and modules: nn.Sequential of LazyLinear, a custom MLP, MySequential with
#   add_module/children, a module with a constant weight and control flow, nesting
# compare: numbers
# changes: imports in the marked block; the PyTorch cells in order, each displayed value
#   printed; the random inputs and the constant random weight pass through
#   harness.uniform; after each lazy model's first call its parameters pass through
#   harness.init_params and it is called again
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.nn import functional as F
# --- end imports ---
import harness

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))

X = harness.uniform(torch.rand(2, 20))
print(net(X).shape)
print(harness.init_params(net)(X))

class MLP(nn.Module):
    def __init__(self):
        # Call the constructor of the parent class nn.Module to perform
        # the necessary initialization
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.out = nn.LazyLinear(10)

    # Define the forward propagation of the model, that is, how to return the
    # required model output based on the input X
    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))

net = MLP()
print(net(X).shape)
print(harness.init_params(net)(X))

class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():            
            X = module(X)
        return X

net = MySequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
print(net(X).shape)
print(harness.init_params(net)(X))

class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        # Random weight parameters that will not compute gradients and
        # therefore keep constant during training
        self.rand_weight = harness.uniform(torch.rand((20, 20)))
        self.linear = nn.LazyLinear(20)

    def forward(self, X):
        X = self.linear(X)        
        X = F.relu(X @ self.rand_weight + 1)
        # Reuse the fully connected layer. This is equivalent to sharing
        # parameters with two fully connected layers
        X = self.linear(X)
        # Control flow
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()

net = FixedHiddenMLP()
net(X)
print(harness.init_params(net)(X))

class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(),
                                 nn.LazyLinear(32), nn.ReLU())
        self.linear = nn.LazyLinear(16)

    def forward(self, X):
        return self.linear(self.net(X))

chimera = nn.Sequential(NestMLP(), nn.LazyLinear(20), FixedHiddenMLP())
chimera(X)
print(harness.init_params(chimera)(X))
