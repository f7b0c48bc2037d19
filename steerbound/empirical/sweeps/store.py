"""An append-only JSONL store for sweep results, keyed by a config hash, safe to resume.

File layout (one JSON object per line)::

    {"type": "header", "format": 1, "config_hash": ..., "config": {...}, "steerbound_version": ...}
    {"type": "row", "prompt_id": ..., "coefficient": ..., "measurement": ..., "item": ...,
     "value": ...}
    ...
    {"type": "commit", "units": [[prompt_id, coefficient], ...], "n_rows": k}

Rows are written a batch at a time, followed by a ``commit`` line, then flushed and fsynced. On
opening, anything after the last commit (rows of a batch interrupted mid-write, a torn last
line) and every batch holding a corrupt or duplicate line is moved, with its line numbers, to
``<stem>.quarantine.jsonl`` (:mod:`steerbound.empirical.sweeps.store_recovery`; nothing is
deleted, and committed batches after a corrupt line are kept), so a resumed sweep recomputes
exactly the missing units and never duplicates a row. A row's key is ``(prompt_id,
coefficient, measurement, item)``; a row or unit already committed is refused at write time.
Opening a store takes the exclusive lock of its folder
(:mod:`steerbound.empirical.sweeps.folder_lock`): a second run into the same folder stops with
a message naming the folder and the holder's pid, or waits if asked.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import warnings
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from steerbound import __version__
from steerbound.empirical.sweeps.folder_lock import lock_folder
from steerbound.empirical.sweeps.store_recovery import quarantine, rewrite_store, scan_store_lines

FORMAT = 1
KEY_FIELDS = ("prompt_id", "coefficient", "measurement", "item")
Unit = tuple[str, float]
RowKey = tuple[str, float, str, str]


def config_hash(config: Mapping[str, Any]) -> str:
    """First 16 hex digits of the sha256 of the canonical JSON of ``config``."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def row_key(row: Mapping[str, Any]) -> RowKey:
    """The stable key of a result row."""
    return (
        str(row["prompt_id"]),
        float(row["coefficient"]),
        str(row["measurement"]),
        str(row.get("item", "")),
    )


def _clean(value: Any) -> Any:
    """JSON-safe value: non-finite floats become None (strict JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class SweepStore:
    """Resumable result store of one sweep configuration (see the module docstring)."""

    def __init__(
        self, path: str | Path, config: Mapping[str, Any], *, wait: bool | float | None = None
    ) -> None:
        self.path = Path(path)
        self._lock = lock_folder(self.path.parent, wait=wait)
        self._release = weakref.finalize(self, self._lock.release)
        self.config = json.loads(json.dumps(dict(config), default=str))
        self.config_hash = config_hash(self.config)
        self.completed: set[Unit] = set()
        self._rows: list[dict[str, Any]] = []
        self._keys: set[RowKey] = set()
        if self.path.exists() and self.path.stat().st_size > 0:
            self._load()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            header = {
                "type": "header",
                "format": FORMAT,
                "config_hash": self.config_hash,
                "config": self.config,
                "steerbound_version": __version__,
            }
            with self.path.open("w", encoding="utf-8") as handle:
                handle.write(json.dumps(header, sort_keys=True) + "\n")

    @classmethod
    def in_dir(
        cls,
        out_dir: str | Path,
        config: Mapping[str, Any],
        name: str = "sweep",
        *,
        wait: bool | float | None = None,
    ) -> SweepStore:
        """The store ``out_dir/{name}-{config_hash}.jsonl`` (created if absent)."""
        canonical = json.loads(json.dumps(dict(config), default=str))
        return cls(Path(out_dir) / f"{name}-{config_hash(canonical)}.jsonl", config, wait=wait)

    def _load(self) -> None:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        try:
            header = json.loads(lines[0])
        except json.JSONDecodeError:
            raise ValueError(f"{self.path}: line 1 is not a JSON store header") from None
        if not isinstance(header, dict) or header.get("type") != "header":
            raise ValueError(f"{self.path}: line 1 is not a steerbound store header")
        if header.get("config_hash") != self.config_hash:
            raise ValueError(
                f"{self.path}: written for config hash {header.get('config_hash')}, "
                f"not {self.config_hash}; use another file or output directory"
            )
        scan = scan_store_lines(lines[1:])
        self._accept(scan.rows)
        self.completed.update(scan.completed)
        if scan.quarantined:
            side = quarantine(self.path, scan.quarantined)
            rewrite_store(self.path, [lines[0], *scan.keep])
            numbers = ", ".join(str(q.line) for q in scan.quarantined[:10])
            more = "" if len(scan.quarantined) <= 10 else ", ..."
            warnings.warn(
                f"{self.path}: moved {len(scan.quarantined)} line(s) (line {numbers}{more}) to "
                f"{side}: {scan.quarantined[0].reason}; kept {len(scan.rows)} committed row(s); "
                "their units will be recomputed",
                stacklevel=3,
            )
        elif not data.endswith(b"\n"):
            with self.path.open("ab") as handle:
                handle.write(b"\n")

    def close(self) -> None:
        """Release this store's reference to its folder lock (also done when it is collected)."""
        self._release()

    def _accept(self, rows: Iterable[dict[str, Any]], line: int | None = None) -> None:
        for row in rows:
            key = row_key(row)
            if key in self._keys:
                where = f" (line {line})" if line is not None else ""
                raise ValueError(f"{self.path}: duplicate row key {key}{where}")
            self._keys.add(key)
            self._rows.append({k: v for k, v in row.items() if k != "type"})

    def commit(self, units: Sequence[Unit], rows: Sequence[Mapping[str, Any]]) -> None:
        """Append ``rows`` and mark ``units`` (``(prompt_id, coefficient)``) complete, atomically
        with respect to a later resume."""
        prepared: list[dict[str, Any]] = []
        for row in rows:
            missing = [
                f for f in ("prompt_id", "coefficient", "measurement", "value") if f not in row
            ]
            if missing:
                raise ValueError(f"result row {dict(row)} lacks field(s) {missing}")
            clean = {"type": "row", **{k: _clean(v) for k, v in row.items()}}
            clean["coefficient"] = float(clean["coefficient"])
            clean.setdefault("item", "")
            prepared.append(clean)
        done = [u for u in units if (str(u[0]), float(u[1])) in self.completed]
        if done:
            raise ValueError(f"{self.path}: unit {done[0]} is already committed; not written twice")
        self._accept(prepared)
        lines = [json.dumps(r, sort_keys=True) for r in prepared]
        unit_list = [[str(p), float(c)] for p, c in units]
        lines.append(json.dumps({"type": "commit", "units": unit_list, "n_rows": len(prepared)}))
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.completed.update((str(p), float(c)) for p, c in units)

    def rows(self) -> list[dict[str, Any]]:
        """All committed rows, in the order they were written."""
        return [dict(r) for r in self._rows]

    def to_csv(self, path: str | Path) -> Path:
        """Write the rows as a tidy CSV (key fields, ``value``, then other fields sorted, plus a
        ``config_hash`` column) and the config next to it as ``<stem>.config.json``."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        extra = sorted({k for r in self._rows for k in r} - {*KEY_FIELDS, "value"})
        columns = [*KEY_FIELDS, "value", *extra, "config_hash"]
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="")
            writer.writeheader()
            for row in self._rows:
                writer.writerow({**row, "config_hash": self.config_hash})
        sidecar = out.with_name(out.stem + ".config.json")
        payload = {"config_hash": self.config_hash, "config": self.config, "csv": out.name}
        sidecar.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out
