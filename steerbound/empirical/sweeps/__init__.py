"""steerbound.empirical.sweeps."""
