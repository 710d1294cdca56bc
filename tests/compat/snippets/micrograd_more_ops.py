# source: karpathy/micrograd, test/test_engine.py @ c911406 (test_more_ops)
# url: https://github.com/karpathy/micrograd/blob/master/test/test_engine.py
# license: MIT, Copyright (c) 2020 Andrej Karpathy
# what: micrograd's reference computation in PyTorch: powers, division, negation, relu of
#   float64 scalars, and both gradients
# compare: numbers
# changes: imports in the marked block; only the PyTorch half of the test kept (the
#   micrograd half and its asserts removed); the values it asserts on are printed
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
apt, bpt, gpt = a, b, g

print(gpt.data.item())
print(apt.grad.item())
print(bpt.grad.item())
