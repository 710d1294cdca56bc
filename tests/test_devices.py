"""Devices as in PyTorch, on a CPU-only build: ``tn.device``, ``device=`` on every factory,
``.to(device)``, and the ``cuda`` / ``backends`` queries that device-choosing code runs."""
import pytest

import tinynet as tn


def test_device_objects():
    cpu = tn.device("cpu")
    assert cpu.type == "cpu" and cpu.index is None and str(cpu) == "cpu"
    assert repr(tn.device("cuda:1")) == "device(type='cuda', index=1)"
    assert tn.device("cuda", 0) == tn.device("cuda:0") and tn.device(cpu) == cpu
    assert len({tn.device("cpu"), tn.device("cpu")}) == 1
    # NOTE: as in PyTorch, a device never equals a string; compare .type
    assert tn.ones(2).device == cpu and tn.ones(2).device != "cpu"
    with pytest.raises(RuntimeError, match="device: type must be one of 'cpu', 'cuda'.*got 'gpu'"):
        tn.device("gpu")
    with pytest.raises(RuntimeError, match="device: type must be a device string .*, got 'cuda:x'"):
        tn.device("cuda:x")


def test_the_usual_device_selection_runs_on_the_cpu():
    device = tn.device("cuda" if tn.cuda.is_available() else "cpu")
    assert device.type == "cpu"
    assert tn.cuda.device_count() == 0 and not tn.backends.mps.is_available()
    assert not tn.backends.cudnn.is_available()
    tn.cuda.manual_seed(0)  # ignored, as PyTorch does without CUDA
    tn.cuda.manual_seed_all(0)
    model = tn.nn.Linear(2, 3).to(device)
    x = tn.randn(4, 2, device=device).to(device)
    assert model(x).shape == (4, 3) and not x.is_cuda


def test_factories_take_the_cpu_and_refuse_other_devices():
    for make in (lambda d: tn.zeros(2, device=d), lambda d: tn.ones(2, device=d),
                 lambda d: tn.tensor([1.0], device=d), lambda d: tn.eye(2, device=d),
                 lambda d: tn.randn(2, device=d), lambda d: tn.rand(2, device=d),
                 lambda d: tn.arange(3, device=d), lambda d: tn.full((2,), 1.0, device=d),
                 lambda d: tn.randint(0, 3, (2,), device=d), lambda d: tn.empty(1, device=d),
                 lambda d: tn.linspace(0, 1, 3, device=d), lambda d: tn.randperm(3, device=d),
                 lambda d: tn.zeros_like(tn.ones(1), device=d)):
        assert make("cpu").device == tn.device("cpu") and make(tn.device("cpu")) is not None
        with pytest.raises(RuntimeError, match="tinynet runs on the CPU only, got device "
                                               "'cuda:0'"):
            make("cuda:0")


def test_moving_a_tensor_or_model_off_the_cpu_raises():
    x = tn.ones(2)
    assert x.to(tn.device("cpu")) is x and x.to("cpu", tn.float64).dtype == tn.float64
    assert x.to(tn.ones(1, dtype=tn.float64)).dtype == tn.float64  # to(other): its dtype
    for move in (lambda: x.to(tn.device("cuda")), lambda: x.to("mps"), lambda: x.cuda(),
                 lambda: tn.nn.Linear(1, 1).to(tn.device("cuda"))):
        with pytest.raises(RuntimeError, match="CPU only"):
            move()


def test_default_device():
    tn.set_default_device("cpu")
    tn.set_default_device(None)
    assert tn.get_default_device() == tn.device("cpu")
    with pytest.raises(RuntimeError, match="set_default_device: tinynet runs on the CPU only"):
        tn.set_default_device("cuda")
