"""steerbound.empirical.data."""
