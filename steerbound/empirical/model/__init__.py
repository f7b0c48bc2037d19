"""Model access: loading, decoder blocks, the steering and recording hooks, steered forward
passes and generation."""
