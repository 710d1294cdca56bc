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


# ---- topics: `pytest -m engine` (or nn, optim, training, diagnostics, sklearn, cli, docs,
# compat, experiments) runs one part of the suite. Each test file has one topic.
TOPICS = {
    "engine": ("test_engine", "test_autograd_grad", "test_autograd_functional", "test_inplace",
               "test_unfold_and_scatter_reduce",
               "test_inplace_views", "test_fast_paths",
               "test_capture", "test_capture_values", "test_grad_buffer", "test_ops",
               "test_tensor_math",
               "test_tensor_more", "test_printing",
               "test_promotion", "test_devices", "test_random", "test_random_fills", "test_anomaly",
               "test_fuzz",
               "test_against_torch_ops", "test_against_torch_api", "test_serialization",
               "test_files", "test_threads", "test_allocator", "test_layering",
               "test_error_style", "test_tensor_hooks", "test_tensor_extra",
               "test_torch_parity_extra", "test_size", "test_linalg", "test_linalg_square",
               "test_tensor_functions", "test_inplace_functions", "test_bitwise"),
    "nn": ("test_activations", "test_layers", "test_losses", "test_module", "test_init",
           "test_clip_grad", "test_against_torch_nn", "test_utils_data", "test_samplers",
           "test_dropout", "test_alpha_dropout",
           "test_module_registration", "test_batch_norm", "test_embedding", "test_flatten",
           "test_lazy_linear", "test_smooth_l1", "test_against_torch_layers",
           "test_functional_forms", "test_bce", "test_containers_hooks", "test_backward_hooks",
           "test_kl_div", "test_parameter_containers", "test_nn_extra",
           "test_concat_dataset", "test_activations_more", "test_losses_more",
           "test_inplace_argument", "test_gumbel_softmax",
           "test_activation_inputs"),
    "optim": ("test_optim", "test_optim_more", "test_optim_maximize",
              "test_legacy_and_update_ops",
              "test_lr_scheduler", "test_lr_combined",
              "test_lr_cyclic", "test_swa_utils"),
    "training": ("test_fit", "test_fit_loader", "test_checkpoint", "test_history", "test_soak",
                 "test_training_pytorch_style"),
    "diagnostics": ("test_monitor", "test_hints", "test_hint_scenarios", "test_sanity",
                    "test_custom_activation", "test_plot", "test_viz", "test_classroom"),
    "experiments": ("test_experiments", "test_models_data", "test_dask", "test_benchmarks"),
    "sklearn": ("test_sklearn", "test_sklearn_capture"),
    "cli": ("test_cli", "test_exercises"),
    "docs": ("test_api_docs", "test_docs_walk", "test_teaching_docs", "test_docs",
             "test_docs_numbers", "test_examples", "test_notebooks", "test_classroom_docs"),
    "compat": ("test_compat",),
}
TOPIC_OF = {name: topic for topic, names in TOPICS.items() for name in names}


def pytest_configure(config):
    for topic in TOPICS:
        config.addinivalue_line("markers", f"{topic}: the {topic} part of the suite")


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        stem = item.path.stem
        if stem in TOPIC_OF:
            item.add_marker(getattr(pytest.mark, TOPIC_OF[stem]))
