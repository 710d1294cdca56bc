# source: d2l-ai/d2l-en, chapter_multilayer-perceptrons/numerical-stability-and-init.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_multilayer-perceptrons/numerical-stability-and-init.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: the sigmoid's vanishing gradient, and a product of 100 random 4x4 matrices
#   drawn with torch.normal
# compare: numbers
# changes: imports in the marked block (the d2l import removed); the d2l.plot call
#   replaced by printing the plotted arrays' sums; the matrices printed by their shape
#   (their values are the library's own draws)
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))

print([y.detach().numpy().sum(), x.grad.numpy().sum()], ['sigmoid', 'gradient'])

M = torch.normal(0, 1, size=(4, 4))
print('a single matrix \n',M.shape)
for i in range(100):
    M = M @ torch.normal(0, 1, size=(4, 4))
print('after multiplying 100 matrices\n', M.shape)
