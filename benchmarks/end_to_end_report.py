"""The Markdown report of benchmarks/end_to_end.py, from its results."""


# ---- the report ---------------------------------------------------------------------------
def cli_table(results: dict) -> list:
    """Markdown lines for experiment 1."""
    cli, cfg = results["breakdown"]["cli"], results["settings"]["cli_defaults"]
    args = " ".join(results["settings"]["cli_args"]) or "(defaults)"
    return [f"## 1. `tinynet compare {args}` from the shell", "",
            f"Defaults: {cfg['dataset']}, {len(cfg['activations'])} activations × "
            f"{cfg['seeds']} seeds, depth {cfg['depth']} × {cfg['width']}, {cfg['epochs']} "
            f"epochs, Adam lr {cfg['lr']}, batch {cfg['batch_size']}, {cfg['jobs']} jobs.", "",
            "| command | wall s | compare_activations s (its own figure) | start-up, imports, "
            "output s |", "|---|---|---|---|",
            f"| `python -m tinynet compare {args}` | {cli['wall']:.2f} | {cli['inside']:.1f} | "
            f"{cli['outside']:.2f} |", ""]


def _cells(row) -> str:
    """'seconds | ratio' of another library's row, dashes where it has none."""
    if row is None:
        return "– | –"
    return f"{row['seconds']:.2f} | {row['ratio_to_tinynet']:.2f}"


def digits_table(results: dict) -> list:
    """Markdown lines for experiment 2: one row per activation and a total."""
    cfg = results["settings"]["digits"]
    rows = [r for r in results["rows"] if r["experiment"] == "digits"]
    find = {(r["library"], r["activation"]): r for r in rows}
    lines = [f"## 2. {cfg['dataset']}: {len(cfg['activations'])} activations × {cfg['seeds']} "
             f"seeds, MLP {cfg['depth']} × {cfg['width']}, {cfg['epochs']} epochs, Adam lr "
             f"{cfg['lr']}, batch {cfg['batch_size']}", "",
             "One process, one thread, runs one after another; seconds summed over seeds; "
             "÷ tinynet: the library's seconds over tinynet's (above 1: tinynet is faster).", "",
             "| activation | tinynet s | tinynet, no Monitor s | PyTorch s | PyTorch ÷ tinynet "
             "| sklearn s | sklearn ÷ tinynet | test acc tinynet / PyTorch / sklearn |",
             "|---|---|---|---|---|---|---|---|"]
    for a in cfg["activations"]:
        ours, theirs = find[("tinynet", a)], [find.get((lib, a)) for lib in ("pytorch", "sklearn")]
        accs = " / ".join("–" if r is None else f"{r['test_acc_mean']:.3f}"
                          for r in [ours, *theirs])
        lines.append(f"| {a} | {ours['seconds']:.2f} | {ours['seconds_no_monitor']:.2f} | "
                     f"{_cells(theirs[0])} | {_cells(theirs[1])} | {accs} |")
    ours = [r for r in rows if r["library"] == "tinynet"]
    totals = [results["totals"].get(lib) for lib in ("pytorch", "sklearn")]
    lines.append(f"| all (÷ over the same activations) | "
                 f"{sum(r['seconds'] for r in ours):.2f} | "
                 f"{sum(r['seconds_no_monitor'] for r in ours):.2f} | {_cells(totals[0])} | "
                 f"{_cells(totals[1])} | |")
    t = results["totals"]
    lines += ["", f"tinynet's whole comparison: {t['tinynet_1_job']:.2f} s with 1 job; "
              f"{t['tinynet_jobs_fresh_pool']:.2f} s with the CLI's "
              f"{cfg['jobs']} jobs (a fresh worker pool), {t['tinynet_jobs_reused_pool']:.2f} s "
              f"reusing the pool."]
    return lines + [""]


def _share(seconds: float, whole: float) -> str:
    return f"{seconds:.2f} s ({seconds / whole:.0%})"


def breakdown_list(results: dict) -> list:
    """Markdown lines: where tinynet's time goes."""
    b = results["breakdown"]
    one, parts = b["tinynet_1_job"], b["tinynet_1_job"]["parts"]
    whole, mon, pool, up = one["whole"], b["monitor"], b["pool"], b["startup"]
    jobs = pool["jobs"]
    return [
        "## Where tinynet's time goes", "",
        f"The digits comparison with 1 job, one thread: {whole:.2f} s.", "",
        f"- outside the runs (joblib's dispatch, the summaries): "
        f"{_share(parts['outside_runs'], whole)}",
        f"- loading and splitting the data, every run: {_share(parts['data'], whole)}",
        f"- building the models: {_share(parts['model'], whole)}",
        f"- training steps (the Monitor's hooks included): "
        f"{_share(parts['train_steps'], whole)}",
        f"- evaluation after every epoch: {_share(parts['evaluation'], whole)}",
        f"- the rest of fit (set-up and initial probe, snapshots, the Monitor's epoch "
        f"summaries): {_share(parts['fit_other'], whole)}",
        f"- the rest of run_one (the final test prediction, statistics): "
        f"{_share(parts['run_other'], whole)}",
        f"- the Monitor: {mon['on']:.2f} s with it, {mon['off']:.2f} s without "
        f"({mon['difference']:+.2f} s, {mon['difference'] / mon['off']:+.0%}); training "
        f"steps {mon['train_steps_on']:.2f} s against {mon['train_steps_off']:.2f} s",
        f"- {jobs} jobs: {pool['fresh_pool']:.2f} s with a fresh worker pool, "
        f"{pool['reused_pool']:.2f} s reusing it, against {pool['one_job']:.2f} s with 1 job; "
        f"the runs themselves sum to {pool['runs_summed']:.2f} s, {pool['ideal']:.2f} s "
        f"split evenly {jobs} ways: beyond that, {pool['overhead_fresh']:.2f} s with a fresh "
        f"pool (starting it: {pool['pool_start']:.2f} s) and {pool['overhead_reused']:.2f} s "
        f"reusing it (dispatch, runs of unequal length, a core shared with other work)",
        f"- process start-up: `python -c pass` {up['python']:.2f} s, `python -c \"import "
        f"tinynet\"` {up['import_tinynet']:.2f} s (best of a few); `tinynet compare` spent "
        f"{b['cli']['outside']:.2f} s of its {b['cli']['wall']:.2f} s outside "
        f"compare_activations",
        first_runs_line(b),
    ] + [""]


def first_runs_line(b: dict) -> str:
    """One Markdown line: the libraries' first runs in this process, and torch's import."""
    names = {"tinynet": "tinynet", "pytorch": "PyTorch", "sklearn": "scikit-learn"}
    runs = ", ".join(f"{names[lib]} {seconds:.2f} s" for lib, seconds in b["first_runs"].items())
    torch = ("" if b["torch_import"] is None
             else f"; importing PyTorch took {b['torch_import']:.2f} s before that")
    return f"- the first run in this process, one epoch, not in the rows: {runs}{torch}"


def report(results: dict) -> str:
    """The whole Markdown report."""
    m = results["machine"]
    head = ["# tinynet end to end, beside PyTorch eager and scikit-learn", "",
            f"- machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, numpy "
            f"{m['numpy']}, scikit-learn {m['sklearn']}, PyTorch {m['torch'] or 'not installed'}",
            f"- BLAS: {m['blas']}", ""]
    return "\n".join(head + cli_table(results) + digits_table(results)
                     + breakdown_list(results))
