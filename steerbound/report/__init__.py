"""steerbound.report."""
