"""steerbound.theory."""
