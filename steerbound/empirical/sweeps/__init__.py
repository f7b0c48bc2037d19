"""Sweeps over the coefficient grid: the resumable store, logit and generation sweeps, the
prefix-cached engine."""
