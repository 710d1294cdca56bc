# source: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part2_mlp.ipynb @ 73c3fcc
# url: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/makemore_part2_mlp.ipynb
# license: MIT, Copyright (c) 2022 Andrej Karpathy
# what: Bengio-style character MLP: embedding by indexing C[X], view, tanh, F.cross_entropy,
#   manual SGD on a parameter list, train and dev losses
# compare: numbers
# changes: imports in the marked block; code cells 0, 3, 6, 21-24, 27, 29 and 30 in order
#   (the first exploratory cells, plots and sampling left out); names.txt replaced by a
#   short inline list (harness.names); the random parameters and minibatch indices pass
#   through harness.normal / harness.integers; 200000 -> 200 steps; cells that displayed
#   a value print it
# --- imports (swapped by the runner) ---
import tinynet as torch
import tinynet.nn.functional as F
# --- end imports ---
import harness

words = harness.names()

# build the vocabulary of characters and mappings to/from integers
chars = sorted(list(set(''.join(words))))
stoi = {s:i+1 for i,s in enumerate(chars)}
stoi['.'] = 0
itos = {i:s for s,i in stoi.items()}
print(itos)

# build the dataset
block_size = 3 # context length: how many characters do we take to predict the next one?

def build_dataset(words):  
  X, Y = [], []
  for w in words:

    #print(w)
    context = [0] * block_size
    for ch in w + '.':
      ix = stoi[ch]
      X.append(context)
      Y.append(ix)
      #print(''.join(itos[i] for i in context), '--->', itos[ix])
      context = context[1:] + [ix] # crop and append

  X = torch.tensor(X)
  Y = torch.tensor(Y)
  print(X.shape, Y.shape)
  return X, Y

import random
random.seed(42)
random.shuffle(words)
n1 = int(0.8*len(words))
n2 = int(0.9*len(words))

Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

print(Xtr.shape, Ytr.shape) # dataset

g = torch.Generator().manual_seed(2147483647) # for reproducibility
C = harness.normal(torch.randn((27, 10), generator=g))
W1 = harness.normal(torch.randn((30, 200), generator=g))
b1 = harness.normal(torch.randn(200, generator=g))
W2 = harness.normal(torch.randn((200, 27), generator=g))
b2 = harness.normal(torch.randn(27, generator=g))
parameters = [C, W1, b1, W2, b2]

print(sum(p.nelement() for p in parameters)) # number of parameters in total

for p in parameters:
  p.requires_grad = True

lre = torch.linspace(-3, 0, 1000)
lrs = 10**lre

lri = []
lossi = []
stepi = []

for i in range(200):
  
  # minibatch construct
  ix = harness.integers(torch.randint(0, Xtr.shape[0], (32,)), 0, Xtr.shape[0])
  
  # forward pass
  emb = C[Xtr[ix]] # (32, 3, 10)
  h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 200)
  logits = h @ W2 + b2 # (32, 27)
  loss = F.cross_entropy(logits, Ytr[ix])
  #print(loss.item())
  
  # backward pass
  for p in parameters:
    p.grad = None
  loss.backward()
  
  # update
  #lr = lrs[i]
  lr = 0.1 if i < 100000 else 0.01
  for p in parameters:
    p.data += -lr * p.grad

  # track stats
  #lri.append(lre[i])
  stepi.append(i)
  lossi.append(loss.log10().item())

#print(loss.item())

emb = C[Xtr] # (32, 3, 2)
h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
logits = h @ W2 + b2 # (32, 27)
loss = F.cross_entropy(logits, Ytr)
print(loss)

emb = C[Xdev] # (32, 3, 2)
h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
logits = h @ W2 + b2 # (32, 27)
loss = F.cross_entropy(logits, Ydev)
print(loss)
