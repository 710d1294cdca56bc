"""Task 4: unbroadcast (tasks/04_unbroadcast.md)."""
import numpy as np

from tinynet.autograd.engine import unbroadcast
from tinynet.exercises.task_tests._support import expect_close

G = np.arange(24, dtype=np.float64).reshape(2, 3, 4)


def test_the_same_shape_is_unchanged():
    expect_close(unbroadcast(G, (2, 3, 4)), G, "unbroadcast(g of shape (2, 3, 4), (2, 3, 4))")


def test_added_leading_axes_are_summed():
    expect_close(unbroadcast(G, (3, 4)), G.sum(axis=0), "unbroadcast(g (2, 3, 4), (3, 4))",
                 "sum over the leading axes broadcasting added")
    expect_close(unbroadcast(G, (4,)), G.sum(axis=(0, 1)), "unbroadcast(g (2, 3, 4), (4,))")
    expect_close(unbroadcast(G, ()), G.sum(), "unbroadcast(g (2, 3, 4), ()): a scalar's")


def test_stretched_axes_are_summed_and_kept():
    expect_close(unbroadcast(G, (2, 1, 4)), G.sum(axis=1, keepdims=True),
                 "unbroadcast(g (2, 3, 4), (2, 1, 4))",
                 "an axis of size 1 in shape was stretched: sum it with keepdims=True")
    expect_close(unbroadcast(G, (3, 1)), G.sum(axis=0).sum(axis=1, keepdims=True),
                 "unbroadcast(g (2, 3, 4), (3, 1))", "both kinds at once")
    expect_close(unbroadcast(G, (1, 1, 1)), G.sum().reshape(1, 1, 1),
                 "unbroadcast(g (2, 3, 4), (1, 1, 1))")
