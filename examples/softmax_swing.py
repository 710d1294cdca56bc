"""What a logit gap of 1.4 does to softmax probabilities.

softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ), so two classes whose logits differ by Δ always have the
probability ratio e^Δ, whatever the other logits are; the *difference* of their
probabilities, though, depends on every other logit. This computes (with tinynet's
``softmax``, float64):

  * the softmax of the logits [3.2, 1.8, 0.5] and every difference one could call a
    "probability swing" there;
  * the same gap of 1.4 between the two top classes with the third logit moved from far
    below to level with the second, and with two classes only.

    python examples/softmax_swing.py                   # instant
    python examples/softmax_swing.py --write-results   # also docs/results/...json
"""
import math

from _results import recording, save  # examples/_results.py

import tinynet as tn

LOGITS = [3.2, 1.8, 0.5]


def softmax(logits: list) -> list:
    return tn.tensor(logits, dtype=tn.float64).softmax(dim=0).tolist()


def main() -> None:
    p = softmax(LOGITS)
    gap = LOGITS[0] - LOGITS[1]
    results = {"probabilities": p, "gap": gap, "ratio_top_two": p[0] / p[1],
               "exp_gap": math.exp(gap),
               "swings": {"top_minus_second": p[0] - p[1],
                          "top_minus_rest": p[0] - (1 - p[0]),
                          "top_minus_uniform": p[0] - 1 / len(p),
                          "second_minus_third": p[1] - p[2]}}
    with recording() as printed:
        print(f"softmax({LOGITS}) = [" + ", ".join(f"{q:.4f}" for q in p) + "]")
        print(f"gap between the top two logits: {gap:.1f}; their probability ratio "
              f"{p[0] / p[1]:.3f} = e^{gap:.1f} = {math.exp(gap):.3f}")
        for name, value in results["swings"].items():
            print(f"  {name.replace('_', ' '):<20} {value:.4f}")
        print(f"\nthe same gap of {gap:.1f} between the top two, the third logit moved: "
              "p(top) - p(second)")
        results["third_logit"] = {}
        for third in (-math.inf, -2.0, 0.5, 1.0, 1.8):
            q = softmax([3.2, 1.8, third]) if math.isfinite(third) else softmax([3.2, 1.8])
            key = "absent" if not math.isfinite(third) else f"{third:g}"
            results["third_logit"][key] = {"p_top": q[0], "p_second": q[1],
                                           "difference": q[0] - q[1]}
            print(f"  third logit {key:>6}: p = {q[0]:.3f} vs {q[1]:.3f}, difference "
                  f"{q[0] - q[1]:.3f}")
    save("softmax_swing", {"logits": LOGITS, "dtype": "float64"}, results, printed.text())


if __name__ == "__main__":
    main()
