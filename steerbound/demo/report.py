"""The demo's ``report.html``, built with :mod:`steerbound.report.html` from a
:class:`~steerbound.demo.pipeline.DemoResult` (its ``summary`` record and its figures)."""

from __future__ import annotations

from typing import Any

from steerbound.report.html import HtmlReport, figure_png, status

REPORT_SECTIONS = (
    "summary",
    "theory",
    "simulation",
    "organism",
    "vectors",
    "behavior",
    "helpfulness",
    "assumptions",
    "fits",
    "bounds",
    "tradeoff",
    "config",
)
INTRO = (
    "Steering adds r_e·v to a hidden state. The theory (arXiv 2401.16332) predicts that behavior "
    "rises like a shifted tanh of r_e while helpfulness falls quadratically near 0; this report "
    "measures both on steerbound's built-in organism, fits the theorems' forms, checks the bounds "
    "on the data and turns the tradeoff into a recommended coefficient."
)
GAP_NOTE = (
    "The normalised two-token behavior is tanh(gap/2) exactly, so the tanh R² measures the "
    "linearity of the logit gap; the gap's own linear-fit R² is {r2:.4f}."
)
BOUNDS_NOTE = (
    "Each verified bound is evaluated with the parameters measured on the same model (per "
    "question) and compared with the measured curve; a violation is a measured point on the "
    "wrong side of the bound. The theorems are exact statements about the softmax under "
    "Assumptions 1-3 (the simulation above shows zero violations when they hold); on a trained "
    "network they hold only approximately: ||delta h|| is linear only for small |r_e| (see "
    "Assumption 1), the direction of delta h turns with r_e while the bounds use one measured "
    "direction, and the margin is measured on finite answer-token sets. Violations here "
    "therefore measure how far the model departs from the hypotheses, not an error in a bound."
)
METHOD_NOTE = (
    "Vectors: 'pca' is RepE PCA (pair differences in a seeded random order within each pair, "
    "recentred, first principal component, unit norm, + towards the positive prompts by "
    "majority vote), the paper's method and the default; 'mean_diff' the normalised mean "
    "difference. Their cosine at the steered layer is shown (both extracted from the same pairs)."
)
TRADEOFF_NOTE = (
    "Efficient regime: the r_e where the marginal alignment gain per unit of helpfulness lost "
    "exceeds 1 on the fitted curves (it starts at 0 unless B(0) is saturated, where the tanh is "
    "flat). Recommended coefficient: the largest r_e whose predicted helpfulness loss stays "
    "within the {budget:.0%} budget, checked against the measured curves."
)


DEGENERATE_NOTE = (
    "{names}: a ≈ 0 (P0 ≈ 1, the model answers correctly at r_e = 0), so b = sqrt(2c/a) is not "
    "identifiable from the data; only the curvature c = a·b²/2 is (shown with its standard "
    "error), and b is not compared with the measured lam·sigma·beta."
)
FLOOR_NOTE = (
    "The paper's 1/k-floor curve (1−2/k)/(1+a+c·r_e²)+1/k is at most 1−1/k = {cap:.3g} (its "
    "value at r_e = 0 with a = 0). Helpfulness over the options is {h0:.3f} at r_e = 0 here, "
    "above that cap, so this curve cannot fit the data (R² {r2:.3g}); it is the paper's "
    "heuristic, not a bound, and the tradeoff predictions use the better-fitting form."
)


def _fit_rows(record: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name, f in record["fits"].items():
        shown = {k: (v, f["stderr"][k]) for k, v in f["params"].items()}
        if "c" in f["derived"]:
            shown["c"] = tuple(f["derived"]["c"])
            if f.get("degenerate"):
                del shown["b"]  # undetermined: only c = a b^2/2 is (see DEGENERATE_NOTE)
        params = ", ".join(
            f"{k}={v:.4g} ± {e:.2g}"
            for k, (v, e) in shown.items()
            if v is not None and e is not None
        )
        note = "degenerate: b not identifiable" if f.get("degenerate") else ""
        rows.append([name, params, f["r2"], note])
    return rows


def _fit_notes(record: dict[str, Any]) -> list[str]:
    """The sentences that go with a setting's fits table (degenerate fits, the 1/k cap)."""
    notes = []
    degenerate = [name for name, f in record["fits"].items() if f.get("degenerate")]
    if degenerate:
        notes.append(DEGENERATE_NOTE.format(names=", ".join(degenerate)))
    for f in record["fits"].values():
        if f["form"] == "helpfulness_floor":
            cap, h0 = 1 - 1 / f["fixed"]["k"], record["helpfulness_options_at_0"]
            if h0 > cap:
                notes.append(FLOOR_NOTE.format(cap=cap, h0=h0, r2=f["r2"]))
    return notes


def _ratio(p: dict[str, Any]) -> Any:
    return p["ratio"] if p.get("identifiable", True) else "not identifiable"


def _tradeoff_rows(settings: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for rec in settings.values():
        reg, rc = rec["tradeoff"]["efficient_regime"], rec["tradeoff"]["recommendation"]
        spans = "; ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in reg["intervals"]) or "none"
        rows.append(
            [
                rec["title"],
                spans,
                reg["r_end"],
                reg["behavior_end"],
                reg["helpfulness_end"],
                rc["r_e"],
                rc["predicted_behavior"],
                rc["measured_behavior"],
                rc["predicted_relative_loss"],
                rc["measured_relative_loss"],
                rc["within_budget"],
            ]
        )
    return rows


def build_report(
    result: Any, figures: dict[str, tuple[Any, str]], png: dict[str, bytes] | None = None
) -> str:
    """The HTML text of ``report.html`` (every section of :data:`REPORT_SECTIONS`); ``png``:
    already-rendered PNG bytes per figure (rendered here when missing)."""
    s, cfg = result.summary, result.config
    rep = HtmlReport("steerbound demo: the alignment-helpfulness tradeoff of steering", INTRO)
    png = png if png is not None else {k: figure_png(f) for k, (f, _) in figures.items()}

    def fig(section: Any, key: str) -> None:
        section.figure(png[key], figures[key][1])

    summary = rep.section("summary", "Summary")
    origin = "trained now" if s["organism"]["trained_now"] else "loaded from the cache"
    total = result.timings.get("total_before_outputs", float("nan"))
    summary.text(f"{total:.1f} s before writing the outputs; the organism was {origin}.")
    rows = [
        [rec["title"], key, t["value"], t["target"], "—" if t["met"] is None else t["met"]]
        for rec in s["settings"].values()
        for key, t in rec["targets"].items()
    ]
    summary.table(["setting", "quantity", "measured", "target", "met"], rows)

    th = rep.section("theory", "1. Theory: symbolic checks")
    if "theory" in result.errors:
        th.markup(f"<p>{status(False, no='the theory checks raised an error')}</p>")
        th.pre(result.errors["theory"])
    elif result.theory:
        th.text(
            f"{result.theory['n_checks']} checks of steerbound.theory: {result.theory['counts']}. "
            "'published (fails)' marks a statement of the paper shown false by a counterexample."
        )
        th.pre(result.theory["table"])
    else:
        th.text("skipped (run_theory=False)")
    sim = rep.section("simulation", "1. Simulation (simulate --quick)")
    if "simulation" in result.errors:
        sim.markup(f"<p>{status(False, no='the simulation raised an error')}</p>")
        sim.pre(result.errors["simulation"])
    elif result.simulation:
        held = status(result.simulation["all_verified_hold"])
        shown = status(result.simulation["all_expectations_met"], "yes", "no")
        sim.markup(
            f"<p>Every verified bound on sampled geometries: {held}; "
            f"every expected failure shown: {shown}.</p>"
        )
        sim.pre(result.simulation["table"])
    else:
        sim.text("skipped (run_simulation=False)")

    org = rep.section("organism", "2. The model organism")
    info = s["organism"]
    org.text(
        f"A Llama trained from scratch on a synthetic world ({info['n_parameters']} parameters, "
        f"vocabulary {info['vocab_size']}), cached in {info['root']}. Held-out diagnostics:"
    )
    diag = info["diagnostics"]
    org.table(["variant", *diag["base"]], [[v, *d.values()] for v, d in diag.items()])

    vec = rep.section("vectors", "3. Steering vectors")
    vec.text(METHOD_NOTE)
    heads = [
        "setting",
        "method",
        "cos(pca, mean_diff)",
        "steered layer",
        "kappa",
        "mean residual norm",
        "r_e unit (absolute)",
    ]
    vrows = []
    for r in s["settings"].values():
        v = r["vector"]
        accuracy = v["read_accuracy"][str(v["layer"])]
        vrows.append(
            [
                r["title"],
                v["method"],
                v["cosine_pca_mean_diff"],
                v["layer"],
                v["kappa"],
                v["mean_residual_norm"],
                v["r_e_unit_abs"],
                v["n_pairs"],
                accuracy,
            ]
        )
    vec.table([*heads, "pairs", "read accuracy (steered layer)"], vrows)
    fig(vec, "read_accuracy")

    beh = rep.section("behavior", "4. Behavior against r_e")
    hlp = rep.section("helpfulness", "4. Helpfulness against r_e")
    asm = rep.section("assumptions", "4. Assumptions 1-3")
    for name in result.measurements:
        fig(beh, f"behavior_{name}")
        fig(beh, f"behavior_metrics_{name}")
        fig(hlp, f"helpfulness_{name}")
        fig(hlp, f"helpfulness_metrics_{name}")
        for key in ("assumption1", "assumption1_small", "assumption2", "assumption3"):
            fig(asm, f"{key}_{name}")

    fits = rep.section("fits", "5. Fits and measured parameters")
    for rec in s["settings"].values():
        fits.text(f"{rec['title']}. " + GAP_NOTE.format(r2=rec["logit_gap_linear"]["r2"]))
        heads = ["fit", "parameters (± standard error; c = a·b²/2)", "R²", "note"]
        fits.table(heads, _fit_rows(rec))
        for note in _fit_notes(rec):
            fits.text(note)
        comparison = [
            [p["name"], p["fitted"], p["fitted_stderr"], p["measured"], _ratio(p)]
            for p in rec["parameter_comparison"]
        ]
        fits.table(["quantity", "fitted", "± stderr", "measured", "fitted / measured"], comparison)
    bounds = rep.section("bounds", "5. Bound checks on the measured data")
    bounds.text(BOUNDS_NOTE)
    checks = [
        [
            rec["title"],
            c["bound"],
            c["n_points"],
            c["n_violations"],
            c["max_violation"],
            c["n_skipped"],
        ]
        for rec in s["settings"].values()
        for c in rec["bound_checks"]
    ]
    heads = ["setting", "bound", "points", "violations", "max violation", "skipped (hypotheses)"]
    bounds.table(heads, checks)

    trade = rep.section("tradeoff", "6. The tradeoff: frontier, efficient regime, coefficient")
    fig(trade, "frontier")
    fig(trade, "marginal_ratio")
    trade.text(TRADEOFF_NOTE.format(budget=cfg.budget))
    heads = [
        "setting",
        "efficient r_e intervals",
        "efficient from 0 up to r_e",
        "B there",
        "H there",
        f"recommended r_e ({cfg.budget:.0%})",
        "B predicted",
        "B measured",
        "loss predicted",
        "loss measured",
        "within budget (measured)",
    ]
    trade.table(heads, _tradeoff_rows(s["settings"]))

    conf = rep.section("config", "7. Configuration, versions and timings")
    methods = sorted({str(r["vector"].get("method")) for r in s["settings"].values()})
    conf.text(
        f"Vector method: {', '.join(methods)} (config vector_method={cfg.vector_method!r}; None: "
        "the organism's default). RepE PCA meets the demo's thresholds on the default organism; "
        "see the DemoConfig docstring for the comparison with mean_diff."
    )
    conf.table(["key", "value"], [[k, str(v)] for k, v in s["config"].items()])
    conf.table(["library", "version"], list(s["versions"].items()))
    conf.table(["step", "seconds"], [[k, v] for k, v in result.timings.items()])
    conf.text(
        "Outputs: results.csv (one row per setting and r_e), results.json (everything in "
        "this report), plots/*.png and plots/*.svg."
    )
    return rep.render()
