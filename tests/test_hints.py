"""The hint rules, one by one, at their documented thresholds; the Hint object; how
causes and symptoms combine; and History's use of them."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet.diagnostics import KINDS, Hint, diagnose, hints
from tinynet.training import History


def _record(epoch=1, train_loss=1.0, val_loss=None, first=1.0, last=1.0, update=1e-3,
            dead=0.0, saturation=0.0, kind="ReLU", dead_since=None):
    return {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "layers": {
        "0": {"kind": "Linear", "grad_norm": first, "update_ratio": update},
        "1": {"kind": kind, "dead_rate": dead, "saturation_rate": saturation,
              "dead_since": dead_since or []},
        "2": {"kind": "Linear", "grad_norm": last, "update_ratio": update},
    }}


def _kinds(records, config=None, restored=None):
    return {h.kind for h in diagnose(records, config, restored)}


@pytest.mark.parametrize("changes, kind, fires", [
    ({"dead": 0.25}, "dead_units", True),
    ({"dead": 0.24}, "dead_units", False),
    ({"dead": 0.9, "kind": "LeakyReLU"}, "dead_units", False),  # only ReLU-type units die
    ({"saturation": 0.5, "kind": "Sigmoid"}, "saturation", True),
    ({"saturation": 0.5, "kind": "Tanh"}, "saturation", True),
    ({"saturation": 0.49, "kind": "Tanh"}, "saturation", False),
    ({"saturation": 0.9, "kind": "ReLU"}, "saturation", False),  # ReLU's zero side: dead
    ({"first": 0.9e-3}, "vanishing", True),
    ({"first": 1.1e-3}, "vanishing", False),
    ({"first": 1.1e3}, "exploding", True),
    ({"first": 0.9e3}, "exploding", False),
    ({"update": 0.11}, "lr_too_high", True),
    ({"update": 0.09}, "lr_too_high", False),
    ({"update": float("nan")}, "lr_too_high", False),
])
def test_each_rule_fires_exactly_at_its_threshold(changes, kind, fires):
    assert (kind in _kinds([_record(**changes)])) is fires


def test_lr_too_low_needs_tiny_steps_and_a_loss_that_barely_moved():
    tiny = [_record(1, train_loss=1.0, update=0.9e-5), _record(2, train_loss=0.98,
                                                                 update=0.9e-5)]
    assert "lr_too_low" in _kinds(tiny)
    tiny[-1]["train_loss"] = 0.96  # moved 4%: the steps are small but they work
    assert "lr_too_low" not in _kinds(tiny)
    tiny[-1]["train_loss"], tiny[-1]["layers"]["0"]["update_ratio"] = 0.98, 1.3e-5
    assert "lr_too_low" not in _kinds(tiny)  # the median of 1.3e-5 and 0.9e-5 is 1.1e-5


def test_the_median_update_ratio_of_two_linears_is_their_mean():
    # 0.060 and 0.138: the median 0.099 is below UPDATE_RATIO_HIGH = 0.1; the larger one
    # alone (the upper median) would call the rate too high
    records = [_record(1, train_loss=1.0), _record(2, train_loss=0.5, update=0.06)]
    records[-1]["layers"]["2"]["update_ratio"] = 0.138
    assert "lr_too_high" not in _kinds(records)
    records[-1]["layers"]["2"]["update_ratio"] = 0.15  # median 0.105
    hint = next(h for h in diagnose(records) if h.kind == "lr_too_high")
    assert "by 1.0e-01 of their norm" in hint.message  # 0.105, not the larger 0.15


def test_lr_too_high_when_the_loss_spiked_above_its_start_with_large_steps():
    config = {"initial_loss": 1.0}
    spike = [_record(1, train_loss=1.6, update=0.2), _record(2, train_loss=0.5)]
    hint = next(h for h in diagnose(spike, config) if h.kind == "lr_too_high")
    assert hint.epoch == 1 and "rose to 1.6 from 1" in hint.message
    assert "lr_too_high" not in _kinds([_record(1, train_loss=1.4, update=0.2),
                                        _record(2, train_loss=0.5)], config)
    assert "lr_too_high" not in _kinds([_record(1, train_loss=1.6, update=0.09),
                                        _record(2, train_loss=0.5)], config)


def test_diverged_from_fit_or_from_an_exploding_loss():
    failure = {"epoch": 2, "step": 5, "loss": float("nan"), "where": "layer '0'",
               "steps_before": 12}
    only = diagnose([_record(1)], {"diverged": failure, "initial_loss": 0.7})
    assert [h.kind for h in only] == ["diverged"] and only[0].severity == "error"
    first_step = diagnose([], {"diverged": {**failure, "steps_before": 0}})
    assert [h.kind for h in first_step] == ["nonfinite"]
    exploded = [_record(1, train_loss=0.69), _record(2, train_loss=7.0, dead=0.9)]
    assert _kinds(exploded, {"initial_loss": 0.69}) == {"diverged"}  # dead units: a symptom
    assert "diverged" not in _kinds([_record(1, train_loss=0.69), _record(2, train_loss=6.8)],
                                    {"initial_loss": 0.69})


def test_input_scale_thresholds():
    def config(max_std=1.0, min_std=1.0, max_abs_mean=0.0):
        return {"input": {"max_std": max_std, "min_std": min_std, "max_abs_mean": max_abs_mean,
                          "constant_features": 0}}

    assert "input_scale" in _kinds([_record()], config(max_std=10.1))
    assert "input_scale" not in _kinds([_record()], config(max_std=10.0, min_std=0.5))
    assert "input_scale" in _kinds([_record()], config(max_abs_mean=10.5))
    assert "input_scale" in _kinds([_record()], config(max_std=2.0, min_std=1.9e-3))


def test_init_scale_from_the_initial_loss_or_the_activation_growth():
    assert "init_scale" in _kinds([_record()], {"initial_loss": 2.2,
                                                "expected_initial_loss": 0.7})
    assert "init_scale" not in _kinds([_record()], {"initial_loss": 2.0,
                                                    "expected_initial_loss": 0.7})
    growing = {"initial_act_std": {"1": 1.0, "3": 2.2, "5": 4.9}}  # 2.21x per layer
    hint = next(h for h in diagnose([_record()], growing) if h.kind == "init_scale")
    assert "grow 2.21x per layer" in hint.message and "too large" in hint.message
    shrinking = {"initial_act_std": {"1": 1.0, "3": 0.4, "5": 0.2}}  # 0.447x
    assert "too small" in str(next(h for h in diagnose([_record()], shrinking)))
    assert "init_scale" not in _kinds([_record()], {"initial_act_std": {"1": 1.0, "3": 1.9,
                                                                        "5": 3.9}})


def test_overfitting_needs_a_sustained_rise_a_falling_train_loss_and_a_gap():
    def run(val, train):
        return [_record(e, train_loss=t, val_loss=v) for e, (v, t) in
                enumerate(zip(val, train), start=1)]

    falling = [1.0, 0.5, 0.3, 0.2, 0.1, 0.05]
    rising = [1.0, 0.6, 0.7, 0.75, 0.8, 0.85]  # best 0.6 at epoch 2; last 3 average 0.8
    assert "overfitting" in _kinds(run(rising, falling))
    assert "overfitting" not in _kinds(run(rising[:4] + [0.6, 0.6], falling))  # back down
    assert "overfitting" not in _kinds(run(rising, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]))  # rising
    assert "overfitting" not in _kinds(run(rising, [1.0] + [0.9] * 5))  # no gap: val < 1.5x
    assert "overfitting" not in _kinds(run([1.0, 0.6, 0.62, 0.64, 0.7], falling[:5]))  # 9%
    # with EarlyStopping's weights put back, a note that says so, not a warning
    note = [h for h in diagnose(run(rising, falling), restored_epoch=2)
            if h.kind == "overfitting"]
    assert note[0].severity == "note" and "put back the weights of epoch 2" in str(note[0])


def test_stalled_near_chance_or_near_the_start_and_only_without_a_cause():
    assert "stalled" in _kinds([_record(e, train_loss=0.70) for e in (1, 2, 3)],
                               {"expected_initial_loss": 0.693})
    assert "stalled" not in _kinds([_record(1, 0.9), _record(2, 0.6), _record(3, 0.3)],
                                   {"expected_initial_loss": 0.693})
    assert "stalled" not in _kinds([_record(e, 0.70) for e in (1, 2)])  # too short to tell
    vanishing = [_record(e, train_loss=0.7, first=1e-6) for e in (1, 2, 3)]
    assert _kinds(vanishing, {"expected_initial_loss": 0.693}) == {"vanishing"}


def test_stalled_says_what_it_compares_with():
    near_chance = diagnose([_record(e, train_loss=0.80 - 0.01 * e) for e in (1, 2, 3)],
                           {"expected_initial_loss": 0.693})
    assert near_chance[0].message.startswith("the training loss is no better than guessing: "
                                             "0.77 in epoch 3, against the 0.693 of guessing")
    flat = diagnose([_record(e, train_loss=2.0) for e in (1, 2, 3)])
    assert flat[0].message.startswith("the training loss barely moved: 2 in epoch 3, against "
                                      "2 in epoch 1")


def test_units_dead_at_initialisation_get_init_advice_not_a_smaller_learning_rate():
    dead = [_record(1, dead=0.5, dead_since=[1, 1]), _record(2, dead=0.5, dead_since=[1, 1])]
    from_start = diagnose(dead, {"initial_dead_rate": {"1": 0.5}})
    assert from_start[0].message.endswith("50% were dead at initialisation")
    assert "lower the learning rate" not in from_start[0].advice
    # (MLP(init='auto'), the default, is what put them there: not advised again)
    assert from_start[0].advice.startswith("standardise the inputs, start the biases at 0")
    assert "MLP(init='auto')" not in from_start[0].advice
    in_training = diagnose(dead, {"initial_dead_rate": {"1": 0.0}})
    assert in_training[0].advice.startswith("lower the learning rate")
    assert diagnose(dead)[0].advice.startswith("lower the learning rate")  # nothing probed


def test_dead_relus_explain_the_vanishing_gradient_they_cause():
    # a dead layer passes no gradient: the first layer's gradient is 0 from epoch 1 on
    dead_early = [_record(e, first=0.0, dead=1.0, dead_since=[1]) for e in (1, 2)]
    assert _kinds(dead_early) == {"dead_units"}
    dead_late = [_record(1, first=1e-6), _record(2, first=1e-6, dead=1.0, dead_since=[2])]
    assert _kinds(dead_late) == {"dead_units", "vanishing"}  # vanishing came first
    relu = diagnose([_record(first=1e-6)])[0]
    assert relu.kind == "vanishing" and "ReLU-type" not in relu.advice  # the net has ReLUs
    sigmoid = diagnose([_record(first=1e-6, kind="Sigmoid")])[0]
    assert sigmoid.advice.startswith("use ReLU-type or GELU activations")


def test_a_validation_rise_with_a_rebounding_training_loss_is_a_too_high_rate():
    def run(val, train):
        return [_record(e, train_loss=t, val_loss=v, update=2e-2) for e, (v, t) in
                enumerate(zip(val, train), start=1)]

    config = {"initial_loss": 2.0}  # the rebound must exceed 4% of it: 0.08
    val = [1.0, 0.6, 0.7, 0.75, 0.8, 0.85]
    bounced = [1.0, 0.5, 0.2, 0.35, 0.15, 0.1]  # 0.35 > 1.5 x 0.2, by 0.15 > 0.08
    found = diagnose(run(val, bounced), config)
    assert [h.kind for h in found] == ["lr_too_high"]
    assert found[0].epoch == 4 and "went back up, to 0.35 in epoch 4 from 0.2 in epoch 3" \
        in found[0].message
    small = [1.0, 0.5, 0.06, 0.095, 0.05, 0.04]  # 1.6x, by 0.035: within the floor
    assert _kinds(run(val, small), config) == {"overfitting"}
    near_zero = [1.0, 0.5, 0.02, 0.05, 0.015, 0.01]  # 2.5x, by 0.03: the noise of a low loss
    doubled = [1.0, 0.5, 0.09, 0.2, 0.17, 0.18]  # 2.2x, by 0.11, the rise it stays at
    assert _kinds(run(val, doubled), config) == {"lr_too_high"}
    assert _kinds(run(val, near_zero), config) == {"overfitting"}
    below = [1.0, 0.5, 0.1, 0.16, 0.09, 0.08]  # 1.6x, by 0.06: under the floor (over 2%)
    assert _kinds(run(val, below), config) == {"overfitting"}
    # a binary task's near-zero loss jittering while its validation loss climbs: overfitting
    binary = [_record(e, train_loss=t, val_loss=v, update=2e-3) for e, (t, v) in enumerate(
        zip([.40, .15, .05, .020, .035, .015, .012], [.42, .30, .28, .33, .38, .42, .47]), 1)]
    assert _kinds(binary, {"initial_loss": 0.693}) == {"overfitting"}
    unmonitored = run(val, bounced)
    for record in unmonitored:
        record["layers"] = {}  # fit(monitor=False): no update ratio to quote
    message = str(next(h for h in diagnose(unmonitored, config) if h.kind == "lr_too_high"))
    assert "nan" not in message and message.count("the steps overshoot:") == 1
    before_best = [1.0, 1.6, 0.3, 0.25, 0.2, 0.1]  # the rebound came before the best epoch
    assert _kinds(run([1.0, 0.6, 0.5, 0.8, 0.85, 0.9], before_best), config) == \
        {"overfitting"}


def test_a_trained_model_whose_loss_stopped_moving_far_below_guessing_is_not_stalled():
    finetuned = [_record(e, train_loss=loss) for e, loss in enumerate((0.086, 0.085, 0.084), 1)]
    assert "stalled" not in _kinds(finetuned, {"expected_initial_loss": 0.693})
    # without a loss of guessing (regression): against the first epoch
    hint = [h for h in diagnose([_record(e, 0.50) for e in (1, 2, 3)]) if h.kind == "stalled"]
    assert "against 0.5 in epoch 1" in hint[0].message


def test_one_hint_per_cause_listing_every_layer():
    record = _record(dead=0.5)
    record["layers"]["3"] = {"kind": "ReLU", "dead_rate": 0.8, "dead_since": [2]}
    record["layers"]["4"] = {"kind": "Linear", "grad_norm": 1.0, "update_ratio": 1e-3}
    found = diagnose([record])
    dead = [h for h in found if h.kind == "dead_units"]
    assert len(dead) == 1
    assert dead[0].layers == (("1", "ReLU"), ("3", "ReLU")) and dead[0].layer == ("1", "ReLU")
    assert "80% of the units of layer 2 · ReLU" in dead[0].message
    assert dead[0].evidence["dead_rate"] == {"1": 0.5, "3": 0.8}


def test_hints_are_ordered_by_severity_and_print_as_a_sentence():
    config = {"ends_in_softmax": True, "loss": "cross_entropy", "input":
              {"max_std": 50.0, "min_std": 1.0, "max_abs_mean": 0.0, "constant_features": 0}}
    found = diagnose([_record(dead=0.5)], config)
    assert [h.severity for h in found] == sorted((h.severity for h in found),
                                                 key=hints.SEVERITIES.index)
    assert found[0].kind == "double_softmax"
    for hint in found:
        assert isinstance(hint, Hint) and hint.kind in KINDS
        assert str(hint) == f"{hint.message}: {hint.advice}"


def test_every_threshold_is_a_named_constant_cited_in_its_rule():
    for name in ("DEAD_RATE", "SATURATION_RATE", "VANISHING_RATIO", "EXPLODING_RATIO",
                 "UPDATE_RATIO_HIGH", "UPDATE_RATIO_LOW", "OVERFIT_RISE", "OVERFIT_GAP",
                 "INPUT_STD_MAX", "INIT_LOSS_RATIO", "LOSS_EXPLOSION", "STALL"):
        assert isinstance(getattr(hints, name), float), name
        assert any(name in (rule.__doc__ or "") for rule in hints.RULES), name
    assert all(rule.__doc__ and ("(" in rule.__doc__) for rule in hints.RULES)  # a source


def test_no_records_no_hints():
    assert diagnose([]) == []


def test_gradient_ratio_reads_first_and_last_linear():
    assert hints.gradient_ratio(_record(first=2.0, last=8.0)) == 0.25
    assert math.isnan(hints.gradient_ratio({"layers": {"0": {"kind": "Linear",
                                                             "grad_norm": 1.0}}}))


# ---- History ---------------------------------------------------------------------------------
def test_history_diagnose_reads_the_config_fit_records():
    data = tn.data.load_dataset("iris", seed=0)
    X = data.X_train * 300 + 1000  # far from standardised
    model = tn.models.MLP(4, [8], 3, generator=np.random.default_rng(0))
    history = tn.fit(model, X, data.y_train, epochs=2, progress=False)
    assert history.config["input"]["max_abs_mean"] > 900
    assert history.config["expected_initial_loss"] == pytest.approx(math.log(3))
    assert "input_scale" in {h.kind for h in history.diagnose()}


def test_the_probe_counts_the_units_dead_at_initialisation():
    data = tn.data.load_dataset("moons", seed=0)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16, 16], 2, activation="relu")
    with tn.no_grad():
        model[0].bias.fill_(-100.0)  # every first-layer unit off
    # the second layer's inputs are then 0: a unit is off where its bias is
    second = float(np.mean(model[2].bias.array <= 0))
    history = tn.fit(model, data.X_train, data.y_train, epochs=2, progress=False)
    assert history.config["initial_dead_rate"] == {"1": 1.0, "3": second}
    hint = history.diagnose()[0]
    assert hint.kind == "dead_units" and "were dead at initialisation" in hint.message
    assert [h.kind for h in history.diagnose()] == ["dead_units"]  # not also vanishing
    tn.manual_seed(0)
    healthy = tn.fit(tn.models.MLP(2, [16, 16], 2, activation="relu"), data.X_train,
                     data.y_train, epochs=1, progress=False)
    assert all(rate < 0.25 for rate in healthy.config["initial_dead_rate"].values())


def test_summary_shows_the_epoch_early_stopping_restored():
    data = tn.data.load_dataset("iris", seed=0)
    model = tn.models.MLP(4, [64, 64], 3, generator=np.random.default_rng(0))
    stopper = tn.EarlyStopping(patience=2, restore_best_weights=True)
    history = tn.fit(model, data.X_train, data.y_train, lr=0.05, epochs=60, seed=0,
                     validation_data=(data.X_test, data.y_test), callbacks=[stopper],
                     progress=False)
    assert history.restored_epoch == stopper.best_epoch < len(history)
    head = history.summary().splitlines()[0]
    assert head.startswith(f"epoch {stopper.best_epoch}:")
    assert f"training ran to epoch {len(history)}" in head
    again = History.from_json(history.to_json())
    assert again.restored_epoch == history.restored_epoch
    assert not any(h.kind == "overfitting" and h.severity == "warning"
                   for h in history.diagnose())


def test_lr_too_low_not_for_weights_stopped_by_zero_gradients_or_a_rising_loss():
    """Weights that stand still because no gradient reaches them (every unit dead) need
    no larger rate, and a loss that rose was not held back by small steps: stalled says
    the gradients are 0, with advice about dead units and cut graphs."""
    zero = [_record(e, train_loss=2.3, update=0.0, first=0.0, last=0.0) for e in (1, 2, 3)]
    config = {"loss": "cross_entropy", "guess_loss": 2.3}
    found = diagnose(zero, config)
    assert [h.kind for h in found] == ["stalled"]
    assert found[0].message.endswith("no gradient reaches the weights (every Linear's "
                                     "gradient norm is 0 in epoch 3)")
    assert found[0].advice.startswith("a step too large can leave every ReLU unit dead")
    rising = [_record(1, train_loss=1.0, update=0.9e-5), _record(2, train_loss=1.2,
                                                                   update=0.9e-5)]
    assert "lr_too_low" not in _kinds(rising)
    # a layer of dead units leaves the Linear below it without a gradient: its still
    # weights say nothing of the rate, which is judged on the Linears that got one
    dead = [_record(e, train_loss=1.0, update=1e-3, dead=1.0, dead_since=[1]) for e in (1, 2)]
    for record in dead:
        record["layers"]["0"].update(grad_norm=0.0, update_ratio=0.0)
    assert _kinds(dead) == {"dead_units"}


def test_dead_units_do_not_hide_a_rate_too_low_for_the_units_alive():
    """38% of a ReLU layer dead from initialisation, the rest alive, weights moving by
    1e-7 of their norm a step: both are true, and the rate is what holds training back
    (the dead units' advice leaves out standardising inputs that are standardised)."""
    records = [_record(e, train_loss=0.7961, update=1e-7, dead=0.38, dead_since=[1])
               for e in (1, 2)]
    config = {"initial_dead_rate": {"1": 0.38},
              "input": {"max_std": 1.0, "min_std": 1.0, "max_abs_mean": 6e-10}}
    found = {h.kind: h for h in diagnose(records, config)}
    assert set(found) == {"dead_units", "lr_too_low"}
    assert "38% were dead at initialisation" in found["dead_units"].message
    assert found["dead_units"].advice.startswith("start the biases at 0")
    config["input"]["max_abs_mean"] = 3.0  # inputs off centre: standardising may help
    assert diagnose(records, config)[0].advice.startswith("standardise the inputs")


def test_units_training_killed_are_not_told_to_raise_the_rate_as_well():
    """60% of a layer died in training (5% at initialisation), the weights barely move:
    the dead units' advice (a lower rate) stands alone, not beside 'raise the rate'."""
    records = [_record(e, train_loss=0.69, update=5e-6, dead=0.6, dead_since=[1])
               for e in (1, 2)]
    found = {h.kind: h for h in diagnose(records, {"initial_dead_rate": {"1": 0.05}})}
    assert set(found) == {"dead_units"}
    assert found["dead_units"].advice.startswith("lower the learning rate")


def test_dead_units_at_about_their_initial_rate_are_not_blamed_on_the_rate():
    """A layer 22% dead at initialisation and 25% at the end, another 28% and 28%:
    training killed a few units at most, so lowering the rate is not the advice; a layer
    that went from 10% to 40% was training's doing."""
    def run(initial):
        records = [_record(e, dead=0.25, dead_since=[1]) for e in (1, 2)]
        for record in records:
            record["layers"]["3"] = {"kind": "ReLU", "dead_rate": 0.28, "dead_since": [1]}
        return {h.kind: h for h in diagnose(records, {"initial_dead_rate": initial})}
    hint = run({"1": 0.22, "3": 0.28})["dead_units"]
    assert "dead at initialisation" in hint.message and "learning rate" not in hint.advice
    hint = run({"1": 0.10, "3": 0.28})["dead_units"]
    assert "some since epoch 1" in hint.message and hint.advice.startswith("lower the "
                                                                         "learning rate")


def test_stalled_compares_with_the_loss_of_guessing_the_class_frequencies():
    """90/10 classes: guessing the frequencies scores 0.325, far below ln 2; a loss of
    0.32 has learned nothing, and stalled says so against the right baseline."""
    records = [_record(e, train_loss=loss) for e, loss in enumerate([0.56, 0.35, 0.32], 1)]
    config = {"loss": "cross_entropy", "expected_initial_loss": math.log(2),
              "guess_loss": 0.325}
    hint = next(h for h in diagnose(records, config) if h.kind == "stalled")
    assert "against the 0.325 of guessing the class frequencies" in hint.message
    assert "stalled" not in _kinds(records, {**config, "guess_loss": 0.6})
    mse = {"loss": "mse", "expected_initial_loss": 40084.0, "guess_loss": 100.0}
    flat = [_record(e, train_loss=loss) for e, loss in enumerate([900.0, 110.0, 104.0], 1)]
    assert "against the 100 of predicting the mean" in \
        next(h for h in diagnose(flat, mse) if h.kind == "stalled").message


def test_guess_loss_is_the_entropy_of_the_labels_or_the_targets_variance():
    from tinynet.diagnostics.probe import guess_loss
    y = np.array([0] * 9 + [1])
    assert guess_loss("cross_entropy", y, 2) == pytest.approx(-(0.9 * math.log(0.9) +
                                                                0.1 * math.log(0.1)))
    assert guess_loss("cross_entropy", np.arange(4), 4) == pytest.approx(math.log(4))
    assert guess_loss("mse", np.array([1.0, 3.0]), 1) == pytest.approx(1.0)
    assert guess_loss("bce_with_logits", np.array([[1.0], [0.0]]), 1) == \
        pytest.approx(math.log(2))
    assert guess_loss("huber", np.ones(3), 1) is None


def test_saturation_that_training_produced_gets_advice_about_the_steps():
    records = [_record(1, kind="Tanh", saturation=0.55)]
    grown = diagnose(records, {"initial_saturation_rate": {"1": 0.02}})[0]
    assert grown.message.endswith("sit on its flat tails, up from 2% at initialisation")
    assert grown.advice.startswith("training pushed the pre-activations into the tails: "
                                   "lower the learning rate")
    at_init = diagnose(records, {"initial_saturation_rate": {"1": 0.6}})[0]
    assert at_init.advice.startswith("scale the initial weights down")


def test_batch_norm_models_are_not_judged_on_the_probes_activation_growth():
    config = {"initial_act_std": {"2": 0.35, "5": 0.136, "8": 0.065, "11": 0.0048}}
    assert "init_scale" in _kinds([_record()], config)
    assert "init_scale" not in _kinds([_record()], {**config, "batch_norm": True})


def test_inputs_far_below_unit_scale_are_flagged():
    tiny = {"input": {"max_abs_mean": 0.0, "max_std": 1e-4, "min_std": 1e-4,
                      "constant_features": 0}}
    assert "input_scale" in _kinds([_record()], tiny)
    unit = {"input": {"max_abs_mean": 0.0, "max_std": 1.0, "min_std": 0.02,
                      "constant_features": 0}}
    assert "input_scale" not in _kinds([_record()], unit)


def test_init_scale_names_the_expected_loss_of_a_regression_and_its_targets():
    config = {"loss": "mse", "initial_loss": 0.991, "expected_initial_loss": 0.0106}
    hint = next(h for h in diagnose([_record()], config) if h.kind == "init_scale")
    assert "where E[y²] = 0.0106 is expected" in hint.message
    assert hint.advice.startswith("standardise the targets")


def test_overfitting_needs_a_rise_above_the_best_mean_of_three_epochs_not_one_noisy_epoch():
    """Validation losses wobbling between 0.215 and 0.253 around a flat mean: the recent
    mean is 15% above the single lowest epoch but not 10% above the best 3-epoch mean."""
    wobble = [0.24, 0.215, 0.25, 0.235, 0.24, 0.245, 0.25, 0.245, 0.253]
    records = [_record(e, train_loss=0.1 - e * 0.005, val_loss=v)
               for e, v in enumerate(wobble, 1)]
    assert "overfitting" not in _kinds(records)
    rising = wobble[:4] + [0.28, 0.3, 0.32, 0.33, 0.35]
    records = [_record(e, train_loss=0.1 - e * 0.005, val_loss=v)
               for e, v in enumerate(rising, 1)]
    assert "overfitting" in _kinds(records)


def test_dead_units_say_when_the_monitor_sampled_the_batches():
    dead = [_record(1, dead=0.375, dead_since=[1])]
    assert "never fire on the batches the Monitor sampled (one step in 4)" in \
        diagnose(dead, {"monitor_every": 4})[0].message
    assert "sampled" not in diagnose(dead, {"monitor_every": 1})[0].message


def test_lr_too_low_not_for_a_loss_that_rose_a_little_and_overfitting_quotes_the_mean_rise():
    rose = [_record(1, train_loss=1.0, update=0.9e-5), _record(2, train_loss=1.02,
                                                                update=0.9e-5)]
    assert "lr_too_low" not in _kinds(rose)
    val = [1.0, 0.5, 0.9, 0.95, 1.0, 1.1, 1.12, 1.15]
    records = [_record(e, train_loss=0.5 - 0.05 * e, val_loss=v) for e, v in enumerate(val, 1)]
    hint = next(h for h in diagnose(records) if h.kind == "overfitting")
    best_mean = (0.5 + 0.9 + 0.95) / 3
    assert hint.evidence["best_mean_val_loss"] == pytest.approx(best_mean)
    rise = (1.1 + 1.12 + 1.15) / 3 / best_mean - 1
    assert hint.message.startswith(f"overfitting: validation loss rose {rise:.0%} above its "
                                   f"best 3-epoch mean (its best epoch: 2)")


@pytest.mark.parametrize("used", [{}, {"init": "auto"}, {"layer_norm": True},
                                  {"init": "auto", "layer_norm": True}])
@pytest.mark.parametrize("changes, kind", [
    ({"first": 1e-6, "kind": "Sigmoid"}, "vanishing"),
    ({"first": 1e6}, "exploding"),
    ({"saturation": 0.6, "kind": "Tanh"}, "saturation"),
])
def test_advice_leaves_out_what_the_model_already_uses(used, changes, kind):
    hint = next(h for h in diagnose([_record(**changes)], used) if h.kind == kind)
    assert ("MLP(init='auto')" in hint.advice) is ("init" not in used)
    assert ("LayerNorm" in hint.advice) is ("layer_norm" not in used)
    if kind != "vanishing" and "init" in used:  # the scale is still the remedy
        assert "than init='auto' does (a smaller gain in nn.init)" in hint.advice
    estimator = diagnose([_record(**changes)], {**used, "estimator": "MLPClassifier()"})
    assert "nn.init" not in next(h for h in estimator if h.kind == kind).advice


def test_advice_is_one_list_of_choices():
    assert hints._either(["a", None, "b", "c"]) == "a, b, or c"
    assert hints._either(["a", None, "b"]) == "a or b"
    assert hints._either([None, "a"]) == "a"


def test_the_probe_records_what_the_model_uses_and_a_deep_sigmoid_mlp_is_not_told_to_use_it():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X = ((X - X.mean(0)) / (X.std(0) + 1e-8)).astype(np.float32)
    tn.manual_seed(0)
    model = tn.models.MLP(64, [32] * 8, 10, activation="sigmoid", init="auto")
    history = tn.fit(model, X[:512], y[:512], epochs=1, lr=0.1, progress=False)
    assert history.config["init"] == "auto" and history.config["layer_norm"] is False
    vanishing = next(h for h in history.diagnose() if h.kind == "vanishing")
    assert "MLP(init='auto')" not in vanishing.advice and "LayerNorm" in vanishing.advice
    normed = tn.models.MLP(64, [32], 10, norm="layernorm", init="pytorch")
    history = tn.fit(normed, X[:64], y[:64], epochs=1, progress=False)
    assert history.config["init"] == "pytorch" and history.config["layer_norm"] is True


def test_saturation_grown_while_the_loss_fell_far_below_guessing_is_a_note():
    records = [_record(1, kind="Tanh", saturation=0.6, train_loss=0.08)]
    config = {"initial_saturation_rate": {"1": 0.02}, "guess_loss": 0.693,
              "loss": "cross_entropy"}
    fitted = diagnose(records, config)[0]
    assert (fitted.kind, fitted.severity) == ("saturation", "note")
    assert fitted.message.endswith("up from 2% at initialisation, as the training loss fell "
                                   "to 0.08 (12% of the 0.693 of guessing the class "
                                   "frequencies)")
    assert fitted.advice.startswith("nothing to fix while the loss falls")
    # above a quarter of guessing's loss, or saturated from the start: a warning
    for changes in ({"guess_loss": 0.3}, {"initial_saturation_rate": {"1": 0.6}}):
        assert diagnose(records, {**config, **changes})[0].severity == "warning"


def test_a_tanh_net_fitted_to_the_moons_is_not_warned_about_its_saturation():
    from sklearn.datasets import make_moons
    X, y = make_moons(1000, noise=0.2, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    model = tn.models.MLP(2, [32, 32], 2, activation="tanh",
                          generator=np.random.default_rng(0))
    history = tn.fit(model, X, y, epochs=100, lr=1e-2, seed=0, progress=False)
    saturated = [h for h in history.diagnose() if h.kind == "saturation"]
    last = history.records[-1]
    rate = max(s.get("saturation_rate", 0) for s in last["layers"].values())
    assert rate >= hints.SATURATION_RATE and last["train_loss"] < 0.25 * 0.6932
    assert [h.severity for h in saturated] == ["note"]


def test_an_estimators_hints_do_not_advise_fits_arguments():
    for used in ({}, {"layer_norm": True}, {"init": "auto", "layer_norm": True}):
        config = {**used, "estimator": "MLPClassifier()"}
        hint = next(h for h in diagnose([_record(first=1e6)], config) if h.kind == "exploding")
        assert "fit(" not in hint.advice and hint.advice
