"""Shared test settings: one hypothesis profile, fast locally and reproducible on CI."""
import os

from hypothesis import settings

# No deadline: the first call of an op pays numpy/scipy warm-up, which is not a bug.
# On CI (the CI variable is set) every run draws the same examples.
settings.register_profile("tinynet", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("tinynet")
