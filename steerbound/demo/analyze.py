"""Steps 5 and 6 of the demo for one setting: assumptions, fits, bound checks, tradeoff.

Every measurement, fit and check is a function of :mod:`steerbound.empirical`; this module only
decides what is fed to what. Parameters measured from the assumptions (per question where the
bound needs it): ``lam`` = slope of ``||Δh||`` against ``|r_e|`` within ``|r_e| <= small_r``
(relative units, mean of the two sides), ``Delta`` = Assumption 2's minimum-over-pairs margin at
the smallest positive ``r_e``, ``lam*sigma`` = slope of the std of Assumption 3's logit
differences, ``beta`` = Theorem 2's ``beta`` (question mean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from steerbound.demo.config import DemoConfig
from steerbound.demo.measure import SettingMeasurements
from steerbound.empirical import (
    fit_behavior_tanh,
    fit_helpfulness_floor,
    fit_helpfulness_parabolic,
)
from steerbound.empirical.analysis import tradeoff as tr
from steerbound.empirical.analysis.bound_checks import (
    check_theorem1,
    check_theorem2,
    compare_parameters,
)
from steerbound.empirical.analysis.fits import linear_fit
from steerbound.empirical.measure.assumptions import (
    linearity_range,
    measure_assumption1,
    measure_assumption2,
    measure_assumption3,
    measure_theorem2_parameters,
    select_answer_tokens,
)


@dataclass
class SettingAnalysis:
    """Fits, assumption measurements, bound checks and the tradeoff of one setting."""

    behavior_fit: Any
    gap_fit: Any
    helpfulness_fits: dict[str, Any]
    assumption1: Any
    assumption1_small: Any
    linearity: Any
    assumption2: Any
    assumption3: Any
    parameters: list[Any]
    measured: dict[str, float]
    bound_checks: list[Any]
    direction: int
    prediction_fit: str
    frontier: Any
    regime: Any
    recommendation: Any


def _mean_side_slope(side_fits: Any) -> float:
    slopes = [f.slope for f in (side_fits.positive, side_fits.negative) if f is not None]
    return float(np.mean(slopes)) if slopes else float("nan")


def analyze_setting(m: SettingMeasurements, config: DemoConfig) -> SettingAnalysis:
    """Analyse the measurements of one setting (see the module docstring)."""

    r, U = m.r_e, m.unembedding
    behavior, help_opt = m.behavior.mean(axis=1), m.p_correct_options.mean(axis=1)
    behavior_fit = fit_behavior_tanh(r, behavior)
    gap_fit = linear_fit(r, m.logit_gap.mean(axis=1), through_origin=False)
    helpfulness_fits = {
        "parabolic (options)": fit_helpfulness_parabolic(r, help_opt),
        "floor 1/k (options)": fit_helpfulness_floor(r, help_opt, k=m.option_ids.shape[1]),
        "parabolic (full vocabulary)": fit_helpfulness_parabolic(r, m.p_correct_full.mean(axis=1)),
    }
    a1 = measure_assumption1(r, m.h_questions, m.h0_questions, U)
    a1_small = measure_assumption1(r, m.h_questions, m.h0_questions, U, max_abs_r=config.small_r)
    linearity = linearity_range(r, a1.hidden_norm, threshold=0.98)
    a1_behavior = measure_assumption1(r, m.h_behavior, m.h0_behavior, U, max_abs_r=config.small_r)
    tokens = select_answer_tokens(m.logits0_behavior, [m.positive_id], [m.negative_id])
    a2 = measure_assumption2(r, m.h_behavior, m.h0_behavior, U, tokens)
    correct_ids = m.option_ids[np.arange(len(m.correct)), m.correct]
    a3 = measure_assumption3(
        r,
        m.h_questions,
        m.h0_questions,
        U,
        correct_ids,
        k=10,
        unsteered_logits=m.logits0_questions,
        max_abs_r=config.small_r,
    )
    t2 = measure_theorem2_parameters(
        r,
        m.h_questions,
        m.h0_questions,
        U,
        m.correct,
        k=m.option_ids.shape[1],
        candidate_ids=m.option_ids,
    )
    lam = _mean_side_slope(a1_small.hidden_fit)
    measured = {
        "lam": lam,
        "Delta": a2.delta_min,
        "lam*sigma": _mean_side_slope(a3.std_fit),
        "beta": float(np.mean([p.beta for p in t2])),
        "lam_behavior_prompts": _mean_side_slope(a1_behavior.hidden_fit),
    }
    parameters = compare_parameters(
        behavior_fit,
        helpfulness_fits["parabolic (options)"],
        lam=lam,
        delta=measured["Delta"],
        lam_sigma=measured["lam*sigma"],
        beta=measured["beta"],
    )
    lam_b = np.nanmean(
        measure_assumption1(
            r, m.h_behavior, m.h0_behavior, max_abs_r=config.small_r
        ).lam_per_question,
        axis=0,
    )
    b0 = m.behavior[np.flatnonzero(r == 0)[0]]
    checks = [check_theorem1(r, m.behavior, b0, lam_b, a2.delta_per_question)]
    lam_q = np.nanmean(a1_small.lam_per_question, axis=0)
    checks += list(check_theorem2(r, m.p_correct_options, t2, lam_q).values())

    direction = 1 if behavior_fit.params["slope"] >= 0 else -1
    prediction_fit = max(
        ("parabolic (options)", "floor 1/k (options)"), key=lambda k: helpfulness_fits[k].r2
    )
    h_fit = helpfulness_fits[prediction_fit]
    frontier = tr.tradeoff_frontier(r, behavior, help_opt, direction=direction)
    regime = tr.efficient_regime(
        behavior_fit.predict, h_fit.predict, config.r_max, direction=direction
    )
    rec = tr.recommend_coefficient(
        behavior_fit.predict, h_fit.predict, config.budget, config.r_max, direction=direction
    )
    rec = tr.check_recommendation(rec, r, behavior, help_opt)
    return SettingAnalysis(
        behavior_fit,
        gap_fit,
        helpfulness_fits,
        a1,
        a1_small,
        linearity,
        a2,
        a3,
        parameters,
        measured,
        checks,
        direction,
        prediction_fit,
        frontier,
        regime,
        rec,
    )
