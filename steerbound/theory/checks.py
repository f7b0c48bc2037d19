"""Run every symbolic check: lemmas, proofs, properties, numeric forms, counterexamples.

``check_all()`` returns one :class:`CheckRecord` per check. Statuses: ``passed``, ``failed``,
``undecided`` (sympy could not decide; never counted as passed) and ``published (fails)``
(a published form whose counterexample (docs/theorem_sheet.md) is evaluated exactly and
violates it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from steerbound.theory import counterexamples as CX
from steerbound.theory import crosscheck as XC
from steerbound.theory import expressions as E
from steerbound.theory import fitforms as F
from steerbound.theory import lemmas
from steerbound.theory import properties as P
from steerbound.theory import special_checks as SC
from steerbound.theory import symbols as S
from steerbound.theory.proof.check import check_proof
from steerbound.theory.proof.model import Result
from steerbound.theory.proof.provers import Status
from steerbound.theory.results.registry import all_results

PASSED: Status = "passed"
FAILED: Status = "failed"
UNDECIDED: Status = "undecided"
PUBLISHED_FAILS: Status = "published (fails)"


@dataclass(frozen=True)
class CheckRecord:
    """One check of one result form."""

    result: str
    form: str
    check: str
    status: Status
    detail: str
    counterexample: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _worst(statuses: list[Status]) -> Status:
    for s in (FAILED, UNDECIDED):
        if s in statuses:
            return s
    return PASSED


def proof_record(result: Result) -> CheckRecord:
    outcomes = check_proof(result)
    status = _worst([o.status for o in outcomes])
    detail = "; ".join(
        f"{o.step}: {o.status}" + ("" if o.status == PASSED else f" ({o.detail})") for o in outcomes
    )
    return CheckRecord(result.name, result.form, f"proof ({len(outcomes)} steps)", status, detail)


def counterexample_record(result: Result, cx: CX.Counterexample) -> CheckRecord:
    violated = cx.published_violated
    verified_ok = cx.verified_violated is False
    status: Status = (
        PUBLISHED_FAILS
        if violated and verified_ok
        else (FAILED if violated is False else UNDECIDED)
    )
    detail = (
        f"exact {cx.as_dict()['exact']} vs published bound {cx.as_dict()['published_bound']}"
        f" ({cx.as_dict()['claimed']} violated); verified form {cx.as_dict()['verified_bound']}"
        f" holds on the same geometry: {verified_ok}"
    )
    return CheckRecord(
        result.name, result.form, "counterexample (exact)", status, detail, cx.as_dict()
    )


def _records(result: Result, outcomes: list[P.Outcome]) -> list[CheckRecord]:
    return [CheckRecord(result.name, result.form, c, s, d) for c, s, d in outcomes]


def _property_outcomes(res: Result) -> list[P.Outcome]:
    key = (res.name, res.form)
    t1 = E.theorem1().expr
    table: dict[tuple[str, str], Any] = {
        ("Theorem 1", "verified"): lambda: P.theorem1_properties(t1),
        ("Theorem 1", "verified (r_e <= 0)"): lambda: P.theorem1_mirror_properties(t1),
        ("Corollary 1", "verified"): lambda: P.corollary1_properties(E.corollary1().expr, t1),
        ("Theorem 2", "jensen"): lambda: P.jensen_properties(E.theorem2_jensen().expr),
        ("Theorem 2", "verified"): lambda: P.parabola_properties(
            E.theorem2_verified().expr, S.alpha / 2
        ),
        ("Theorem 2", "verified (r_e < 0)"): lambda: P.parabola_mirror_properties(
            E.theorem2_verified().expr, S.alpha / 2
        ),
        ("Theorem 2", "published"): lambda: P.parabola_properties(
            E.theorem2_published().expr, S.alpha
        ),
        ("Expected helpfulness", "curvature"): lambda: [
            SC.expected_helpfulness(E.expected_helpfulness().expr)
        ],
        ("Theorem 3", "verified"): lambda: P.theorem3_properties(E.theorem3().expr, t1),
        ("Theorem 4", "verified"): lambda: P.theorem4_properties(
            E.theorem4_published().expr
        ),  # the min form's first term, in closed form
        ("Theorem 5", "verified"): lambda: P.theorem5_properties(E.theorem5().expr),
        ("Theorem 6", "verified"): lambda: P.theorem6_properties(E.theorem6().expr, t1),
        ("Corollary 3", "verified"): lambda: [SC.corollary3(E.corollary3_step_expr())],
        ("Proposition 1", ""): SC.proposition1,
        ("Assumption 3", "both sides"): SC.assumption3,
    }
    fn = table.get(key)
    return list(fn()) if fn else []


_COUNTEREXAMPLES = {
    ("Theorem 2", "published"): CX.theorem2_published,
    ("Theorem 4", "published"): CX.theorem4_published,
    ("Theorem 6", "published"): CX.theorem6_published,
    ("Corollary 3", "published"): CX.corollary3_published,
    ("Corollary 2", "published"): CX.corollary2_published,
}


def check_result(res: Result) -> list[CheckRecord]:
    """All checks of one result."""
    out: list[CheckRecord] = []
    if res.proof:
        out.append(proof_record(res))
    out.extend(_records(res, _property_outcomes(res)))
    if res.bound is not None and res.bound.stable != res.bound.target:
        # (a stable form identical to the statement has nothing to prove: no check)
        check, status, detail = SC.stable_form(res.bound)
        out.append(CheckRecord(res.name, res.form, check, status, detail))
    if res.bound is not None and (res.name, res.form) == ("Corollary 3", "verified"):
        assert res.statement is not None
        out.append(CheckRecord(res.name, res.form, *XC.corollary3_outcome(res.statement)))
    cx = _COUNTEREXAMPLES.get((res.name, res.form))
    if cx is not None:
        out.append(counterexample_record(res, cx()))
    return out


@cache
def _check_all() -> tuple[CheckRecord, ...]:
    out: list[CheckRecord] = []
    for lem in lemmas.all_lemmas():
        proof = lem.prove()
        out.append(CheckRecord(f"Lemma: {lem.name}", "", "proof", proof.status, proof.detail))
    for res in all_results():
        out.extend(check_result(res))
    for fit in (F.behavior_tanh(), F.helpfulness_parabolic(), F.helpfulness_floor()):
        check, status, detail = SC.fit_form(fit)
        out.append(CheckRecord("Fit forms", fit.name, check, status, detail))
    for check, status, detail in XC.primitive_outcomes():
        out.append(CheckRecord("Numerics", "primitives", check, status, detail))
    for case in XC.numeric_cases():
        check, status, detail = XC.bound_outcome(case)
        out.append(CheckRecord("Numerics", case.bound.key, check, status, detail))
    return tuple(out)


def check_all() -> list[CheckRecord]:
    """Run (once per process; cached) and return every check record."""
    return list(_check_all())


def exit_code(records: list[CheckRecord]) -> int:
    """0 iff no check failed or is undecided (published forms shown failing are expected)."""
    return 1 if any(r.status in (FAILED, UNDECIDED) for r in records) else 0


def format_check_table(records: list[CheckRecord], width: int = 72) -> str:
    """A plain-text table: result, form, check, status."""
    rows = [("result", "form", "check", "status")] + [
        (
            r.result,
            r.form or "-",
            r.check if len(r.check) <= width else r.check[: width - 3] + "...",
            r.status,
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = {
        s: sum(r.status == s for r in records) for s in (PASSED, PUBLISHED_FAILS, FAILED, UNDECIDED)
    }
    lines.append("")
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)
