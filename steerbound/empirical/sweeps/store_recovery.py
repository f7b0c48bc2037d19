"""Reading a sweep store without losing committed rows: corrupt lines go to a side file.

:func:`scan_store_lines` splits a store's lines (after the header) into commit-delimited
batches. A batch is kept when every line parses and none of its rows or units repeats an earlier
kept batch; otherwise the whole batch (its good rows, the bad line and its commit) is quarantined,
so its units are recomputed and the store never holds a duplicate. Lines after the last commit
(an interrupted batch, a torn last line) are quarantined too. Kept batches after a corrupt line
are kept.

:func:`quarantine` appends the quarantined lines, with their 1-based line numbers and reasons,
to ``<store stem>.quarantine.jsonl`` (fsynced) before :func:`rewrite_store` atomically replaces
the store by its kept lines; the side file is only ever appended to.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROW_FIELDS = ("prompt_id", "coefficient", "measurement", "value")


@dataclass(frozen=True)
class QuarantinedLine:
    """One line moved out of a store: its 1-based ``line`` number, raw bytes and why."""

    line: int
    raw: bytes
    reason: str


@dataclass
class StoreScan:
    """Result of :func:`scan_store_lines`: kept rows (in order), completed units, the raw lines
    to keep (header first) and the quarantined lines."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    completed: set[tuple[str, float]] = field(default_factory=set)
    keep: list[bytes] = field(default_factory=list)
    quarantined: list[QuarantinedLine] = field(default_factory=list)


def _key(row: dict[str, Any]) -> tuple[str, float, str, str]:
    return (
        str(row["prompt_id"]),
        float(row["coefficient"]),
        str(row["measurement"]),
        str(row.get("item", "")),
    )


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """The record of one line, or None and why it is corrupt."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, "not valid JSON (corrupt or torn line)"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    kind = record.get("type")
    if kind == "row":
        missing = [f for f in ROW_FIELDS if f not in record]
        if missing:
            return None, f"row lacks field(s) {missing}"
        try:
            coefficient = float(record["coefficient"])
        except (TypeError, ValueError):
            return None, "row coefficient is not a number"
        if not math.isfinite(coefficient):
            return None, "row coefficient is not finite"
        return record, ""
    if kind == "commit":
        units = record.get("units")
        ok = isinstance(units, list) and all(
            isinstance(u, list) and len(u) == 2 and isinstance(u[1], (int, float)) for u in units
        )
        return (record, "") if ok else (None, "commit line has malformed units")
    return None, f"unknown record type {kind!r}"


def scan_store_lines(lines: Sequence[bytes], first_line: int = 2) -> StoreScan:
    """Scan the lines after a store's header (``lines[0]`` is line ``first_line``)."""
    scan = StoreScan()
    keys: set[tuple[str, float, str, str]] = set()
    batch: list[tuple[int, bytes, dict[str, Any] | None, str]] = []
    for number, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        record, reason = _parse(raw)
        if record is None or record["type"] == "row":
            batch.append((number, raw, record, reason))
            continue
        units = {(str(p), float(c)) for p, c in record["units"]}
        bad = [(n, why) for n, _, rec, why in batch if rec is None]
        batch_keys = [_key(rec) for _, _, rec, _ in batch if rec is not None]
        if bad:
            why = f"in a batch with a corrupt line (line {bad[0][0]}: {bad[0][1]})"
        elif len(set(batch_keys)) < len(batch_keys) or keys.intersection(batch_keys):
            why = "duplicates a row of an earlier committed batch"
        elif units & scan.completed:
            why = "commits a unit an earlier batch already committed"
        else:
            why = ""
        if why:
            for n, raw_line, _, own in batch:
                scan.quarantined.append(QuarantinedLine(n, raw_line, own or why))
            scan.quarantined.append(QuarantinedLine(number, raw, why))
        else:
            for _, raw_line, rec, _ in batch:
                assert rec is not None
                scan.keep.append(raw_line)
                scan.rows.append({k: v for k, v in rec.items() if k != "type"})
            keys.update(batch_keys)
            scan.completed |= units
            scan.keep.append(raw)
        batch = []
    for n, raw_line, _, own in batch:
        scan.quarantined.append(
            QuarantinedLine(n, raw_line, own or "after the last commit (an interrupted batch)")
        )
    return scan


def quarantine_path(store: Path) -> Path:
    """The side file of ``store``: ``<stem>.quarantine.jsonl`` beside it."""
    return store.with_name(store.stem + ".quarantine.jsonl")


def quarantine(store: Path, lines: Sequence[QuarantinedLine]) -> Path:
    """Append ``lines`` to the store's side file (fsynced); returns its path."""
    side = quarantine_path(store)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with side.open("a", encoding="utf-8") as handle:
        for q in lines:
            entry = {
                "store": store.name,
                "line": q.line,
                "reason": q.reason,
                "quarantined_at": stamp,
                "text": q.raw.decode("utf-8", "surrogateescape"),
            }
            handle.write(json.dumps(entry) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return side


def rewrite_store(store: Path, keep: Sequence[bytes]) -> None:
    """Atomically replace ``store`` by the lines ``keep`` (write, fsync, rename, fsync folder)."""
    tmp = store.with_name(store.name + ".rewrite")
    with tmp.open("wb") as handle:
        handle.write(b"".join(line + b"\n" for line in keep))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, store)
    try:
        dir_fd = os.open(store.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
