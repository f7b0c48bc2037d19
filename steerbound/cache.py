"""Where steerbound keeps what it computes once: trained organisms, converted GGUF checkpoints.

The root is ``$STEERBOUND_CACHE``, else ``$XDG_CACHE_HOME/steerbound``, else
``~/.cache/steerbound``; each user of the cache takes a folder of its own under it.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """steerbound's cache: ``$STEERBOUND_CACHE``, else ``$XDG_CACHE_HOME/steerbound``, else
    ``~/.cache/steerbound``."""
    if os.environ.get("STEERBOUND_CACHE"):
        return Path(os.environ["STEERBOUND_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "steerbound"
    return Path.home() / ".cache" / "steerbound"
