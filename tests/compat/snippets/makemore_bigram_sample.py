# source: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part1_bigrams.ipynb @ 73c3fcc
# url: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/makemore_part1_bigrams.ipynb
# license: MIT, Copyright (c) 2022 Andrej Karpathy
# what: sampling names from the bigram table with torch.Generator and torch.multinomial
# compare: runs-only (the samples come from the library's own generator)
# changes: imports in the marked block; code cells 8-10, 12-16 and 23-24 in order (the
#   plot left out); names.txt replaced by a short inline list (harness.names); cells
#   that displayed a value print it
# --- imports (swapped by the runner) ---
import tinynet as torch
# --- end imports ---
import harness

words = harness.names()

N = torch.zeros((27, 27), dtype=torch.int32)

chars = sorted(list(set(''.join(words))))
stoi = {s:i+1 for i,s in enumerate(chars)}
stoi['.'] = 0
itos = {i:s for s,i in stoi.items()}

for w in words:
  chs = ['.'] + list(w) + ['.']
  for ch1, ch2 in zip(chs, chs[1:]):
    ix1 = stoi[ch1]
    ix2 = stoi[ch2]
    N[ix1, ix2] += 1

print(N[0])

p = N[0].float()
p = p / p.sum()
print(p)

g = torch.Generator().manual_seed(2147483647)
ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
print(itos[ix])

g = torch.Generator().manual_seed(2147483647)
p = torch.rand(3, generator=g)
p = p / p.sum()
print(p)

print(torch.multinomial(p, num_samples=100, replacement=True, generator=g))

P = (N+1).float()
P /= P.sum(1, keepdims=True)

g = torch.Generator().manual_seed(2147483647)

for i in range(5):
  
  out = []
  ix = 0
  while True:
    p = P[ix]
    ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
    out.append(itos[ix])
    if ix == 0:
      break
  print(''.join(out))
