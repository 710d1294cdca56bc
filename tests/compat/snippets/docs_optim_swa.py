# source: pytorch/pytorch, docs/source/optim.rst @ 702a5a9 ("Putting it all together: SWA"
#   and "Putting it all together: EMA", under "Weight Averaging (SWA and EMA)")
# url: https://pytorch.org/docs/stable/optim.html#putting-it-all-together-swa
# license: BSD-3-Clause, Copyright (c) 2016- Facebook, Inc (Adam Paszke) and the respective
#   contributors (PyTorch's LICENSE)
# what: stochastic weight averaging: AveragedModel.update_parameters after swa_start,
#   CosineAnnealingLR then SWALR, update_bn on the loader, predictions of the averaged
#   model; then an EMA model with get_ema_multi_avg_fn updated at every step
# compare: numbers
# changes: imports in the marked blocks (SWALR, used unqualified, imported from
#   torch.optim.swa_utils); the doctest prompts removed; the placeholder line
#   `loader, optimizer, model, loss_fn = ...` filled in, before each part, with a
#   DataLoader over scikit-learn's digits (harness.digits, batches of 100, no shuffling),
#   a Linear-BatchNorm1d-ReLU-Linear model (each Linear through harness.init_params),
#   SGD(lr=0.1) and CrossEntropyLoss, and test_input with the digits' validation images;
#   300 -> 6 epochs
#   (T_max=300 -> 6, swa_start=160 -> 3); the learning rate, the number of models
#   averaged, and the loss and first predictions of each averaged model printed at the end
# --- imports (swapped by the runner) ---
import tinynet as torch
from tinynet import nn
from tinynet.optim.swa_utils import SWALR
from tinynet.utils.data import DataLoader, TensorDataset
# --- end imports ---
import harness

x_train, y_train, x_valid, y_valid = map(torch.tensor, harness.digits())
test_input = x_valid


def get_setup():
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=100)
    model = nn.Sequential(harness.init_params(nn.Linear(64, 32)), nn.BatchNorm1d(32),
                          nn.ReLU(), harness.init_params(nn.Linear(32, 10)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return loader, optimizer, model, nn.CrossEntropyLoss()


loader, optimizer, model, loss_fn = get_setup()
swa_model = torch.optim.swa_utils.AveragedModel(model)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
swa_start = 3
swa_scheduler = SWALR(optimizer, swa_lr=0.05)

for epoch in range(6):
      for input, target in loader:
          optimizer.zero_grad()
          loss_fn(model(input), target).backward()
          optimizer.step()
      if epoch > swa_start:
          swa_model.update_parameters(model)
          swa_scheduler.step()
      else:
          scheduler.step()

# Update bn statistics for the swa_model at the end
torch.optim.swa_utils.update_bn(loader, swa_model)
# Use swa_model to make predictions on test data
preds = swa_model(test_input)
print(optimizer.param_groups[0]["lr"], swa_model.n_averaged)
print(loss_fn(preds, y_valid).item(), preds[:2])

loader, optimizer, model, loss_fn = get_setup()
ema_model = torch.optim.swa_utils.AveragedModel(model, \
            multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.999))

for epoch in range(6):
      for input, target in loader:
          optimizer.zero_grad()
          loss_fn(model(input), target).backward()
          optimizer.step()
          ema_model.update_parameters(model)

# Update bn statistics for the ema_model at the end
torch.optim.swa_utils.update_bn(loader, ema_model)
# Use ema_model to make predictions on test data
preds = ema_model(test_input)
print(ema_model.n_averaged)
print(loss_fn(preds, y_valid).item(), preds[:2])
