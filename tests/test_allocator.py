"""import tinynet keeps freed memory for reuse (glibc): no page faults step after step."""
import os
import subprocess
import sys

import pytest

ALLOCATE_AND_FREE = """
import resource
import numpy as np
import tinynet.allocator
print(tinynet.allocator.TUNED)
def step():  # what a wide training step does: several MB-sized arrays, all freed at the end
    arrays = [np.ones(1 << 20, np.float32) for _ in range(6)]  # 6 x 4 MB
    del arrays
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 10)
"""


def _faults_per_step(malloc_setting: str, **environment):
    env = dict(os.environ, TINYNET_MALLOC=malloc_setting, **environment)
    out = subprocess.run([sys.executable, "-c", ALLOCATE_AND_FREE], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_arrays_are_reused_instead_of_faulted_in_again():
    tuned, faults = _faults_per_step("")
    default_tuned, default_faults = _faults_per_step("default")
    assert tuned and not default_tuned  # TINYNET_MALLOC=default opts out
    # glibc's defaults unmap or trim much of the 24 MB, and fault it back in each step
    # (about 3,000 of its 6,000 pages here)
    assert default_faults > 1000
    assert faults < 100


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_a_users_own_malloc_settings_win():
    tuned, _ = _faults_per_step("", MALLOC_TRIM_THRESHOLD_="1000000")
    assert not tuned
