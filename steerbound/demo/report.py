"""The demo's figures and its ``report.html`` (built with :mod:`steerbound.report.html`).

Figures are analogues of the paper's: 4 (behavior vs ``r_e`` with the tanh fit), 5 (helpfulness
vs ``r_e`` with the parabolic fits), 6-12 (assumption plots), plus the tradeoff frontier.
"""

from __future__ import annotations

from typing import Any

from steerbound.report.html import HtmlReport, figure_png, status

REPORT_SECTIONS = ("summary", "theory", "simulation", "organism", "vectors", "behavior",
                   "helpfulness", "assumptions", "fits", "bounds", "tradeoff", "config")  # fmt: skip


def build_figures(result: Any) -> dict[str, tuple[Any, str]]:
    """``{file stem: (Figure, caption)}`` for every plot of the demo."""
    from steerbound.report import demo_plots as dp
    from steerbound.report import empirical_plots as ep

    figs: dict[str, tuple[Any, str]] = {}
    for name, m in result.measurements.items():
        a, t = result.analyses[name], m.spec.title
        r, k = m.r_e, m.option_ids.shape[1]
        figs[f"behavior_{name}"] = (ep.plot_behavior_fit(r, m.behavior.mean(axis=1), a.behavior_fit, title=f"Behavior: {t}"),
                                    f"Fig. 4 analogue ({t}): behavior expectation (first-token, normalised) and the tanh fit.")  # fmt: skip
        figs[f"behavior_metrics_{name}"] = (dp.plot_behavior_metrics(r, m.behavior.mean(axis=1), m.behavior_full.mean(axis=1), m.judged, title=f"Behavior by metric: {t}"),
                                            f"{t}: behavior from first-token probabilities and from judged greedy generations (95% Wilson interval).")  # fmt: skip
        fits = [
            a.helpfulness_fits["parabolic (options)"],
            a.helpfulness_fits["floor 1/k (options)"],
        ]
        figs[f"helpfulness_{name}"] = (ep.plot_helpfulness_fits(r, m.p_correct_options.mean(axis=1), fits, k=k, ylabel="P(correct), normalised over the options", title=f"Helpfulness: {t}"),
                                       f"Fig. 5 analogue ({t}): helpfulness over the options with the parabolic (Theorem 2) and 1/k-floor fits.")  # fmt: skip
        curves = {"P(correct) over options": m.p_correct_options.mean(axis=1), "P(correct) full vocabulary": m.p_correct_full.mean(axis=1),
                  "accuracy (argmax over options)": m.correct_options.mean(axis=1), "accuracy (greedy token)": m.correct_greedy.mean(axis=1)}  # fmt: skip
        figs[f"helpfulness_metrics_{name}"] = (dp.plot_helpfulness_metrics(r, curves, k=k, title=f"Helpfulness by metric: {t}"),
                                               f"{t}: the three helpfulness metrics; over the full vocabulary P(correct) falls towards 0 as mass leaves the options.")  # fmt: skip
        figs[f"assumption1_{name}"] = (ep.plot_assumption1(a.assumption1), f"Figs. 6-7 analogue ({t}): ||Δh|| of the final hidden state (hidden units) and ||UΔh|| (logit units) against r_e, fitted on all points per side.")  # fmt: skip
        figs[f"assumption1_small_{name}"] = (ep.plot_assumption1(a.assumption1_small), f"{t}: the same, fitted within |r_e| <= {result.config.small_r:g} (slope = lam).")  # fmt: skip
        figs[f"assumption2_{name}"] = (ep.plot_assumption2(a.assumption2), f"Figs. 8-9 analogue ({t}): projections of the aligned/misaligned answer tokens on Δh and the margin Delta.")  # fmt: skip
        figs[f"assumption3_{name}"] = (ep.plot_assumption3(a.assumption3), f"Figs. 10-12 analogue ({t}): projections of (u_t - u_correct) on Δh for the top-10 tokens: histogram, QQ plot, std against r_e (slope = lam*sigma).")  # fmt: skip
    acc = {n: m.read_accuracy for n, m in result.measurements.items()}
    figs["read_accuracy"] = (dp.plot_read_accuracy(acc, {n: m.layer for n, m in result.measurements.items()}),
                             "Read accuracy of the vector at every layer (held-out pairs); the steered layer is outlined.")  # fmt: skip
    an = result.analyses
    figs["frontier"] = (dp.plot_frontier({n: a.frontier for n, a in an.items()}, {n: a.recommendation for n, a in an.items()}, {n: a.regime for n, a in an.items()}),
                        "The tradeoff frontier: behavior against helpfulness as r_e grows along the steering direction; bold: the efficient regime; star: the recommended coefficient.")  # fmt: skip
    figs["marginal_ratio"] = (dp.plot_marginal_ratio({n: a.regime for n, a in an.items()}),
                              "Marginal alignment gain per unit of helpfulness lost on the fitted curves; the efficient regime ends where it falls below 1 (dotted).")  # fmt: skip
    return figs


def _fit_rows(record: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name, f in record["fits"].items():
        params = ", ".join(
            f"{k}={v:.4g} ± {f['stderr'][k]:.2g}"
            for k, v in f["params"].items()
            if v is not None and f["stderr"][k] is not None
        )
        rows.append([name, params, f["r2"]])
    return rows


def build_report(
    result: Any, figures: dict[str, tuple[Any, str]], png: dict[str, bytes] | None = None
) -> str:
    """The HTML text of ``report.html`` (every section of :data:`REPORT_SECTIONS`); ``png``:
    already-rendered PNG bytes per figure (rendered here when missing)."""
    s, cfg = result.summary, result.config
    rep = HtmlReport("steerbound demo: the alignment-helpfulness tradeoff of steering",
                     "Steering adds r_e·v to a hidden state. The theory (arXiv 2401.16332) predicts that behavior rises like a shifted tanh of r_e "
                     "while helpfulness falls quadratically near 0; this report measures both on steerbound's built-in organism, fits the theorems' forms, "
                     "checks the bounds on the data and turns the tradeoff into a recommended coefficient.")  # fmt: skip
    png = png if png is not None else {k: figure_png(f) for k, (f, _) in figures.items()}

    def fig(sec: Any, key: str) -> None:
        sec.figure(png[key], figures[key][1])

    summary = rep.section("summary", "Summary")
    rows = []
    for name, rec in s["settings"].items():
        for key, t in rec["targets"].items():
            rows.append(
                [rec["title"], key, t["value"], t["target"], "—" if t["met"] is None else t["met"]]
            )
    summary.text(
        f"Total time {result.timings.get('total_before_outputs', float('nan')):.1f} s before writing outputs; organism {'trained now' if s['organism']['trained_now'] else 'loaded from the cache'}."
    )
    summary.table(["setting", "quantity", "measured", "target", "met"], rows)
    th = rep.section("theory", "1. Theory: symbolic checks")
    if result.theory:
        th.text(
            f"{result.theory['n_checks']} checks of steerbound.theory: {result.theory['counts']}. 'published (fails)' marks statements of the paper shown false by a counterexample."
        )
        th.pre(result.theory["table"])
    else:
        th.text("skipped (run_theory=False)")
    sim = rep.section("simulation", "1. Simulation (simulate --quick)")
    if result.simulation:
        sim.markup(
            f"<p>Every verified bound holds on sampled geometries: {status(result.simulation['all_verified_hold'])}; every expected failure shown: {status(result.simulation['all_expectations_met'], 'yes', 'no')}.</p>"
        )
        sim.pre(result.simulation["table"])
    else:
        sim.text("skipped (run_simulation=False)")
    org = rep.section("organism", "2. The model organism")
    info = s["organism"]
    org.text(
        f"Llama trained from scratch on a synthetic world ({info['n_parameters']} parameters, vocabulary {info['vocab_size']}), cached in {info['root']}."
    )
    org.table(
        ["variant", *info["diagnostics"]["base"].keys()],
        [[v, *d.values()] for v, d in info["diagnostics"].items()],
    )
    vec = rep.section("vectors", "3. Steering vectors")
    vec.table(["setting", "steered layer", "kappa", "mean residual norm", "r_e unit (abs.)", "pairs", "read accuracy (steered layer)"],
              [[r["title"], r["vector"]["layer"], r["vector"]["kappa"], r["vector"]["mean_residual_norm"], r["vector"]["r_e_unit_abs"], r["vector"]["n_pairs"],
                r["vector"]["read_accuracy"][str(r["vector"]["layer"])]] for r in s["settings"].values()])  # fmt: skip
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
        fits.text(
            f"{rec['title']}: fitted forms (± standard errors). The normalised two-token behavior is tanh(gap/2) exactly, so the tanh R² measures the linearity of the logit gap (its linear-fit R² = {rec['logit_gap_linear']['r2']:.4f})."
        )
        fits.table(["fit", "parameters", "R²"], _fit_rows(rec))
        fits.table(["quantity", "fitted", "± stderr", "measured from the assumptions", "fitted / measured"],
                   [[p["name"], p["fitted"], p["fitted_stderr"], p["measured"], p["ratio"]] for p in rec["parameter_comparison"]])  # fmt: skip
    bounds = rep.section("bounds", "5. Bound checks on the measured data")
    bounds.text(
        "Each verified bound is evaluated with the parameters measured on the same model (per question) and compared with the measured curve; a violation is a measured point on the wrong side of the bound."
    )
    bounds.table(["setting", "bound", "points", "violations", "max violation", "skipped (outside hypotheses)"],
                 [[rec["title"], c["bound"], c["n_points"], c["n_violations"], c["max_violation"], c["n_skipped"]]
                  for rec in s["settings"].values() for c in rec["bound_checks"]])  # fmt: skip
    trade = rep.section(
        "tradeoff", "6. The tradeoff: frontier, efficient regime, recommended coefficient"
    )
    fig(trade, "frontier")
    fig(trade, "marginal_ratio")
    rows = []
    for rec in s["settings"].values():
        reg, rc = rec["tradeoff"]["efficient_regime"], rec["tradeoff"]["recommendation"]
        rows.append([rec["title"], reg["r_end"], reg["behavior_end"], reg["helpfulness_end"], rc["r_e"], rc["predicted_behavior"], rc["measured_behavior"],
                     rc["predicted_relative_loss"], rc["measured_relative_loss"], rc["within_budget"]])  # fmt: skip
    trade.text(
        f"Efficient regime: alignment gain per unit of helpfulness lost > 1 on the fitted curves (from r_e = 0 to the end). Recommended coefficient: the largest r_e whose predicted helpfulness loss stays within the {cfg.budget:.0%} budget, checked against the measured curves."
    )
    trade.table(["setting", "efficient up to r_e", "B there", "H there", f"recommended r_e ({cfg.budget:.0%})", "B predicted", "B measured",
                 "loss predicted", "loss measured", "within budget (measured)"], rows)  # fmt: skip
    conf = rep.section("config", "7. Configuration, versions and timings")
    conf.table(["key", "value"], [[k, str(v)] for k, v in s["config"].items()])
    conf.table(["library", "version"], list(s["versions"].items()))
    conf.table(["step", "seconds"], [[k, v] for k, v in result.timings.items()])
    conf.text(
        "Outputs: results.csv (one row per setting and r_e), results.json (everything in this report), plots/*.png and *.svg."
    )
    return rep.render()
