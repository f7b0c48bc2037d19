"""steerbound.empirical.vectors."""
