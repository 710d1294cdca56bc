"""The course's tasks, in teaching order: what each asks, where, for how many points.

The solution of a task is tinynet's own reference code: the regions between
``# BEGIN SOLUTION <task>`` and ``# END SOLUTION`` in the files a task names. A student
workspace (``tinynet exercises start``) holds a copy of tinynet with those regions
replaced by ``raise NotImplementedError(...)``; each task's tests (``task_tests/``) grade
it.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One task: ``number`` and ``name`` identify it, ``files`` are where its regions are
    (relative to the workspace), ``needs`` the tasks whose code it runs."""

    number: int
    name: str
    title: str
    points: int
    files: tuple
    needs: tuple
    statement: str

    @property
    def label(self) -> str:
        return f"{self.number:02d}_{self.name}"


TASKS = (
    Task(1, "activations", "Activations and their derivatives", 10,
         ("tinynet/ops/activation.py",), (), """\
Implement `forward` and `derivative` of `Sigmoid`, `Tanh`, `ReLU`, `LeakyReLU` and `ELU`,
and `ReLU.backward`, in `tinynet/ops/activation.py`.

- `forward(ctx, x)` gets a numpy array and returns the activation's values. Save what the
  derivative needs with `ctx.save_for_backward(...)`: Sigmoid, Tanh and ReLU save their
  output y; LeakyReLU and ELU save their input x (and keep their setting on `ctx`:
  `ctx.negative_slope`, `ctx.alpha`). The written `saved_derivative` methods read them.
- `derivative(x, y)` is f'(x), given the input x and the output y; write it from the one
  forward saves, as `saved_derivative` passes only that one (the other is None):
  Sigmoid, Tanh and ReLU from y, LeakyReLU and ELU from x.
- `ReLU.backward(ctx, grad)` returns dL/dx: grad where x > 0, else 0 (`np.where`: the
  product grad · ReLU'(x) differs where grad is infinite or nan, as 0 · inf is nan).

The math: σ(x) = 1/(1 + e⁻ˣ), σ' = σ(1 - σ); tanh' = 1 - tanh²; ReLU = max(x, 0),
ReLU' = 1 for x > 0 else 0; LeakyReLU = x for x > 0 else slope·x; ELU = x for x > 0 else
α(eˣ - 1), ELU' = 1 for x > 0 else αeˣ (α at x = 0, as PyTorch).

Hints: `np.exp(-x)` overflows for x < -710: `scipy.special.expit` is a stable σ, or
compute with `np.exp(-np.abs(x))`. `np.expm1(x)` is eˣ - 1 without cancellation near 0;
keep its argument ≤ 0 (`np.minimum(0, x)`) so it never overflows."""),
    Task(2, "gelu", "GELU, exact and tanh forms", 5,
         ("tinynet/ops/activation.py",), (), """\
Implement `GELU.forward` and `GELU.derivative_from`, and `GELUTanh.forward`,
`GELUTanh.tanh_u` and `GELUTanh.derivative_from`, in `tinynet/ops/activation.py`.

- Exact GELU: f(x) = x·Φ(x), f'(x) = Φ(x) + x·φ(x), with Φ the standard normal CDF
  (`scipy.special.ndtr`) and φ(x) = e^(-x²/2)/√(2π). `forward` saves `(x, Φ(x))`;
  `derivative_from(x, cdf)` returns f'(x) from them.
- tanh form: f(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
  f'(x) = ½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²). `forward` takes
  tanh u of x clipped to ±10 (`_TANH_ONE_BEYOND`: the cubic cannot overflow) and saves
  `(x, tanh u)`; `tanh_u(x)` returns tanh u; `derivative_from(x, t)` returns f'(x) given
  t = tanh u, clipping x to ±10 first (1 - tanh²u is 0 beyond).

Hint: the module's constants `_SQRT_2_OVER_PI`, `_INV_SQRT_2PI` and `_GELU_KAPPA` are
there for you. φ underflows to 0 past |x| = 40: clip x before squaring it, or x² warns."""),
    Task(3, "softmax", "Stable softmax and log-softmax", 10,
         ("tinynet/ops/activation.py",), (), """\
Implement `forward` and `backward` of `Softmax` and `LogSoftmax` along `dim`, in
`tinynet/ops/activation.py`.

- softmax: yᵢ = e^(xᵢ - m)/Σⱼ e^(xⱼ - m), m = max x (the same value, without overflow);
  dL/dx = y ⊙ (g - Σ g⊙y), the sum along `dim`.
- log-softmax: yᵢ = xᵢ - m - log Σⱼ e^(xⱼ - m); dL/dx = g - softmax(x)·Σ g.

Save the output y (`ctx.save_for_backward(y)`) and the dim on `ctx` (`ctx.dim = dim`);
`backward` returns `(dL/dx, None)`: no gradient for `dim`. An empty input (size 0) returns
an empty float array of its shape (`np.max` fails on an empty axis: skip it, but still
save y, which backward reads). Hint: `keepdims=True` keeps the sums broadcastable."""),
    Task(4, "unbroadcast", "Undoing broadcasting in the backward pass", 5,
         ("tinynet/autograd/engine.py",), (), """\
Implement `unbroadcast(grad, shape)` in `tinynet/autograd/engine.py`: sum `grad` over the
axes that numpy broadcasting added (leading ones) or stretched (size 1 in `shape`), so the
result has exactly `shape`.

Example: x (3, 1) + y (4,) gives (3, 4); dL/dx is dL/dout summed over axis 1, kept as
(3, 1); dL/dy is summed over axis 0, giving (4,). Hint: first sum the extra leading
axes, then sum the stretched ones with `keepdims=True`."""),
    Task(5, "backward", "The backward pass", 15,
         ("tinynet/autograd/engine.py",), (), """\
Complete `run_backward` in `tinynet/autograd/engine.py`: after an op's `backward` returned
one gradient per input (`input_grads`), send each to the node it belongs to
(`ctx.next_nodes`: the context that made the input, a leaf tensor, or None).

For each (node, gx): skip None; reduce gx to the node's shape with `unbroadcast` when it
differs (a leaf's shape is `node.array.shape`, a context's `node.out_shape`); add it into
`grads[id(node)]` (out of place: `previous + gx`). The first time a node receives a
gradient, remember it: a leaf (a `_Tensor`) goes into `leaves`, a context is pushed on
the heap `ready` as `(-node.seq, node)`, so the newest op runs first. That order is a
reverse topological order: an op is always created after the ops that made its inputs.

This task does not need task 4: the one test with a broadcast input puts a correct
`unbroadcast` in place of yours, and checks that you call it when shapes differ."""),
    Task(6, "linear", "Linear: forward and its three gradients", 10,
         ("tinynet/ops/linear.py",), (), """\
Implement `Linear.forward` and `Linear.backward` in `tinynet/ops/linear.py`:
y = x Wᵀ + b with x (*, D_in), W (D_out, D_in), b (D_out,) or None.

Gradients, g = dL/dy with the leading dims flattened to N rows:
dL/dx = g W, dL/dW = gᵀ x, dL/db = Σₙ g. Return `(gx, gW, gb)`, with None for an input
that needs no gradient (`ctx.needs_input_grad`) and for a missing bias."""),
    Task(7, "layernorm", "LayerNorm's backward", 10,
         ("tinynet/ops/layer_norm.py",), (), """\
Implement `LayerNorm.backward` in `tinynet/ops/layer_norm.py`. Forward saved x̂ (the
normalised input), r = 1/√(σ² + ε) per row, and w (or None); `ctx.axes` are the
normalised axes and `ctx.n` the number of elements they hold.

With g = dL/dy and ĝ = g·w (g when w is None), averaging over the normalised axes:
dL/dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ x̂)); dL/dw = Σ g x̂ and dL/db = Σ g over the leading
axes. Return `(gx, gw, gb, None, None)`, None where `ctx.needs_input_grad` says no."""),
    Task(8, "cross_entropy", "Fused cross-entropy", 10,
         ("tinynet/ops/cross_entropy.py",), (), """\
Implement `CrossEntropy.forward` and `CrossEntropy.backward` in
`tinynet/ops/cross_entropy.py`: logits z (N, C), class indices t (N,), reduction 'mean',
'sum' or 'none'.

ℓᵢ = log Σ_c e^(zᵢ[c]) - zᵢ[tᵢ], computed with each row's maximum subtracted first;
dℓᵢ/dzᵢ = pᵢ - onehot(tᵢ) with p = softmax(z). Save p and t; keep the reduction on `ctx`.
Backward scales row i by dL/dℓᵢ (grad / N for 'mean', grad for 'sum', grad[i] for
'none') and returns `(gz, None, None)`. `reduce_losses(losses, reduction, N)` (imported
for you) reduces the per-row losses."""),
    Task(9, "optimizers", "SGD with momentum, Adam and AdamW", 10,
         ("tinynet/optim/sgd.py", "tinynet/optim/adam.py"), (), """\
Complete `SGD.step` in `tinynet/optim/sgd.py` and `Adam._update` in
`tinynet/optim/adam.py`, following the update rules written in each class's docstring
(PyTorch's): weight decay, the momentum buffer (copied from g at the first step),
dampening and Nesterov for SGD; for Adam its weight decay (added to g, as SGD's), the
moments m and v, AMSGrad (the largest v so far, in `state["max_exp_avg_sq"]`, when the
group's `amsgrad` is True) and the bias-corrected step.
`AdamW` runs the same `Adam._update`: when the group's `decoupled_weight_decay` is True,
shrink p by (1 - lr·weight_decay) first, instead of adding weight_decay·p to g (one test
checks it). Update `p.array` in place; keep the moments in `self.state[p]` under
PyTorch's names (`momentum_buffer`; `exp_avg`, `exp_avg_sq`, `step`)."""),
    Task(10, "train", "Train an MLP to 95%", 5,
         ("exercises/train.py",), ("activations", "gelu", "backward", "linear",
                                   "cross_entropy", "optimizers"), """\
Write `train(data)` in `exercises/train.py`: build and train a tinynet model on the
two-moons data it gets (`data.X_train`, `data.y_train`; its test split is empty), and
return it. The grader measures its accuracy on the test split it kept, which must reach
0.95. Use `tn.models.MLP` (its default activation is GELU, task 2; with
`activation="relu"` task 2 is not needed) and `tn.fit`, or write the loop yourself
(zero_grad, forward, loss, backward, step)."""),
    Task(11, "diagnose", "Diagnose a training run", 10,
         ("exercises/diagnose.py",), (), """\
Write the three functions of `exercises/diagnose.py`, which read a `History` recorded
with the Monitor (`history.records[epoch - 1]["layers"][name]`: a Linear's `grad_norm`,
an activation's `dead_rate` and `saturation_rate`; or `history.layer_metric(key)`):

- `gradient_ratio(history, epoch=1)`: the first Linear's `grad_norm` over the last one's;
- `vanishing(history)`: whether that ratio, in epoch 1, is below 1e-3;
- `dead_layer(history)`: the name of the activation layer with the highest `dead_rate`
  in the last epoch, or None when no layer has more than half of its units dead.

The tests give you real runs: a deep sigmoid network, a ReLU network whose units died,
and a healthy one."""),
)

BY_NAME = {task.name: task for task in TASKS}
