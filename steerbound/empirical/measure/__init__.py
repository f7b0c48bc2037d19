"""steerbound.empirical.measure."""
