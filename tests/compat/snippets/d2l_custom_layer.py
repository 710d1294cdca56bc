# source: d2l-ai/d2l-en, chapter_builders-guide/custom-layer.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_builders-guide/custom-layer.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: custom layers: a CenteredLayer without parameters, MyLinear with nn.Parameter
#   weights used through .data, stacked in nn.Sequential
# compare: numbers
# changes: imports in the marked block (the d2l import removed, d2l.tensor written as
#   torch.tensor); the PyTorch cells in order, each displayed value printed; random
#   inputs pass through harness.uniform and the layers' parameters through
#   harness.init_params(..., "normal"); the LazyLinear net also called once and printed
#   by its shape
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.nn import functional as F
# --- end imports ---
import harness

class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()

layer = CenteredLayer()
print(layer(torch.tensor([1.0, 2, 3, 4, 5])))

net = nn.Sequential(nn.LazyLinear(128), CenteredLayer())
print(net(torch.rand(4, 8)).shape)

class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))
        
    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

linear = harness.init_params(MyLinear(5, 3), "normal")
print(linear.weight)

print(linear(harness.uniform(torch.rand(2, 5))))

net = harness.init_params(nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)), "normal")
print(net(harness.uniform(torch.rand(2, 64))))
