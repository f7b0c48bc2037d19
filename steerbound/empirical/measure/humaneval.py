"""HumanEval functional correctness: run ``prompt + completion + test + check(entry_point)``.

Each program runs in a **fresh** interpreter (``python -I -B``: isolated mode ignores
``PYTHON*`` variables, the user site and the current directory) in a new temporary working
directory that is deleted afterwards, with a wall-clock timeout (the whole process group is
killed), POSIX resource limits where available (CPU seconds, address space, file size, no core
files) and a prelude that disables networking (``socket``) and process-spawning / destructive
``os``/``shutil``/``subprocess`` functions before any problem code runs.

This is isolation against accidents (infinite loops, memory blow-ups, stray file writes), in the
spirit of human-eval's ``reliability_guard``, not a security boundary: run untrusted model code
inside a container or VM as well.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from steerbound.empirical.data.loaders import HumanEvalProblem
from steerbound.stats import wilson_interval

GUARD_PRELUDE = """\
import os as _os, shutil as _sh, socket as _so, subprocess as _sp
try:
    import resource as _rs
    _limits = ((_rs.RLIMIT_CPU, {cpu_s}), (_rs.RLIMIT_CORE, 0),
               (_rs.RLIMIT_FSIZE, 10 * 2**20), (_rs.RLIMIT_AS, {memory_bytes}))
except ImportError:  # not POSIX
    _limits = ()
for _lim, _val in _limits:
    try:
        if _val is not None:
            _rs.setrlimit(_lim, (_val, _val))
    except (ValueError, OSError):  # a limit the OS refuses (e.g. above the hard limit)
        pass
def _blocked(*_a, **_k):
    raise OSError("disabled in the steerbound HumanEval sandbox")
def _no_network(*_a, **_k):
    raise OSError("network disabled in the steerbound HumanEval sandbox")
class _NoSocket:
    def __init__(self, *_a, **_k):
        _no_network()
_so.socket = _NoSocket
for _n in ("create_connection", "create_server", "getaddrinfo", "socketpair", "fromfd"):
    setattr(_so, _n, _no_network)
for _n in ("system", "popen", "fork", "forkpty", "kill", "killpg", "execv", "execve", "execvp",
           "spawnv", "spawnve", "posix_spawn", "posix_spawnp", "remove", "unlink", "rmdir",
           "removedirs", "rename", "renames", "replace", "truncate", "chmod", "chown", "putenv"):
    if hasattr(_os, _n):
        setattr(_os, _n, _blocked)
_sh.rmtree = _sh.move = _sh.chown = _blocked
_sp.Popen = _sp.run = _sp.call = _sp.check_call = _sp.check_output = _blocked
del _os, _sh, _so, _sp, _n
"""


@dataclass(frozen=True)
class ExecutionResult:
    """Outcome of one completion: ``status`` in {passed, failed, timeout}; ``detail`` is the
    tail of stderr (failed) or a note (timeout)."""

    task_id: str
    passed: bool
    status: str
    detail: str = ""


def build_program(
    problem: HumanEvalProblem,
    completion: str,
    *,
    cpu_s: int = 11,
    memory_bytes: int | None = 2 * 2**30,
    nonce: str = "",
) -> str:
    """The program that is run: guard prelude (limits: ``cpu_s`` CPU seconds, ``memory_bytes``
    address space, 10 MiB files), prompt, completion, test, ``check(entry_point)``, then it
    prints ``nonce`` (so an early ``exit(0)`` in a completion does not count as a pass)."""
    prelude = GUARD_PRELUDE.format(cpu_s=int(cpu_s), memory_bytes=memory_bytes)
    return (
        f"{prelude}\n{problem.prompt}{completion}\n\n{problem.test}\n\n"
        f"check({problem.entry_point})\nprint({nonce!r})\n"
    )


def run_completion(
    problem: HumanEvalProblem,
    completion: str,
    *,
    timeout_s: float = 10.0,
    memory_bytes: int | None = 2 * 2**30,
) -> ExecutionResult:
    """Run one completion in the sandbox; pass iff ``check`` returns and the program exits 0."""
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    cpu_s = int(timeout_s) + 1
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    with tempfile.TemporaryDirectory(prefix="steerbound-humaneval-") as tmp:
        script = Path(tmp) / "program.py"
        nonce = secrets.token_hex(16)
        program = build_program(
            problem, completion, cpu_s=cpu_s, memory_bytes=memory_bytes, nonce=nonce
        )
        script.write_text(program, encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(script)],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.communicate()
            return ExecutionResult(problem.task_id, False, "timeout", f"exceeded {timeout_s} s")
    if proc.returncode == 0 and nonce in out.decode("utf-8", "replace").split():
        return ExecutionResult(problem.task_id, True, "passed")
    tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
    detail = "\n".join(tail) or f"exit status {proc.returncode} before check() completed"
    return ExecutionResult(problem.task_id, False, "failed", detail)


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
