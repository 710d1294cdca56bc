# source: pytorch/tutorials, beginner_source/basics/autogradqs_tutorial.py @ 1532c0d
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/basics/autogradqs_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: Learn the Basics, Autograd: BCE-with-logits on a one-layer net, grad_fn, no_grad,
#   detach, Jacobian-vector products accumulating over repeated backward calls
# compare: numbers
# changes: imports in the marked block; prose comments removed; w and b pass through
#   harness.normal
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---
import harness

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = harness.normal(torch.randn(5, 3, requires_grad=True))
b = harness.normal(torch.randn(3, requires_grad=True))
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")
