"""HumanEval functional correctness: run ``prompt + completion`` against ``test`` and
``check(entry_point)``.

The model-written code runs under
:func:`steerbound.empirical.measure.sandbox.run_sandboxed`: a fresh interpreter
(``python -I -B``) in new PID, network and mount namespaces (every descendant killed at the
timeout, no network, writes only in a fresh temporary directory), as a fresh unprivileged uid
that may not fork, with CPU, memory and file-size limits. ``check`` runs in a separate judge
process that calls the candidate's function over a pipe and passes only plain data back, so the
verdict cannot be forged by the candidate. Layers the platform refuses are listed in
:attr:`ExecutionResult.unavailable_layers` (and warned about once).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from steerbound.empirical.data.loaders import HumanEvalProblem
from steerbound.empirical.measure.sandbox import run_sandboxed
from steerbound.stats import wilson_interval


@dataclass(frozen=True)
class ExecutionResult:
    """Outcome of one completion: ``status`` in {passed, failed, timeout}; ``detail`` is the
    tail of stderr (failed) or a note (timeout); ``unavailable_layers`` the isolation layers the
    platform refused (:attr:`~steerbound.empirical.measure.sandbox.SandboxResult.unavailable`)."""

    task_id: str
    passed: bool
    status: str
    detail: str = ""
    unavailable_layers: tuple[str, ...] = ()


def build_programs(problem: HumanEvalProblem, completion: str) -> tuple[str, str]:
    """The candidate's program (``prompt + completion``; the sandbox appends the server that
    answers the judge) and the judge's (the prompt's helpers, ``test``, then
    ``check(<proxy of entry_point>)`` and the verdict)."""
    candidate = f"{problem.prompt}{completion}\n"
    judge = (
        f"{problem.prompt}\n\n{problem.test}\n\n"
        f"{problem.entry_point} = candidate_function({problem.entry_point!r})\n"
        f"check({problem.entry_point})\nreport('passed')\n"
    )
    return candidate, judge


def run_completion(
    problem: HumanEvalProblem,
    completion: str,
    *,
    timeout_s: float = 10.0,
    memory_bytes: int | None = 2 * 2**30,
) -> ExecutionResult:
    """Run one completion in the sandbox; pass iff the judge's ``check`` returns."""
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    candidate, judge = build_programs(problem, completion)
    res = run_sandboxed(
        candidate, judge=judge, timeout_s=timeout_s, memory_bytes=memory_bytes, max_processes=1
    )
    warn_unavailable_layers(res.unavailable)
    if res.timed_out:
        return ExecutionResult(
            problem.task_id, False, "timeout", f"exceeded {timeout_s} s", res.unavailable
        )
    if res.verdict == "passed" and res.judge_returncode == 0:
        return ExecutionResult(problem.task_id, True, "passed", "", res.unavailable)
    tail = [*res.judge_output.strip().splitlines()[-3:], *res.stderr.strip().splitlines()[-3:]]
    detail = "\n".join(tail) or f"exit status {res.returncode} before check() completed"
    return ExecutionResult(problem.task_id, False, "failed", detail, res.unavailable)


_WARNED: set[str] = set()


def warn_unavailable_layers(unavailable: Sequence[str]) -> None:
    """Warn once per process about each sandbox layer the platform refused."""
    new = [u for u in unavailable if u not in _WARNED]
    if new:
        _WARNED.update(new)
        warnings.warn(
            "HumanEval sandbox layers unavailable on this platform: " + "; ".join(new),
            SandboxWarning,
            stacklevel=3,
        )


class SandboxWarning(UserWarning):
    """An isolation layer of the HumanEval sandbox is unavailable on this platform."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k estimate from ``n`` samples of which ``c`` passed (Chen et al. 2021)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class PassRateInterval:
    """pass@1 over problems with a confidence interval (a fraction in ``[0, 1]``).

    ``pass_at_1`` is the mean over problems of each problem's fraction of passing samples.
    ``method`` is ``"wilson"`` when every problem has one sample (a binomial proportion over
    problems, :func:`~steerbound.stats.wilson_interval`) and ``"bootstrap"``
    otherwise (percentile bootstrap over problems, :data:`BOOTSTRAP_RESAMPLES` resamples, seeded).
    """

    pass_at_1: float
    ci_low: float
    ci_high: float
    n_problems: int
    n_samples: int
    method: str
    confidence: float


def pass_rate_interval(
    outcomes: Sequence[Sequence[float]], *, confidence: float = 0.95, seed: int = 0
) -> PassRateInterval:
    """pass@1 and its interval from ``outcomes[i]``, the pass (1) / fail (0) results of problem
    ``i``'s samples (at least one per problem)."""
    if not outcomes or any(len(o) == 0 for o in outcomes):
        raise ValueError("outcomes must hold at least one sample for each of at least one problem")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    rate = np.array([np.mean(o) for o in outcomes], dtype=np.float64)
    n_samples = sum(len(o) for o in outcomes)
    if n_samples == rate.size:
        low, high = wilson_interval(int(rate.sum()), rate.size, confidence=confidence)
        method = "wilson"
    else:
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, rate.size, size=(BOOTSTRAP_RESAMPLES, rate.size))
        tails = [0.5 - confidence / 2, 0.5 + confidence / 2]
        low, high = (float(q) for q in np.quantile(rate[picks].mean(axis=1), tails))
        method = "bootstrap"
    return PassRateInterval(float(rate.mean()), low, high, rate.size, n_samples, method, confidence)


@dataclass(frozen=True)
class HumanEvalResult:
    """pass@1 over problems with a confidence interval (:func:`pass_rate_interval`) and every
    execution result."""

    pass_at_1: float
    ci_low: float
    ci_high: float
    n_problems: int
    n_samples: int
    ci_method: str
    confidence: float
    results: tuple[ExecutionResult, ...]


def evaluate_humaneval(
    problems: Sequence[HumanEvalProblem],
    completions: Mapping[str, Sequence[str]],
    *,
    timeout_s: float = 10.0,
    workers: int = 1,
    confidence: float = 0.95,
    seed: int = 0,
) -> HumanEvalResult:
    """Run every completion of every problem (``completions[task_id]``: one or more samples)."""
    by_id = {p.task_id: p for p in problems}
    unknown = sorted(set(completions) - set(by_id))
    if unknown:
        raise ValueError(f"completions for unknown task ids: {unknown[:5]}")
    jobs = [(by_id[t], c) for t, samples in completions.items() for c in samples]
    if not jobs:
        raise ValueError("no completions to evaluate")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = tuple(pool.map(lambda j: run_completion(*j, timeout_s=timeout_s), jobs))
    outcomes: dict[str, list[float]] = defaultdict(list)
    for result in results:
        outcomes[result.task_id].append(float(result.passed))
    rate = pass_rate_interval(list(outcomes.values()), confidence=confidence, seed=seed)
    return HumanEvalResult(
        rate.pass_at_1,
        rate.ci_low,
        rate.ci_high,
        rate.n_problems,
        rate.n_samples,
        rate.method,
        confidence,
        results,
    )
