"""Measurements: behavior and helpfulness metrics, judges, HumanEval, the assumptions."""
