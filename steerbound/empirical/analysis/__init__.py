"""steerbound.empirical.analysis."""
