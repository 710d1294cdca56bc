# source: pytorch/pytorch, torch/linalg/__init__.py @ fbf9071 (the examples in the
#   docstrings of torch.linalg.vector_norm and torch.linalg.matrix_norm)
# url: https://pytorch.org/docs/stable/generated/torch.linalg.vector_norm.html
# license: BSD-3-Clause, Copyright (c) 2016- Facebook, Inc (Adam Paszke) and the respective
#   contributors (PyTorch's LICENSE)
# what: vector_norm of order 3.5 of a vector and of the same numbers as a 3x3 matrix;
#   matrix_norm (Frobenius and ord=-1) of a 3x3 matrix, of a batch made by expand, and
#   over dims (0, 2)
# compare: numbers
# changes: imports in the marked block (`from torch import linalg as LA` moved there);
#   the doctest prompts removed and each displayed value printed (both docstrings import
#   LA; the import is written once)
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import linalg as LA
# --- end imports ---

# -- torch.linalg.vector_norm --
a = torch.arange(9, dtype=torch.float) - 4
print(a)
B = a.reshape((3, 3))
print(B)
print(LA.vector_norm(a, ord=3.5))
print(LA.vector_norm(B, ord=3.5))

# -- torch.linalg.matrix_norm --
A = torch.arange(9, dtype=torch.float).reshape(3, 3)
print(A)
print(LA.matrix_norm(A))
print(LA.matrix_norm(A, ord=-1))
B = A.expand(2, -1, -1)
print(B)
print(LA.matrix_norm(B))
print(LA.matrix_norm(B, dim=(0, 2)))
