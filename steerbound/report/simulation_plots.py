"""Figures of the simulation layer (matplotlib, Agg): bound-vs-exact curves, violation maps.

The data come from :mod:`steerbound.simulate.curves`; this module only draws. The ``plot_*``
functions write one PNG each and return its path; :func:`write_simulation_figures` writes all
three for a run, and :func:`run_simulation_with_figures` is
:func:`steerbound.simulate.run_simulation` followed by it (what ``steerbound simulate`` runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steerbound.simulate import SimulationConfig, SimulationReport
    from steerbound.simulate.curves import CurveSet, ViolationMap

__all__ = [
    "plot_curves",
    "plot_violation_maps",
    "run_simulation_with_figures",
    "write_simulation_figures",
]

_STYLE = {
    "Theorem 1": ("k", "--"),
    "theorem2_parabolic": ("tab:green", "--"),
    "theorem2_jensen": ("tab:blue", ":"),
    "theorem2_tilted": ("tab:cyan", "-."),
    "theorem2_published": ("tab:red", "--"),
    "corollary2_heuristic": ("tab:orange", "-."),
}


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(curves: CurveSet, path: Path, *, columns: int = 2) -> Path:
    """One panel per curve row: the exact quantity (solid, with markers) and every bound."""
    plt = _pyplot()
    ((name, exact),) = curves.exact.items()
    rows = exact.shape[0]
    nrow = (rows + columns - 1) // columns
    fig, axes = plt.subplots(nrow, columns, figsize=(5.2 * columns, 3.6 * nrow), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= rows:
            ax.axis("off")
            continue
        ax.plot(curves.r_e, exact[i], "o-", ms=2.0, color="tab:purple", label=f"exact {name}")
        for bname, b in curves.bounds.items():
            color, ls = _STYLE.get(bname, ("gray", "--"))
            ax.plot(curves.r_e, b[i], ls, color=color, label=bname)
        ax.axvline(0.0, color="0.8", lw=0.8)
        ax.set_title(curves.labels[i] if i < len(curves.labels) else "", fontsize=9)
        ax.set_xlabel("r_e")
        ax.set_ylabel(name)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(curves.title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_violation_maps(maps: list[ViolationMap], path: Path) -> Path:
    """Heat maps of the violation (> 0: the published form fails) over (parameter, r_e)."""
    import numpy as np

    plt = _pyplot()
    fig, axes = plt.subplots(1, len(maps), figsize=(5.0 * len(maps), 4.0), squeeze=False)
    for ax, m in zip(axes.flat, maps, strict=True):
        v = np.where(m.violation > 0, m.violation, np.nan)
        mesh = ax.pcolormesh(m.r_e, m.parameter, v, shading="auto", cmap="magma_r")
        ax.contour(m.r_e, m.parameter, m.violation, levels=[0.0], colors="k", linewidths=0.8)
        if m.parameter.min() > 0 and m.parameter.max() / m.parameter.min() > 100:
            ax.set_yscale("log")
        fig.colorbar(mesh, ax=ax, label="violation (blank: holds)")
        ax.set_xlabel("lam * r_e")
        ax.set_ylabel(m.parameter_name)
        ax.set_title(f"{m.name}: max {np.nanmax(m.violation):.3g}", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_simulation_figures(config: SimulationConfig, out_dir: Path) -> dict[str, str]:
    """``behavior_curves.png``, ``helpfulness_curves.png`` and ``violation_maps.png`` in
    ``out_dir``; returns ``{file name: path}``."""
    from steerbound.simulate.curves import behavior_curves, helpfulness_curves, violation_maps

    out_dir = Path(out_dir)
    return {
        "behavior_curves.png": str(
            plot_curves(behavior_curves(config), out_dir / "behavior_curves.png")
        ),
        "helpfulness_curves.png": str(
            plot_curves(helpfulness_curves(config), out_dir / "helpfulness_curves.png")
        ),
        "violation_maps.png": str(
            plot_violation_maps(violation_maps(), out_dir / "violation_maps.png")
        ),
    }


def run_simulation_with_figures(**kwargs: Any) -> SimulationReport:
    """:func:`steerbound.simulate.run_simulation` (same arguments), then the figures in its
    ``out_dir`` (none without one); their paths are added to the report's ``files``."""
    from steerbound.simulate import run_simulation

    report = run_simulation(**kwargs)
    out_dir = kwargs.get("out_dir")
    if out_dir is not None:
        report.files.update(write_simulation_figures(report.config, Path(out_dir)))
    return report
