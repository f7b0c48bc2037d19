"""steerbound.empirical.model."""
