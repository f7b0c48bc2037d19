"""steerbound.empirical."""
