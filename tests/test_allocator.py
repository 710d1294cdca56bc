"""tn.tune_allocator() keeps freed memory for reuse (glibc): no page faults step after step.
It is opt-in: import tinynet alone leaves the process's allocator as it was."""
import os
import subprocess
import sys

import pytest

ALLOCATE_AND_FREE = """
import resource, sys
import numpy as np
import tinynet as tn
tuned = tn.tune_allocator() if sys.argv[1] == "call" else None
print(tuned)
def step():  # what a wide training step does: several MB-sized arrays, all freed at the end
    arrays = [np.ones(1 << 20, np.float32) for _ in range(6)]  # 6 x 4 MB
    del arrays
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 10)
"""
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")


def _faults_per_step(how: str, **environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "TINYNET_"))}
    env.update(environment)
    out = subprocess.run([sys.executable, "-c", ALLOCATE_AND_FREE, how], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return out[0], int(out[1])


@LINUX
def test_freed_arrays_are_reused_once_asked_and_not_by_the_import_alone():
    _, untouched = _faults_per_step("import")
    tuned, faults = _faults_per_step("call")
    _, by_environment = _faults_per_step("import", TINYNET_MALLOC="keep")
    # glibc's defaults unmap or trim much of the 24 MB, and fault it back in each step
    # (about 3,000 of its 6,000 pages here)
    assert untouched > 1000
    assert tuned == "True" and faults < 100
    assert by_environment < 100


@LINUX
def test_a_users_own_malloc_settings_win():
    tuned, _ = _faults_per_step("call", MALLOC_TRIM_THRESHOLD_="1000000")
    assert tuned == "False"
