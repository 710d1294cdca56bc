# source: pytorch/tutorials, beginner_source/basics/buildmodel_tutorial.py @ 07a339e
# url: https://github.com/pytorch/tutorials/blob/main/beginner_source/basics/buildmodel_tutorial.py
# license: BSD-3-Clause, Copyright (c) 2017-2022, Pytorch contributors (the repository's LICENSE)
# what: Learn the Basics, Build the Neural Network: an nn.Module with Flatten and a
#   Linear/ReLU Sequential, Softmax, argmax, named_parameters
# compare: numbers
# changes: imports in the marked block (the unused torchvision import and os removed);
#   prose comments removed; the random inputs pass through harness.uniform and the
#   model's parameters through harness.init_params
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.utils.data import DataLoader
# --- end imports ---
import harness

device = 'cuda' if torch.cuda.is_available() else 'cpu'
print('Using {} device'.format(device))

class NeuralNetwork(nn.Module):
    def __init__(self):
        super(NeuralNetwork, self).__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
            nn.ReLU()
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits

model = harness.init_params(NeuralNetwork().to(device))
print(model)

X = harness.uniform(torch.rand(1, 28, 28, device=device))
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")

input_image = harness.uniform(torch.rand(3,28,28))
print(input_image.size())

flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())

layer1 = harness.init_params(nn.Linear(in_features=28*28, out_features=20))
hidden1 = layer1(flat_image)
print(hidden1.size())

print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")

seq_modules = nn.Sequential(
    flatten,
    layer1,
    nn.ReLU(),
    nn.Linear(20, 10)
)
input_image = torch.rand(3,28,28)
logits = seq_modules(input_image)

softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)

print("Model structure: ", model, "\n\n")

for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
