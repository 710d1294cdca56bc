# source: d2l-ai/d2l-en, chapter_multilayer-perceptrons/mlp.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_multilayer-perceptrons/mlp.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: ReLU, sigmoid and tanh on arange(-8, 8, 0.1) and their gradients by backward
#   with retain_graph, clearing x.grad.data between them
# compare: numbers
# changes: imports in the marked block (the d2l import removed); each d2l.plot call
#   replaced by printing the plotted values' sum and a few of them
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
print('relu(x)', y.detach().sum(), y.detach()[::20])

y.backward(torch.ones_like(x), retain_graph=True)
print('grad of relu', x.grad.sum(), x.grad[::20])

y = torch.sigmoid(x)
print('sigmoid(x)', y.detach().sum(), y.detach()[::20])

# Clear out previous gradients
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print('grad of sigmoid', x.grad.sum(), x.grad[::20])

y = torch.tanh(x)
print('tanh(x)', y.detach().sum(), y.detach()[::20])

# Clear out previous gradients
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print('grad of tanh', x.grad.sum(), x.grad[::20])
