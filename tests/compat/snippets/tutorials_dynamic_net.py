# source: pytorch/tutorials, beginner_source/examples_nn/dynamic_net.py @ 1d18970
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_nn/dynamic_net.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: control flow and weight sharing: a random number of terms reuse one parameter
# compare: numbers
# changes: imports in the marked block; docstrings and prose comments removed; the
#   model's initial parameters pass through harness.init_params(model, "normal");
#   30000 -> 1000 steps, printing every 100 (was 2000). Python's random is seeded by the runner.
# --- imports (swapped by the runner) ---
import random
import tinynet as torch
import math
# --- end imports ---
import harness


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?'


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Construct our model by instantiating the class defined above
model = harness.init_params(DynamicNet(), "normal")

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(1000):
    # Forward pass: Compute predicted y by passing x to the model
    y_pred = model(x)

    # Compute and print loss
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    # Zero gradients, perform a backward pass, and update the weights.
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
