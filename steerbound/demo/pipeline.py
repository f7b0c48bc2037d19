"""``steerbound demo`` as a library function: :func:`run_demo` runs steps 1-7 of the demo.

1. theory summary (``check_all``) and a quick simulation; 2. the organism (cached or trained);
3. steering vectors for both settings with per-layer read accuracy; 4. the ``r_e`` sweep; 5. fits,
measured parameters and bound checks; 6. the tradeoff (frontier, efficient regime, recommended
coefficient); 7. ``results.csv``, ``results.json``, ``plots/*.png|svg`` and ``report.html``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steerbound.demo.analyze import analyze_setting
from steerbound.demo.config import SETTINGS, DemoConfig
from steerbound.demo.measure import measure_setting
from steerbound.demo.outputs import write_outputs
from steerbound.organism import get_organism
from steerbound.report.simulation_plots import run_simulation_with_figures as run_simulation
from steerbound.theory import check_all, format_check_table


@dataclass
class DemoResult:
    """What a demo run produced: output paths, timings (seconds per step) and the per-setting
    measurements and analyses, plus the theory and simulation summaries; ``errors`` maps a
    step that raised (theory, simulation) to its traceback."""

    config: DemoConfig
    out_dir: Path
    files: dict[str, Path]
    timings: dict[str, float]
    organism: Any
    measurements: dict[str, Any]
    analyses: dict[str, Any]
    theory: dict[str, Any] = field(default_factory=dict)
    simulation: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _guarded(result: DemoResult, step: str, fn: Any) -> dict[str, Any]:
    try:
        value: dict[str, Any] = fn()
        return value
    except Exception as error:  # recorded and reported, never silently dropped
        import traceback

        result.errors[step] = "".join(traceback.format_exception(error))
        _log(result.config, f"{step} FAILED: {error!r} (see the report)")
        return {"error": repr(error)}


def _log(config: DemoConfig, message: str) -> None:
    if config.progress:
        print(f"[steerbound demo] {message}", flush=True)


def theory_summary() -> dict[str, Any]:
    """Step 1a: every symbolic check of :mod:`steerbound.theory`, counted by status."""
    from collections import Counter

    records = check_all()
    return {
        "counts": dict(Counter(r.status for r in records)),
        "n_checks": len(records),
        "records": [r.as_dict() for r in records],
        "table": format_check_table(records),
    }


def simulation_summary(config: DemoConfig) -> dict[str, Any]:
    """Step 1b: ``simulate --quick`` (outputs under ``<out>/simulation``)."""

    report = run_simulation(quick=True, seed=config.seed, out_dir=config.out_dir / "simulation")
    return {
        "all_verified_hold": report.all_verified_hold,
        "all_expectations_met": report.all_expectations_met,
        "n_checks": len(report.results),
        "elapsed_s": report.elapsed_s,
        "table": report.summary_table(),
    }


def run_demo(config: DemoConfig) -> DemoResult:
    """Run the whole demo; see the module docstring. Deterministic for a given ``config.seed``
    (organism training, pair splits, vectors and the sweep are all seeded)."""
    import torch

    start = time.perf_counter()
    timings: dict[str, float] = {}
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = DemoResult(config, out, {}, timings, None, {}, {})

    def lap(name: str, t0: float) -> None:
        timings[name] = time.perf_counter() - t0
        _log(config, f"{name}: {timings[name]:.1f} s")

    t0 = time.perf_counter()
    # Step 1 is independent of the rest: an error there is recorded (report, results.json,
    # CLI exit code 1) instead of losing the empirical part of the demo.
    if config.run_theory:
        _log(config, "step 1: theory checks")
        result.theory = _guarded(result, "theory", theory_summary)
    if config.run_simulation:
        _log(config, "step 1: simulate --quick")
        result.simulation = _guarded(result, "simulation", lambda: simulation_summary(config))
    lap("theory_and_simulation", t0)

    t0 = time.perf_counter()
    _log(config, f"step 2: organism ({config.organism_size})")
    organism = get_organism(
        config.organism_size,
        seed=config.seed,
        retrain=config.retrain,
        cache_dir=config.cache_dir,
        progress=config.progress,
    )
    result.organism = organism
    lap("organism", t0)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny model: one thread is faster and machine-independent
    try:
        for name in config.settings:
            spec = SETTINGS[name]
            t0 = time.perf_counter()
            _log(config, f"steps 3-4: vector and sweep, {spec.title}")
            result.measurements[name] = measure_setting(organism, spec, config)
            lap(f"sweep_{name}", t0)
            t0 = time.perf_counter()
            _log(config, f"steps 5-6: assumptions, fits, checks, tradeoff, {spec.title}")
            result.analyses[name] = analyze_setting(result.measurements[name], config)
            lap(f"analysis_{name}", t0)
    finally:
        torch.set_num_threads(threads)

    t0 = time.perf_counter()
    _log(config, "step 7: results, plots and report")
    timings["total_before_outputs"] = time.perf_counter() - start
    result.files = write_outputs(result)
    lap("outputs", t0)
    timings["total"] = time.perf_counter() - start
    _log(config, f"done in {timings['total']:.1f} s: {result.files.get('report', out)}")
    return result
