# source: d2l-ai/d2l-en, chapter_builders-guide/init-param.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_builders-guide/init-param.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: parameter initialization: net.apply with nn.init.normal_, zeros_, constant_,
#   xavier_uniform_ and uniform_, a custom init, editing weight.data directly
# compare: numbers
# changes: imports in the marked block; the PyTorch cells in order, each displayed value
#   printed; the random input passes through harness.uniform; the values drawn by
#   normal_, xavier_uniform_ and uniform_ are printed by their shape, the constant ones
#   and those after the last cell's edits (on harness.init_params values) in full
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
# --- end imports ---
import harness

net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
X = harness.uniform(torch.rand(size=(2, 4)))
print(net(X).shape)

def init_normal(module):
    if type(module) == nn.Linear:
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)

net.apply(init_normal)
print(net[0].weight.data[0].shape, net[0].bias.data[0])

def init_constant(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)

net.apply(init_constant)
print(net[0].weight.data[0], net[0].bias.data[0])

def init_xavier(module):
    if type(module) == nn.Linear:
        nn.init.xavier_uniform_(module.weight)

def init_42(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 42)

net[0].apply(init_xavier)
net[2].apply(init_42)
print(net[0].weight.data[0].shape)
print(net[2].weight.data)

def my_init(module):
    if type(module) == nn.Linear:
        print("Init", *[(name, param.shape)
                        for name, param in module.named_parameters()][0])
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5

net.apply(my_init)
print(net[0].weight[:2].shape)

harness.init_params(net)
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
print(net[0].weight.data[0])
