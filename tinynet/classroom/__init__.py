"""Classroom tools: check a hand-written backward, trace the backward pass, break an op.

* ``compare_grads(mine, reference)``: your gradients against autograd's, per tensor:
  exact, approximate, largest difference (as ``cmp`` in Karpathy's backprop ninja).
* ``with trace_backward() as trace:``: every op the backward pass runs, in order, with
  the shapes of the gradients flowing in and out.
* ``with broken("Mul", "sign_flip"):``: a wrong backward on purpose, to see which
  checks catch it (``tn.gradcheck``, ``compare_grads``, ``sanity_check``).

See docs/classroom.md; ``tn.viz.graph`` draws the graph itself.
"""
from tinynet.classroom.compare import GradCheck, GradComparison, compare_grads
from tinynet.classroom.faults import FAULTS, broken
from tinynet.classroom.trace import BackwardTrace, InputGrad, TraceStep, trace_backward

__all__ = ["FAULTS", "BackwardTrace", "GradCheck", "GradComparison", "InputGrad",
           "TraceStep", "broken", "compare_grads", "trace_backward"]
