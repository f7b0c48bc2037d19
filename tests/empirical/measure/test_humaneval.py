"""HumanEval sandbox: canonical solutions pass; wrong, looping, networked, early-exit and
file-deleting completions fail; pass@k and the confidence intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from steerbound.empirical.data.loaders import load_humaneval
from steerbound.empirical.measure.humaneval import (
    build_programs,
    evaluate_humaneval,
    pass_at_k,
    pass_rate_interval,
    run_completion,
)
from steerbound.pipeline.humaneval import pass_rate_summary
from steerbound.stats import wilson_interval

from ..conftest import FIXTURES, shared_file


@pytest.fixture(scope="module")
def problems():  # type: ignore[no-untyped-def]
    return load_humaneval(FIXTURES / "humaneval_small.jsonl")


def test_canonical_passes_and_wrong_fails(problems) -> None:  # type: ignore[no-untyped-def]
    add = problems[0]
    assert run_completion(add, add.canonical_solution).status == "passed"
    wrong = run_completion(add, "    return a - b\n")
    assert (wrong.passed, wrong.status) == (False, "failed")
    assert "AssertionError" in wrong.detail


@pytest.mark.parametrize(
    ("completion", "needle"),
    [
        ("    import socket\n    socket.create_connection(('127.0.0.1', 9))\n", "unreachable"),
        ("    import os\n    assert os.system('true') == 0\n    return a + b\n", "Assertion"),
        ("    exit(0)\n", "SystemExit"),  # an early exit inside the candidate is not a pass
        ("    return a +\n", "SyntaxError"),  # the candidate's own error is in the detail
    ],
)
def test_guarded_operations_fail(problems, completion: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    res = run_completion(problems[0], completion, timeout_s=20)
    assert res.status == "failed" and needle in res.detail, res


def test_timeout(problems) -> None:  # type: ignore[no-untyped-def]
    res = run_completion(problems[0], "    while True:\n        pass\n", timeout_s=1.0)
    assert (res.passed, res.status) == (False, "timeout")


def test_runs_in_a_temporary_cwd(problems, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "marker.txt"
    completion = (
        f"    try:\n        open({str(marker)!r}, 'w').write('x')\n"
        "    except OSError:\n        pass\n"
        "    import os\n"
        "    open('scratch.txt', 'w').write('x')\n"
        "    return len(os.listdir('.')) + a + b - 1\n"
    )
    # the cwd starts empty and is writable, so len(os.listdir('.')) == 1 and the answer is a + b
    assert run_completion(problems[0], completion).status == "passed"
    assert not marker.exists()  # writes outside the temporary directory are refused


def test_program_layout(problems) -> None:  # type: ignore[no-untyped-def]
    candidate, judge = build_programs(problems[1], problems[1].canonical_solution)
    assert candidate.startswith(problems[1].prompt) and "check" not in candidate
    assert judge.rstrip().endswith("check(total)\nreport('passed')")
    assert judge.index("def check") < judge.index("candidate_function('total')")


def test_pass_at_k() -> None:
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 5, 2) == 1.0 and pass_at_k(5, 0, 3) == 0.0
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - (3 * 2) / (4 * 3))  # 1 - C(3,2)/C(4,2)
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_evaluate_wilson_and_bootstrap(problems) -> None:  # type: ignore[no-untyped-def]
    one = evaluate_humaneval(
        problems, {p.task_id: [p.canonical_solution] for p in problems}, workers=2
    )
    assert (one.pass_at_1, one.n_problems, one.ci_method) == (1.0, 2, "wilson")
    assert one.ci_low == pytest.approx(0.34238, abs=1e-4) and one.ci_high == 1.0
    add, total = problems
    many = evaluate_humaneval(
        problems,
        {
            add.task_id: [add.canonical_solution, "    return 0\n"],
            total.task_id: ["    return 0\n"],
        },
    )
    assert many.pass_at_1 == pytest.approx(0.25) and many.ci_method == "bootstrap"
    assert 0.0 <= many.ci_low <= 0.25 <= many.ci_high <= 0.5
    with pytest.raises(ValueError, match="unknown task"):
        evaluate_humaneval(problems, {"nope": ["x"]})


def test_pass_rate_interval_wilson_bootstrap_and_one_source() -> None:
    single = pass_rate_interval([[1.0], [0.0], [1.0], [1.0]], confidence=0.9)
    assert (single.pass_at_1, single.method, single.n_samples) == (0.75, "wilson", 4)
    assert (single.ci_low, single.ci_high) == pytest.approx(wilson_interval(3, 4, confidence=0.9))
    outcomes = [[1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    boot = pass_rate_interval(outcomes, seed=3)
    assert boot.method == "bootstrap" and (boot.n_problems, boot.n_samples) == (4, 9)
    assert boot.pass_at_1 == pytest.approx((0.5 + 0 + 1 + 0.5) / 4)
    assert 0.0 <= boot.ci_low < boot.pass_at_1 < boot.ci_high <= 1.0
    assert pass_rate_interval(outcomes, seed=3) == boot  # seeded
    # the sweep summary reports the same interval for the same outcomes
    rows = [
        {"prompt_id": f"T/{q}", "coefficient": 0.5, "value": v}
        for q, values in enumerate(outcomes)
        for v in values
    ]
    (s,) = pass_rate_summary(rows, seed=3)
    assert (s["value"], s["ci_low"], s["ci_high"], s["ci_method"]) == (
        boot.pass_at_1,
        boot.ci_low,
        boot.ci_high,
        boot.method,
    )
    for bad in ([], [[1.0], []]):
        with pytest.raises(ValueError, match="at least one sample"):
            pass_rate_interval(bad)


@pytest.mark.shared_data
def test_real_canonical_solutions_pass() -> None:
    path = shared_file("humaneval", "HumanEval.jsonl.gz")
    sample = load_humaneval(path)[::20]  # 9 problems: keeps the test fast
    result = evaluate_humaneval(sample, {p.task_id: [p.canonical_solution] for p in sample})
    assert result.pass_at_1 == 1.0, [r for r in result.results if not r.passed]
