"""Shared test settings: one hypothesis profile, fast locally and reproducible on CI."""
import os

from hypothesis import settings
from threadpoolctl import threadpool_limits

# One BLAS thread: the tests' matrices are small, and on a 2-core machine shared with
# other work OpenBLAS's spinning worker threads made some runs 100x slower, not faster.
threadpool_limits(1)

# No deadline: the first call of an op pays numpy/scipy warm-up, which is not a bug.
# On CI (the CI variable is set) every run draws the same examples.
settings.register_profile("tinynet", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("tinynet")

# tests/compat holds the snippets that tests/test_compat.py runs, scripts rather than test
# modules: importing them (as --doctest-modules would) would run them.
collect_ignore_glob = ["compat/*"]
