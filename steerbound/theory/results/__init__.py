"""Every result (docs/theorem_sheet.md) as a sympy object; :func:`all_results`."""

from steerbound.theory.proof.model import Hypothesis, Justification, ProofStep, Result
from steerbound.theory.results.registry import all_results, definitions

__all__ = ["Hypothesis", "Justification", "ProofStep", "Result", "all_results", "definitions"]
