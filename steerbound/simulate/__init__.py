"""steerbound.simulate."""
