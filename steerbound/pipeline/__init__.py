"""The TOML application behind ``steerbound empirical ...``: config, inputs (the ``Run``), steps,
result files (artifacts) and plots."""
