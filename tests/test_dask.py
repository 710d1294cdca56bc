"""Sweeps on a dask cluster give exactly the numbers of the sequential run.

Skipped when the ``dask`` extra is not installed; CI installs it.
"""
import joblib
import pytest

distributed = pytest.importorskip("distributed")

from tinynet.experiments import compare_activations  # noqa: E402

SETTINGS = dict(dataset="moons", activations=["relu", "gelu", "sigmoid"], depth=2, width=8,
                epochs=3, seeds=2)
TIMING = {"us_per_step", "history"}


def _numbers(result):
    return [{k: v for k, v in run.items() if k not in TIMING} for run in result.runs]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_local_cluster_matches_sequential():
    sequential = compare_activations(**SETTINGS, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"):
            clustered = compare_activations(**SETTINGS)
        worker_addresses = set(client.run(lambda: 1))
    assert len(worker_addresses) == 2
    assert _numbers(clustered) == _numbers(sequential)
    assert [r["activation"] for r in clustered.rows] == SETTINGS["activations"]
