# source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md @ 23d7a5a (PyTorch tab)
# url: https://d2l.ai/chapter_preliminaries/autograd.html
# license: MIT-0 for the book's code (LICENSE-SAMPLECODE), Copyright 2019 Amazon.com, Inc.
# what: automatic differentiation: requires_grad_, torch.dot, grad.zero_(), backward with
#   a gradient, detach, gradients through Python control flow
# compare: numbers
# changes: imports in the marked block; the PyTorch cells in order, each displayed value
#   printed; the random scalar a passes through harness.normal
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---
import harness

x = torch.arange(4.0)
print(x)

# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
print(x.grad)  # The gradient is None by default

y = 2 * torch.dot(x, x)
print(y)

y.backward()
print(x.grad)

print(x.grad == 4 * x)

x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
print(x.grad)

x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)

def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

a = harness.normal(torch.randn(size=(), requires_grad=True))
d = f(a)
d.backward()

print(a.grad == d / a)
