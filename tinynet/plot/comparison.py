"""The figure of a compare_activations result."""
import numpy as np

from tinynet.plot._style import OKABE_ITO, display_name, finish, new_figure, share_axis


def comparison(result, path=None):
    """A ``compare_activations`` result: test accuracy (mean ± std over seeds) against
    chance level; the first/last Linear gradient-norm ratio (epoch 1) as points on a log
    axis around 1 (no vanishing or exploding), the geometric mean with each seed's ratio
    beside it; the dead and saturated shares, each seed's marked on its bar."""
    rows, settings = result.rows, result.settings
    names = [display_name(r["activation"]) for r in rows]
    x = np.arange(len(rows))
    fig = new_figure("comparison", figsize=(15, 4.8), layout="constrained")
    ax_acc, ax_grad, ax_units = fig.subplots(1, 3)

    means = np.array([r["test_acc_mean"] for r in rows])
    trained = np.isfinite(means)
    ax_acc.bar(x[trained], means[trained], color="tab:blue", alpha=0.8, capsize=3,
               yerr=np.array([r["test_acc_std"] for r in rows])[trained])
    n_seeds = len(settings.get("seeds", [])) or None
    for k, (mean, r) in enumerate(zip(means, rows)):
        if not trained[k]:  # every seed diverged in its first epoch: nothing trained
            ax_acc.text(k, 0.5, "not measured (diverged)", rotation=90, ha="center",
                        va="center", fontsize=9, color="0.3")
            continue
        ax_acc.text(k, mean - 0.03, f"{mean:.2f}", ha="center", va="top", color="white",
                    fontsize=9)
        if r.get("diverged"):  # said on the bar: its mean is over the seeds that trained
            of = f"/{n_seeds}" if n_seeds else ""
            ax_acc.text(k, min(mean + r["test_acc_std"], 1.0) + 0.01,
                        f"{r['diverged']}{of} diverged", ha="center", va="bottom",
                        fontsize=8, color="tab:red")
    if settings.get("n_classes"):
        chance = 1 / settings["n_classes"]
        ax_acc.axhline(chance, color="black", ls=":", lw=1.5, label="chance")
        # named on a right-hand axis of its own, at its level: inside the plot the name
        # would cover a bar or an error bar
        level = ax_acc.secondary_yaxis("right")
        level.set_yticks([chance], labels=[f"chance 1/{settings['n_classes']}"], fontsize=8)
    ax_acc.set(title="test accuracy (mean ± std over seeds)", ylim=(0, 1.05),
               ylabel="accuracy", xlim=(-0.5, len(rows) - 0.5))

    ratios = np.array([r["grad_ratio"] for r in rows])
    seeds = _per_seed(result, rows)
    every = np.concatenate([ratios, [r["grad_ratio"] for runs in seeds for r in runs]])
    finite = every[np.isfinite(every) & (every > 0)]  # the means' and each seed's: all drawn
    low, high = min(finite.min(initial=1), 1), max(finite.max(initial=1), 1)
    drawn = np.isfinite(ratios) & (ratios > 0)
    ax_grad.plot(x[drawn], ratios[drawn], "o", color="tab:orange", markersize=9)
    for k, ratio in enumerate(ratios):  # beside the point: clear of the line at 1
        if not np.isfinite(ratio):
            # every seed diverged before its first epoch ended, or the norms themselves
            # overflowed (inf / inf): measured, and no number
            diverged_all = n_seeds is not None and rows[k].get("diverged") == n_seeds
            ax_grad.annotate("not measured" if diverged_all else "no ratio:\nnorms\ninf or nan",
                             (k, 1), textcoords="offset points", xytext=(0, 12),
                             ha="center", fontsize=9, color="0.3")
        elif ratio <= 0:  # no gradient at all reached the first layer: below any log axis
            ax_grad.plot([k], [low / 2.5], "v", color="tab:orange", markersize=9)
            ax_grad.annotate("0: no\ngradient", (k, low / 2.5), textcoords="offset points",
                             xytext=(0, 8), ha="center", va="bottom", fontsize=9)
        else:
            ax_grad.annotate(f"{ratio:.2g}", (k, ratio), textcoords="offset points",
                             xytext=(8, 0), va="center", fontsize=9)
    named = False  # (one legend entry for the seeds)
    for k, runs in enumerate(seeds):  # each seed beside the geometric mean: its spread
        shown = [r["grad_ratio"] for r in runs
                 if np.isfinite(r["grad_ratio"]) and r["grad_ratio"] > 0]
        if len(shown) > 1:
            ax_grad.plot(np.full(len(shown), k - 0.15), shown, "o", mfc="none", ms=5,
                         color="tab:orange", alpha=0.8,
                         label="_seeds" if named else "each seed (● geometric mean)")
            named = True
    ax_grad.axhline(1, color="black", ls="--", lw=1, label="1: same norm first and last")
    ax_grad.set(yscale="log", ylim=(low / 4, high * 4), xlim=(-0.5, len(rows) - 0.5),
                title="gradient norm, first / last Linear (epoch 1)",
                ylabel="‖∂L/∂W₁‖ / ‖∂L/∂W_last‖ (log)")
    ax_grad.legend(fontsize=8, loc="best")  # (clear of the points and their names)

    width = 0.38
    ax_units.bar(x - width / 2, [r["dead_rate"] for r in rows], width, color=OKABE_ITO[5],
                 label="dead units")
    ax_units.bar(x + width / 2, [r["saturation_rate"] for r in rows], width,
                 color=OKABE_ITO[4], label="saturated (sample, unit);\nfor ReLU: z ≤ 0, about "
                 "half is usual")
    named = False
    for k, runs in enumerate(seeds):  # each seed's share on its bar: the spread
        for offset, key in ((-width / 2, "dead_rate"), (width / 2, "saturation_rate")):
            shown = [r[key] for r in runs if np.isfinite(r[key])]
            if len(shown) > 1:
                ax_units.plot(np.full(len(shown), k + offset), shown, "_", ms=10, mew=1.5,
                              color="black", label="_seeds" if named else "each seed")
                named = True
    for k, r in enumerate(rows):  # every seed diverged before its first epoch ended
        if not (np.isfinite(r["dead_rate"]) and np.isfinite(r["saturation_rate"])):
            ax_units.text(k, 0.5, "not measured", rotation=90, ha="center", va="center",
                          fontsize=9, color="0.3")
    ax_units.set(title="dead and saturated (last epoch, mean over layers)",
                 ylabel="share", xlim=(-0.5, len(rows) - 0.5))
    share_axis(ax_units)
    ax_units.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # (clear of the bars)
    for ax in (ax_acc, ax_grad, ax_units):
        ax.set_xticks(x, names, rotation=30)
        ax.grid(alpha=0.3, axis="y", which="both")
    fig.suptitle(_settings_title(settings), fontsize=13)
    return finish(fig, path, "comparison")


def _per_seed(result, rows: list) -> list:
    """Per row, the runs of its activation (one per seed), when the result holds them."""
    runs = getattr(result, "runs", None) or []
    return [[r for r in runs if r["activation"] == row["activation"]] for row in rows]


def _settings_title(settings: dict) -> str:
    """"moons · depth 8 × width 32 · no norm · Adam lr 0.01 · 30 epochs · 3 seeds"."""
    parts = [str(settings["dataset"])] if settings.get("dataset") else []
    if settings.get("depth") is not None and settings.get("width") is not None:
        parts.append(f"depth {settings['depth']} × width {settings['width']}")
    parts.append(display_name(settings["norm"]) if settings.get("norm") else "no norm")
    # compare_activations trains with fit's default optimizer, Adam
    optimizer = display_name(settings.get("optimizer_name") or "adam")
    parts.append(f"{optimizer} lr {settings['lr']:g}" if settings.get("lr") else optimizer)
    for key, unit in (("epochs", "epoch"), ("seeds", "seed")):
        count = settings.get(key)
        count = len(count) if isinstance(count, (list, tuple)) else count
        if count is not None:
            parts.append(f"{count} {unit}" + ("s" if count != 1 else ""))
    return " · ".join(parts)
