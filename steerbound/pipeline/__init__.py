"""steerbound.pipeline."""
