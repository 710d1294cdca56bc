# source: pytorch/pytorch, docs/source/notes/autograd.rst @ 01bcc2a ("Autograd mechanics")
# url: https://pytorch.org/docs/stable/notes/autograd.html
# license: BSD-3-Clause, Copyright (c) 2016- Facebook, Inc (Adam Paszke) and the respective
#   contributors (PyTorch's LICENSE)
# what: requires_grad propagates through an op; backward() called from ten threads
# compare: numbers
# changes: imports in the marked block; the doctest prompts removed and each displayed
#   value printed; x, y, z pass through harness.normal; each thread's gradient printed
# --- imports (swapped by the runner) ---
import threading
import tinynet as torch
# --- end imports ---
import harness

x = harness.normal(torch.randn(5, 5))  # requires_grad=False by default
y = harness.normal(torch.randn(5, 5))  # requires_grad=False by default
z = harness.normal(torch.randn((5, 5), requires_grad=True))
a = x + y
print(a.requires_grad)
b = a + z
print(b.requires_grad)

# Define a train function to be used in different threads
def train_fn():
    x = torch.ones(5, 5, requires_grad=True)
    # forward
    y = (x + 3) * (x + 4) * 0.5
    # backward
    y.sum().backward()
    # potential optimizer update
    print(x.grad.sum().item())


# User write their own threading code to drive the train_fn
threads = []
for _ in range(10):
    p = threading.Thread(target=train_fn, args=())
    p.start()
    threads.append(p)

for p in threads:
    p.join()
