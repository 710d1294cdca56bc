# source: d2l-ai/d2l-en, chapter_builders-guide/parameters.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_builders-guide/parameters.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: parameter management: state_dict, .bias.data, .grad == None, named_parameters,
#   a shared layer whose weight changes in both places
# compare: numbers
# changes: imports in the marked block; the PyTorch cells in order, each displayed value
#   printed; the random input passes through harness.uniform; after each lazy model's
#   first call its parameters pass through harness.init_params
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
# --- end imports ---
import harness

net = nn.Sequential(nn.LazyLinear(8),
                    nn.ReLU(),
                    nn.LazyLinear(1))

X = harness.uniform(torch.rand(size=(2, 4)))
print(net(X).shape)
harness.init_params(net)

print(net[2].state_dict())

print(type(net[2].bias).__name__, net[2].bias.data)

print(net[2].weight.grad == None)

print([(name, param.shape) for name, param in net.named_parameters()])

# We need to give the shared layer a name so that we can refer to its
# parameters
shared = nn.LazyLinear(8)
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.LazyLinear(1))

net(X)
harness.init_params(net)
print(net(X))
# Check whether the parameters are the same
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# Make sure that they are actually the same object rather than just having the
# same value
print(net[2].weight.data[0] == net[4].weight.data[0])
