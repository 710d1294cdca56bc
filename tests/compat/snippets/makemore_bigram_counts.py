# source: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part1_bigrams.ipynb @ 73c3fcc
# url: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/makemore_part1_bigrams.ipynb
# license: MIT, Copyright (c) 2022 Andrej Karpathy
# what: bigram counts in an int32 tensor, row-normalised probabilities, the average
#   negative log likelihood of the training words
# compare: numbers
# changes: imports in the marked block; code cells 7-10, 12-13, 23 and 26 in order (the
#   plot and the sampling cells left out); names.txt replaced by a short inline list
#   (harness.names); cells that displayed a value print it
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

P = (N+1).float()
P /= P.sum(1, keepdims=True)

log_likelihood = 0.0
n = 0

for w in words:
#for w in ["andrejq"]:
  chs = ['.'] + list(w) + ['.']
  for ch1, ch2 in zip(chs, chs[1:]):
    ix1 = stoi[ch1]
    ix2 = stoi[ch2]
    prob = P[ix1, ix2]
    logprob = torch.log(prob)
    log_likelihood += logprob
    n += 1
    #print(f'{ch1}{ch2}: {prob:.4f} {logprob:.4f}')

print(f'{log_likelihood=}')
nll = -log_likelihood
print(f'{nll=}')
print(f'{nll/n}')
