# source: karpathy/micrograd, test/test_engine.py @ c911406 (test_sanity_check)
# url: https://github.com/karpathy/micrograd/blob/master/test/test_engine.py
# license: MIT, Copyright (c) 2020 Andrej Karpathy
# what: micrograd's reference computation in PyTorch: relu, products and sums of a
#   float64 scalar, and its gradient
# compare: numbers
# changes: imports in the marked block; only the PyTorch half of the test kept (the
#   micrograd half and its asserts removed); the values it asserts on are printed
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xpt, ypt = x, y

print(ypt.data.item())
print(xpt.grad.item())
