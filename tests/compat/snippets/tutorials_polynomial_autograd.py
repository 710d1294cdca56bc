# source: pytorch/tutorials, beginner_source/examples_autograd/polynomial_autograd.py @ 92f11a1
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_autograd/polynomial_autograd.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: the same cubic fit, gradients by autograd, updates under no_grad
# compare: numbers
# changes: imports in the marked block; docstring and prose comments removed; the four
#   random weights pass through harness.normal; 2000 -> 500 steps
# --- imports (swapped by the runner) ---
import tinynet as torch
import math
# --- end imports ---
import harness

dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_default_device(device)

# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Create random Tensors for weights: y = a + b x + c x^2 + d x^3
a = harness.normal(torch.randn((), dtype=dtype, requires_grad=True))
b = harness.normal(torch.randn((), dtype=dtype, requires_grad=True))
c = harness.normal(torch.randn((), dtype=dtype, requires_grad=True))
d = harness.normal(torch.randn((), dtype=dtype, requires_grad=True))

learning_rate = 1e-6
for t in range(500):
    # Forward pass: compute predicted y using operations on Tensors.
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss using operations on Tensors.
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # Use autograd to compute the backward pass.
    loss.backward()

    # Manually update weights using gradient descent.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
