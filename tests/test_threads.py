"""tn.set_num_threads / tn.get_num_threads: PyTorch's names for the BLAS thread count."""
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import tinynet as tn


def numpy_blas_threads():
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return [i["num_threads"] for i in blas if "numpy" in i["filepath"]] or [
        i["num_threads"] for i in blas]


@pytest.fixture
def restore_threads():
    before = tn.get_num_threads()
    yield
    tn.set_num_threads(before)


def test_set_num_threads_reaches_numpys_blas(restore_threads):
    if not numpy_blas_threads():
        pytest.skip("numpy has no BLAS that threadpoolctl sees")
    before = tn.get_num_threads()
    assert before == max(numpy_blas_threads())
    a = np.random.default_rng(0).standard_normal((300, 300))
    product = (tn.tensor(a) @ tn.tensor(a)).array
    tn.set_num_threads(1)
    assert tn.get_num_threads() == 1 and set(numpy_blas_threads()) == {1}
    # the same product with one thread: equal but for the order of the sums
    np.testing.assert_allclose((tn.tensor(a) @ tn.tensor(a)).array, product, atol=1e-10)
    tn.set_num_threads(np.int64(before))  # any integer type, as in PyTorch
    assert tn.get_num_threads() == before


@pytest.mark.parametrize("bad, message", [(0, "positive integer, got 0"),
                                          (-2, "positive integer, got -2"),
                                          (1.5, "must be an int, got 1.5"),
                                          (True, "must be an int, got True"),
                                          ("2", "must be an int, got '2'")])
def test_set_num_threads_refuses_what_pytorch_refuses(bad, message, restore_threads):
    before = tn.get_num_threads()
    with pytest.raises(RuntimeError, match=message):
        tn.set_num_threads(bad)
    assert tn.get_num_threads() == before  # nothing changed


def test_import_tinynet_does_not_load_threadpoolctl():
    code = "import sys, tinynet; print('threadpoolctl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
