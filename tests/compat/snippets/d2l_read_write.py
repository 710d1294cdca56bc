# source: d2l-ai/d2l-en, chapter_builders-guide/read-write.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_builders-guide/read-write.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: file I/O: torch.save/torch.load of a tensor, a list and a dict, then a model's
#   state_dict loaded into a clone, whose output equals the original's
# compare: numbers
# changes: imports in the marked block; the PyTorch cells in order (the last one, which
#   compares the clone's output, included), each displayed value printed; the random
#   input passes through harness.normal and the model's parameters, after its first
#   call, through harness.init_params
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.nn import functional as F
# --- end imports ---
import harness

x = torch.arange(4)
torch.save(x, 'x-file')

x2 = torch.load('x-file')
print(x2)

y = torch.zeros(4)
torch.save([x, y],'x-files')
x2, y2 = torch.load('x-files')
print((x2, y2))

mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
print(mydict2)

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = harness.normal(torch.randn(size=(2, 20)))
Y = net(X)
Y = harness.init_params(net)(X)

torch.save(net.state_dict(), 'mlp.params')

clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()

Y_clone = clone(X)
print(Y_clone == Y)
