"""detect_anomaly: the op, the phase, the creation site and the module where a NaN or an
infinity first appears, forward or backward; and nothing at all when it is off."""
import sys
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.autograd import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly

THIS_FILE = __file__


def test_forward_names_the_op_that_turned_finite_into_infinite():
    x = tn.tensor([1.0, 0.0], requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(AnomalyError) as info:
            y = x * 2  # finite: no complaint
            tn.log(y)  # log 0 = -inf
    error = info.value
    assert (error.op, error.phase, error.leaf) == ("Log", "forward", None)
    assert error.site.startswith(THIS_FILE + ":")
    assert "Log forward turned finite inputs into non-finite output" in str(error)


def test_backward_names_the_op_whose_gradient_is_not_finite():
    # √x at x = 0 is finite (0), its derivative 1/(2√x) is not
    x = tn.tensor([4.0, 0.0], requires_grad=True)
    with detect_anomaly():
        y = tn.sqrt(x).sum()
        with pytest.raises(AnomalyError) as info, np.errstate(divide="ignore"):
            y.backward()
    assert (info.value.op, info.value.phase) == ("Sqrt", "backward")
    assert info.value.site.startswith(THIS_FILE + ":")


def test_a_non_finite_parameter_is_reported_as_the_leaf_in_its_module():
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2))
    model[2].weight.array[1, 1] = np.nan
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        model(tn.randn(5, 3))
    assert info.value.leaf is model[2].weight
    assert info.value.module is model[2]
    assert "received non-finite values from a leaf tensor of shape (2, 4)" in str(info.value)


def test_without_anomaly_mode_nothing_is_checked_or_recorded():
    assert not is_anomaly_enabled()
    x = tn.tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        y = tn.log(x)
    assert np.isneginf(y.array).all()
    assert "anomaly_site" not in vars(y.grad_fn)
    with detect_anomaly():
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_the_mode_is_restored_after_an_error():
    with pytest.raises(KeyError):
        with detect_anomaly():
            raise KeyError("boom")
    assert not is_anomaly_enabled()


def test_finite_training_steps_are_identical_with_and_without_anomaly_mode():
    def step(anomaly: bool):
        tn.manual_seed(0)
        model = tn.models.MLP(3, [8, 8], 2, activation="gelu", norm="layernorm")
        x, y = tn.randn(16, 3), tn.tensor(np.arange(16) % 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if anomaly:
                with detect_anomaly():
                    tn.nn.functional.cross_entropy(model(x), y).backward()
            else:
                tn.nn.functional.cross_entropy(model(x), y).backward()
        return [p.grad.array for p in model.parameters()]

    for a, b in zip(step(True), step(False)):
        np.testing.assert_array_equal(a, b)


def _log_of_zero():
    with np.errstate(divide="ignore"):
        return tn.log(tn.tensor([0.0], requires_grad=True))


def test_set_detect_anomaly_switches_at_once_and_back_after_a_block():
    try:
        set_detect_anomaly(True)  # as PyTorch: on from here
        assert is_anomaly_enabled()
        with pytest.raises(AnomalyError, match="Log forward"):
            _log_of_zero()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
            _log_of_zero()  # not checked
        assert is_anomaly_enabled()  # back to the mode before the block
        with detect_anomaly():
            pass
        assert is_anomaly_enabled()  # detect_anomaly restores the mode it found
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()
    _log_of_zero()


def test_the_checks_are_installed_once_however_deep_the_nesting():
    from tinynet.autograd.anomaly import check_forward
    from tinynet.autograd.observers import OBSERVERS

    with detect_anomaly(), set_detect_anomaly(True), detect_anomaly():
        assert OBSERVERS.forward.count(check_forward) == 1
    assert check_forward not in OBSERVERS.forward


def test_detect_anomaly_as_a_decorator():
    @detect_anomaly()
    def forward():
        assert is_anomaly_enabled()
        return _log_of_zero()

    with pytest.raises(AnomalyError, match="Log forward"):
        forward()
    assert not is_anomaly_enabled()


@pytest.mark.parametrize("mode", [1, None, "on"])
def test_set_detect_anomaly_takes_a_bool_as_pytorch(mode):
    with pytest.raises(TypeError, match=f"set_detect_anomaly: mode must be True or False, got "
                                        f"{mode!r}"):
        set_detect_anomaly(mode)
    assert not is_anomaly_enabled()


def test_check_nan_false_checks_no_value_and_the_modes_nest():
    x = tn.tensor([4.0, 0.0], requires_grad=True)
    with detect_anomaly(check_nan=False):
        assert is_anomaly_enabled() and not tn.is_anomaly_check_nan_enabled()
        y = tn.sqrt(x).sum()
        with np.errstate(divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error")
            y.backward()  # an infinite gradient, as PyTorch's with check_nan=False
        assert x.grad.tolist() == [0.25, float("inf")]
        with detect_anomaly():  # the full mode inside, and back
            assert tn.autograd.is_anomaly_check_nan_enabled()
        assert is_anomaly_enabled() and not tn.is_anomaly_check_nan_enabled()
    # off, the flag is the one last set (True at first), as PyTorch's
    assert not is_anomaly_enabled() and tn.is_anomaly_check_nan_enabled()
    with set_detect_anomaly(True, check_nan=False):
        assert is_anomaly_enabled() and not tn.is_anomaly_check_nan_enabled()
    assert not is_anomaly_enabled() and tn.is_anomaly_check_nan_enabled()


class Fails(tn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("no gradient today")


@pytest.mark.parametrize("check_nan", [True, False])
def test_an_error_in_backward_names_the_op_and_its_line_under_anomaly_mode(check_nan):
    x = tn.tensor([1.0], requires_grad=True)
    with detect_anomaly(check_nan=check_nan):
        y = Fails.apply(x).sum(); line = sys._getframe().f_lineno  # noqa: E702
        with pytest.warns(RuntimeWarning) as record, pytest.raises(ValueError,
                                                                   match="no gradient today"):
            y.backward()
    message = str(record[0].message)
    assert record[0].filename == THIS_FILE  # the warning points at the backward() call
    assert message.startswith("detect_anomaly: error detected in Fails's backward "
                              "(ValueError: no gradient today) (created at ")
    assert f"{THIS_FILE}:{line})" in message
    with warnings.catch_warnings():  # off: the error alone
        warnings.simplefilter("error")
        y = Fails.apply(x).sum()
        with pytest.raises(ValueError, match="no gradient today"):
            y.backward()


@pytest.mark.parametrize("call", [lambda: detect_anomaly(check_nan=1),
                                  lambda: set_detect_anomaly(True, check_nan="no")])
def test_check_nan_must_be_a_bool(call):
    with pytest.raises(TypeError, match="check_nan must be True or False, got"):
        call()
    assert not is_anomaly_enabled()
