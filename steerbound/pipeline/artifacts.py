"""Every result file of a pipeline run, read and written here (JSON without pickle, tidy CSV).

In ``<out_dir>``: ``vector/`` (:meth:`~steerbound.empirical.vectors.vector.SteeringVector.save`),
``sweep-<dataset>-<hash>.jsonl`` and ``gen-<name>-<hash>.jsonl`` (resumable stores of
:class:`~steerbound.empirical.sweeps.store.SweepStore`), their tidy exports
``sweep-<dataset>.csv`` and ``gen-<name>.csv`` (+ ``.config.json``), the generation summaries
``gen-<name>-summary.csv``, ``assumptions-<dataset>.json``, ``fits.json`` / ``fits.csv`` /
``fits.config.json`` and ``plots/`` (``<stem>.png``, ``.svg``, ``.csv`` per figure and
``index.json``). JSON goes through :mod:`steerbound._codec` (non-finite floats as ``null``, read
back as NaN), so results re-read by a later step are the dataclasses that were written.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from steerbound._codec import decode, encode
from steerbound.empirical.analysis.fits import FitResult
from steerbound.empirical.measure.assumptions import (
    Assumption1Result,
    Assumption2Result,
    Assumption3Result,
)

ASSUMPTION_RESULTS: dict[str, type] = {
    "assumption1": Assumption1Result,
    "assumption2": Assumption2Result,
    "assumption3": Assumption3Result,
}


def sweep_csv(out: Path, dataset: str) -> Path:
    """The tidy CSV of a dataset's logit sweep."""
    return out / f"sweep-{dataset}.csv"


def generation_summary_csv(out: Path, name: str) -> Path:
    """The per-coefficient summary of a generation sweep (judged behavior or pass rate)."""
    return out / f"gen-{name}-summary.csv"


def assumptions_json(out: Path, dataset: str) -> Path:
    """The assumption measurements of a dataset."""
    return out / f"assumptions-{dataset}.json"


def write_json(path: Path, value: Any, *, indent: int = 1, sort_keys: bool = False) -> Path:
    """``value`` (dataclasses, arrays, numpy scalars allowed) as JSON text at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(encode(value), indent=indent, sort_keys=sort_keys) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: invalid JSON: {error}") from None


def write_assumptions(out: Path, dataset: str, found: dict[str, Any]) -> Path:
    """Write ``{"assumption1": Assumption1Result, ...}`` of one dataset."""
    return write_json(assumptions_json(out, dataset), found)


def load_assumptions(path: Path) -> dict[str, Any]:
    """``{"assumption1": Assumption1Result, ...}`` from an ``assumptions-<dataset>.json``."""
    data = _read_json(path)
    return {
        k: decode(ASSUMPTION_RESULTS[k], v, f"{path} {k}")
        for k, v in data.items()
        if k in ASSUMPTION_RESULTS
    }


@dataclass(frozen=True)
class Fits:
    """The fits of a run: ``results[name][form]``, and ``skipped[name][form]`` = the reason a
    fit was not made (too few finite points, constant data, no convergence, missing input)."""

    results: dict[str, dict[str, FitResult]]
    skipped: dict[str, dict[str, str]]


def write_fits(out: Path, fits: Fits, config: dict[str, Any]) -> None:
    """``fits.json`` (the fits), ``fits.csv`` (tidy: one row per parameter) and
    ``fits.config.json`` (the config and the skipped fits with their reasons)."""
    write_json(out / "fits.json", fits.results)
    with (out / "fits.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "form", "parameter", "value", "stderr", "r2", "n"])
        for name, by_form in fits.results.items():
            for form, fit in by_form.items():
                values = {k: (v, fit.stderr[k]) for k, v in fit.params.items()}
                values.update(fit.derived)
                for param, (value, err) in values.items():
                    writer.writerow([name, form, param, value, err, fit.r2, fit.n])
    sidecar = {"csv": "fits.csv", "config": config, "skipped": fits.skipped}
    write_json(out / "fits.config.json", sidecar, indent=2, sort_keys=True)


def load_fits(out: Path) -> Fits:
    """The fits written by :func:`write_fits` (``fit`` must have run)."""
    path = out / "fits.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; run `fit` first")
    results = {
        name: {form: decode(FitResult, fit, f"{path} {name}.{form}") for form, fit in by.items()}
        for name, by in _read_json(path).items()
    }
    sidecar = out / "fits.config.json"
    skipped = _read_json(sidecar)["skipped"] if sidecar.is_file() else {}
    return Fits(results, skipped)


def sweep_means(csv_path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{measurement: (coefficients, mean over prompts)}`` from a tidy sweep CSV."""
    values: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["value"] not in ("", "None"):
                values[row["measurement"]][float(row["coefficient"])].append(float(row["value"]))
    result = {}
    for name, by_r in values.items():
        grid = np.array(sorted(by_r))
        result[name] = (grid, np.array([np.mean(by_r[r]) for r in grid]))
    return result


def summary_points(csv_path: Path) -> dict[str, np.ndarray]:
    """Columns ``coefficient``, ``value``, ``ci_low``, ``ci_high`` of a generation summary CSV
    (``gen-<name>-summary.csv``) as float arrays (NaN where a value is empty)."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = ("coefficient", "value", "ci_low", "ci_high")

    def number(text: str | None) -> float:
        return float(text) if text not in (None, "", "None") else math.nan

    return {c: np.array([number(r.get(c)) for r in rows], dtype=np.float64) for c in columns}


def save_figure(
    fig: Any, stem: Path, rows: Iterable[Sequence[Any]], columns: Sequence[str]
) -> Path:
    """Write ``stem.png`` (120 dpi), ``stem.svg`` and the plotted points as ``stem.csv``."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(stem.with_suffix(".png"), dpi=120)
    fig.savefig(stem.with_suffix(".svg"))
    with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return stem.with_suffix(".png")


def write_plot_index(folder: Path, payload: dict[str, Any]) -> Path:
    """``plots/index.json``: the config, what each figure shows, the sources not found."""
    return write_json(folder / "index.json", payload, indent=2)
