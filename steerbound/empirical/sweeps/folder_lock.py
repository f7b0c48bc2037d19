"""An exclusive lock per output folder, so two runs never write the same sweep stores.

The lock is ``fcntl.flock`` on ``<folder>/.steerbound.lock`` (released by the kernel when the
holder exits, SIGKILL included); the file holds the holder's pid, host and start time for the
message a second run stops with. Within one process the lock is shared (reference-counted), so
the stores of one run can be opened one after another or side by side.

A second run stops with :class:`FolderLockedError` unless asked to wait: ``wait=True`` (no limit),
a number of seconds, or the environment variable ``STEERBOUND_LOCK_WAIT`` (seconds; ``inf`` for no
limit) when ``wait`` is not given. Without ``fcntl`` (Windows) there is no lock, with a warning.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".steerbound.lock"
WAIT_ENV = "STEERBOUND_LOCK_WAIT"
POLL_S = 0.05


class FolderLockedError(RuntimeError, ValueError):
    """Another process holds the output folder's lock (a ValueError too, so the CLI reports it
    as a user error)."""


class FolderLock:
    """A held folder lock (see :func:`lock_folder`); :meth:`release` drops one reference."""

    def __init__(self, folder: Path, fd: int | None) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._fd = fd
        self._refs = 1

    @property
    def held(self) -> bool:
        """Whether this process still holds the lock."""
        return self._refs > 0

    def release(self) -> None:
        """Drop one reference; the last one unlocks the folder."""
        if self._refs <= 0:
            return
        self._refs -= 1
        if self._refs == 0:
            _HELD.pop(str(self.folder), None)
            if self._fd is not None:
                os.close(self._fd)  # closing the descriptor releases the flock
                self._fd = None


_HELD: dict[str, FolderLock] = {}


def _wait_limit(wait: bool | float | None) -> float:
    if wait is None:
        raw = os.environ.get(WAIT_ENV, "").strip()
        if not raw:
            return 0.0
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{WAIT_ENV}={raw!r} is not a number of seconds") from None
        return value if value >= 0 else 0.0
    if wait is True:
        return math.inf
    if wait is False:
        return 0.0
    return max(0.0, float(wait))


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
    except (OSError, ValueError, AttributeError):
        return "pid unknown"


def lock_folder(folder: str | Path, *, wait: bool | float | None = None) -> FolderLock:
    """Take the exclusive lock of ``folder`` (created if absent) or stop with a clear message."""
    folder = Path(folder).resolve()
    held = _HELD.get(str(folder))
    if held is not None and held.held:
        held._refs += 1
        return held
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        warnings.warn(
            f"{folder}: no fcntl on this platform: the folder is not locked", stacklevel=2
        )
        lock = FolderLock(folder, None)
        _HELD[str(folder)] = lock
        return lock
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    limit = _wait_limit(wait)
    start = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() - start >= limit:
                os.close(fd)
                waited = f" after waiting {limit:g} s" if limit > 0 else ""
                raise FolderLockedError(
                    f"{folder} is in use by another steerbound run ({_holder(path)}){waited}: "
                    f"wait for it to finish, use another output folder, or set {WAIT_ENV}=SECONDS "
                    "to wait for it"
                ) from None
            time.sleep(POLL_S)
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
    lock = FolderLock(folder, fd)
    _HELD[str(folder)] = lock
    return lock
