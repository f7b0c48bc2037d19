"""SweepStore: header keyed by config hash, commit-delimited batches, torn-write recovery."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from steerbound.empirical.sweeps.store import SweepStore, config_hash


def _rows(pid: str, c: float) -> list[dict[str, object]]:
    return [{"prompt_id": pid, "coefficient": c, "measurement": "m", "value": c * 2}]


def test_commit_reopen_and_csv(tmp_path: Path) -> None:
    config = {"a": 1, "grid": [0.0, 0.5]}
    store = SweepStore.in_dir(tmp_path, config)
    assert store.path.name == f"sweep-{config_hash(config)}.jsonl"
    store.commit([("p0", 0.0)], _rows("p0", 0.0))
    store.commit([("p0", 0.5)], [*_rows("p0", 0.5), {**_rows("p0", 0.5)[0], "item": "x"}])
    again = SweepStore.in_dir(tmp_path, config)
    assert again.completed == {("p0", 0.0), ("p0", 0.5)}
    assert again.rows() == store.rows() and len(again.rows()) == 3
    header = json.loads(store.path.read_text().splitlines()[0])
    assert header["type"] == "header" and header["config"] == config
    out = again.to_csv(tmp_path / "table.csv")
    table = list(csv.DictReader(out.open()))
    assert [r["value"] for r in table] == ["0.0", "1.0", "1.0"]
    assert table[0]["config_hash"] == config_hash(config)
    sidecar = json.loads((tmp_path / "table.config.json").read_text())
    assert sidecar["config"] == config


def test_duplicates_and_wrong_config(tmp_path: Path) -> None:
    store = SweepStore(tmp_path / "s.jsonl", {"a": 1})
    store.commit([("p", 1.0)], _rows("p", 1.0))
    with pytest.raises(ValueError, match="duplicate row key"):
        store.commit([("p2", 1.0)], _rows("p", 1.0))
    with pytest.raises(ValueError, match=r"unit \('p', 1.0\) is already committed"):
        store.commit([("p", 1.0)], [])
    with pytest.raises(ValueError, match="config hash"):
        SweepStore(tmp_path / "s.jsonl", {"a": 2})
    with pytest.raises(ValueError, match="lacks field"):
        store.commit([("q", 1.0)], [{"prompt_id": "q", "coefficient": 1.0}])


def test_torn_write_is_dropped_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = SweepStore(path, {"a": 1})
    store.commit([("p", 0.0)], _rows("p", 0.0))
    committed = path.read_bytes()
    row = json.dumps({"type": "row", **_rows("p", 1.0)[0]})
    path.write_bytes(committed + row.encode() + b"\n" + b'{"type": "ro')
    with pytest.warns(UserWarning, match=r"moved 2 line\(s\) \(line 4, 5\)"):
        reopened = SweepStore(path, {"a": 1})
    assert path.read_bytes() == committed
    side = [json.loads(x) for x in (tmp_path / "s.quarantine.jsonl").read_text().splitlines()]
    assert [(q["line"], q["text"]) for q in side] == [(4, row), (5, '{"type": "ro')]
    assert reopened.completed == {("p", 0.0)} and len(reopened.rows()) == 1
    reopened.commit([("p", 1.0)], _rows("p", 1.0))
    assert len(SweepStore(path, {"a": 1}).rows()) == 2


def test_non_finite_values_become_null(tmp_path: Path) -> None:
    store = SweepStore(tmp_path / "s.jsonl", {})
    store.commit(
        [("p", 0.0)],
        [{"prompt_id": "p", "coefficient": 0.0, "measurement": "m", "value": float("nan")}],
    )
    assert SweepStore(tmp_path / "s.jsonl", {}).rows()[0]["value"] is None
