"""`steerbound empirical extract | sweep | assumptions | fit | plot --config FILE [--out DIR]`.

A thin parser over :mod:`steerbound.pipeline.steps`; torch and transformers are imported
inside ``run`` so that ``steerbound --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steerbound.pipeline.inputs import Run

ACTIONS = ("extract", "sweep", "assumptions", "fit", "plot")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "empirical",
        help="steer a Hugging Face causal LM: extract vectors, sweep r_e, fit, plot",
        description=(
            "extract: build the steering vector of [pairs]/[vector] (saved to OUT/vector); "
            "sweep: sweep every [[datasets]] over the coefficient grid (logit measurements, "
            "OUT/sweep-<dataset>.csv), then the judged generations of [datasets.generation] "
            "and the [humaneval] pass rate (OUT/gen-<name>.csv, gen-<name>-summary.csv); all "
            "resumable; assumptions: measure Assumptions 1-3 (OUT/assumptions-<dataset>.json); "
            "fit: fit the bound forms (OUT/fits.json, fits.csv); plot: every figure as PNG, "
            "SVG and CSV (OUT/plots)."
        ),
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--config", required=True, type=Path, help="TOML experiment config")
    parser.add_argument("--out", type=Path, default=None, help="output dir (default: config's)")
    parser.add_argument("--model", default=None, help="model dir or hub id overriding [model].path")
    parser.add_argument(
        "--allow-network", action="store_true", help="allow downloading the model from the hub"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument(
        "--skip-generation",
        action="store_true",
        help="sweep: only the logit measurements (no judged generations, no HumanEval)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from steerbound.pipeline.config import ConfigError, check_ready, load_config
    from steerbound.pipeline.inputs import Run

    try:
        config = load_config(args.config, command=args.action)
    except (FileNotFoundError, ConfigError) as error:
        print(f"steerbound empirical: {error}")
        return 2
    model_changes: dict[str, Any] = {}
    if args.allow_network:
        model_changes["allow_network"] = True
    if args.model is not None:  # recorded in outputs and store headers like any config value
        model_changes["path"] = args.model
    if model_changes:
        config = dataclasses.replace(
            config, model=dataclasses.replace(config.model, **model_changes)
        )
    try:  # data files, sections and device, before any model loads
        check_ready(config, args.action)
    except (FileNotFoundError, ConfigError) as error:
        print(f"steerbound empirical: {error}")
        return 2
    out: Path = args.out or config.output_dir
    progress = not args.no_progress
    try:
        if args.action in ("fit", "plot"):
            return _fit(config, out) if args.action == "fit" else _plot(config, out)
        run = Run(config, out, progress)
        if args.action == "extract":
            return _extract(run)
        if args.action == "sweep":
            return _sweep(run, generate=not args.skip_generation)
        return _assumptions(run)
    except (FileNotFoundError, ValueError) as error:
        print(f"steerbound empirical {args.action}: {error}")
        return 1


def _extract(run: Run) -> int:
    from steerbound.pipeline import steps

    vector, path = steps.extract(run)
    m = vector.manifest
    print(f"vector ({m.method}, {m.n_pairs} pairs, layers {m.layers}) saved to {path}")
    print("layer  read_accuracy  mean_residual_norm  scale")
    for layer in m.layers:
        print(
            f"{layer:5d}  {m.read_accuracy[layer]:13.3f}  {m.mean_residual_norm[layer]:18.4f}  "
            f"{m.scale[layer]:.4f}"
        )
    return 0


def _sweep(run: Run, *, generate: bool = True) -> int:
    from steerbound.pipeline import artifacts, steps

    _ = run.vector  # a missing vector is reported before the model runs
    for name, csv_path in steps.sweep(run).items():
        print(f"{name}: {csv_path}")
        print(_summary(artifacts.sweep_means(csv_path)))
    if not generate:
        return 0
    for name, found in steps.generate(run).items():
        done = f"{found.computed_units} generated now, {found.skipped_units} already stored"
        print(f"{name} (generations; {done}): {found.table}")
        print(_generation_summary(found.summary_rows))
    return 0


def _generation_summary(rows: list[dict[str, Any]]) -> str:
    """Per-coefficient judged behavior or pass rate with its interval, as a text table."""
    if not rows:
        return "(no rows)"
    counts = "n_positive" in rows[0]
    head = f"r_e      {rows[0]['measurement']:>16s}  {'CI':>17s}  "
    lines = [head + ("  n  +/-/0" if counts else "problems  completions")]
    for r in rows:
        ci = f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
        if counts:
            tail = f"{r['n']:3d}  {r['n_positive']}/{r['n_negative']}/{r['n_unknown']}"
        else:
            tail = f"{r['n_problems']:8d}  {r['n_samples']:11d}"
        lines.append(f"{r['coefficient']:<8g} {r['value']:16.4f}  {ci:>17s}  {tail}")
    return "\n".join(lines)


def _summary(means: dict[str, tuple[Any, Any]]) -> str:
    """Mean of each measurement per coefficient, as a small text table."""
    names = sorted(means)
    by_name = {n: dict(zip(means[n][0].tolist(), means[n][1].tolist(), strict=True)) for n in names}
    coefficients = sorted({c for n in names for c in by_name[n]})
    lines = ["r_e      " + "  ".join(f"{n:>24s}" for n in names)]
    for c in coefficients:
        cells = [f"{by_name[n][c]:24.4f}" if c in by_name[n] else f"{'':>24s}" for n in names]
        lines.append(f"{c:<8g} " + "  ".join(cells))
    return "\n".join(lines)


def _assumptions(run: Run) -> int:
    from steerbound.pipeline import artifacts, steps

    _ = run.vector
    for name, found in steps.measure_assumptions(run).items():
        a1 = found["assumption1"].hidden_fit
        for side, fit in (("r_e>0", a1.positive), ("r_e<0", a1.negative)):
            if fit is not None:
                print(f"{name} A1 {side}: lam = {fit.slope:.4g} (R^2 {fit.r2:.3f})")
        print(f"{name}: {artifacts.assumptions_json(run.out, name)}")
    return 0


def _fit(config: Any, out: Path) -> int:
    from steerbound.pipeline import steps

    fits = steps.fit(config, out)
    for name, by_form in fits.results.items():
        for form, fit in by_form.items():
            params = ", ".join(f"{k}={v:.4g}±{fit.stderr[k]:.2g}" for k, v in fit.params.items())
            print(f"{name} {form}: {params}, R^2={fit.r2:.4f}")
    for name, skipped in fits.skipped.items():
        for form, reason in skipped.items():
            print(f"{name} {form}: {reason}")
    print(f"fits: {out / 'fits.json'}, {out / 'fits.csv'}")
    return 0


def _plot(config: Any, out: Path) -> int:
    from steerbound.pipeline import steps

    paths = steps.plot(config, out)
    for path in paths:
        print(path)
    index = out / "plots" / "index.json"
    print(f"{len(paths)} figures (PNG + SVG + CSV), index: {index}")
    missing = json.loads(index.read_text(encoding="utf-8"))["missing_sources"]
    if missing:
        print("not drawn (run `sweep` / `assumptions` first): " + ", ".join(missing))
    return 0
