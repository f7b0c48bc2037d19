"""The sweep store under concurrency and corruption (issue 14, item 2): the folder lock, corrupt
lines quarantined with their line numbers (committed rows after them kept), duplicates refused,
SIGKILL at several points, each resumed to exactly the uninterrupted table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from steerbound.empirical.sweeps.folder_lock import FolderLockedError
from steerbound.empirical.sweeps.store import SweepStore

CONFIG = {"grid": [0.0, 1.0, 2.0, 3.0]}
UNITS = [(f"p{i}", float(c)) for i in range(3) for c in range(4)]  # 12 units


def _unit_rows(unit: tuple[str, float]) -> list[dict[str, object]]:
    pid, c = unit
    return [
        {"prompt_id": pid, "coefficient": c, "measurement": m, "value": c * 10 + len(pid)}
        for m in ("a", "b")
    ]


def _fill(store: SweepStore, batch: int = 3) -> int:
    """The sweep loop: commit every unit not yet completed, ``batch`` units at a time."""
    todo = [u for u in UNITS if u not in store.completed]
    for start in range(0, len(todo), batch):
        units = todo[start : start + batch]
        store.commit(units, [r for u in units for r in _unit_rows(u)])
    return len(todo)


def _expected() -> list[dict[str, object]]:
    return [{**r, "item": ""} for u in UNITS for r in _unit_rows(u)]


def _by_key(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(
        rows, key=lambda r: (str(r["prompt_id"]), float(r["coefficient"]), str(r["measurement"]))
    )  # type: ignore[arg-type]


def _reopen_silently(path: Path) -> SweepStore:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return SweepStore(path, CONFIG)


def _quarantined(path: Path) -> list[dict[str, object]]:
    side = path.with_name(path.stem + ".quarantine.jsonl")
    return [json.loads(line) for line in side.read_text().splitlines()]


# --- corruption ---


def test_corrupt_middle_line_is_quarantined_and_later_batches_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = SweepStore(path, CONFIG)
    _fill(store, batch=3)  # 4 batches of 3 units: 6 rows + 1 commit line each
    store.close()
    lines = path.read_bytes().split(b"\n")
    bad_line = 2 + 7 + 2  # 1-based: header, batch 1 (7 lines), then row 3 of batch 2
    lines[bad_line - 1] = b'{"type": "row", "prompt_id": "p1", "coeff'  # corrupt, not torn
    path.write_bytes(b"\n".join(lines))
    size_before = len(path.read_bytes())
    with pytest.warns(UserWarning, match=r"moved 7 line\(s\) \(line 9, 10, 11"):
        reopened = SweepStore(path, CONFIG)
    assert reopened.completed == set(UNITS) - set(UNITS[3:6])  # only batch 2 is recomputed
    assert len(reopened.rows()) == 18  # batches 1, 3 and 4 (after the corrupt line) are kept
    side = _quarantined(path)
    assert [q["line"] for q in side] == list(range(9, 16))
    assert side[2]["text"] == '{"type": "row", "prompt_id": "p1", "coeff'
    assert "not valid JSON" in str(side[2]["reason"])
    assert len(path.read_bytes()) < size_before  # rewritten without the batch ...
    assert sum(len(str(q["text"])) + 1 for q in side) + len(path.read_bytes()) == size_before
    assert _fill(reopened) == 3  # ... whose units are recomputed
    reopened.close()
    again = _reopen_silently(path)
    assert _by_key(again.rows()) == _by_key(_expected())


def test_torn_last_line_keeps_every_commit(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = SweepStore(path, CONFIG)
    store.commit(UNITS[:2], [r for u in UNITS[:2] for r in _unit_rows(u)])
    store.close()
    committed = path.read_bytes()
    path.write_bytes(committed + b'{"type": "row", "prompt_id": "p0", "coefficient": 2.0, "meas')
    with pytest.warns(UserWarning, match="line 7"):
        reopened = SweepStore(path, CONFIG)
    assert path.read_bytes() == committed and reopened.completed == set(UNITS[:2])
    assert "torn" in str(_quarantined(path)[0]["reason"])


def test_duplicate_batches_from_an_old_concurrent_run_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = SweepStore(path, CONFIG)
    _fill(store)
    store.close()
    lines = path.read_bytes().rstrip(b"\n").split(b"\n")
    path.write_bytes(b"\n".join([*lines, *lines[1:8]]) + b"\n")  # batch 1 written twice
    with pytest.warns(UserWarning, match="duplicates a row"):
        reopened = SweepStore(path, CONFIG)
    assert reopened.rows() == _expected() and [q["line"] for q in _quarantined(path)] == list(
        range(len(lines) + 1, len(lines) + 8)
    )


def test_duplicates_refused_at_write_time(tmp_path: Path) -> None:
    store = SweepStore(tmp_path / "s.jsonl", CONFIG)
    store.commit(UNITS[:1], _unit_rows(UNITS[0]))
    before = store.path.read_bytes()
    with pytest.raises(ValueError, match="already committed"):
        store.commit(UNITS[:1], _unit_rows(UNITS[0]))
    with pytest.raises(ValueError, match="duplicate row key"):
        store.commit(UNITS[1:2], _unit_rows(UNITS[0]))
    assert store.path.read_bytes() == before  # nothing was written


# --- two processes ---

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from steerbound.empirical.sweeps.store import SweepStore
    path, mode = Path(sys.argv[1]), sys.argv[2]
    units = [(f"p{i}", float(c)) for i in range(3) for c in range(4)]
    store = SweepStore(path, {"grid": [0.0, 1.0, 2.0, 3.0]})
    (path.parent / f"started-{sys.argv[3]}").write_text("x")
    todo = [u for u in units if u not in store.completed]
    for u in todo:
        rows = [{"prompt_id": u[0], "coefficient": u[1], "measurement": m,
                 "value": u[1] * 10 + len(u[0])} for m in ("a", "b")]
        if mode == "kill-torn" and u == todo[5]:
            import json
            with path.open("a") as f:
                f.write(json.dumps({"type": "row", **rows[0]})[:25])
        if mode == "kill-rows" and u == todo[5]:
            import json
            with path.open("a") as f:
                f.write("".join(json.dumps({"type": "row", **r}) + "\\n" for r in rows))
        if mode.startswith("kill-") and u == todo[5]:
            import os, signal
            os.kill(os.getpid(), signal.SIGKILL)
        store.commit([u], rows)
        if mode == "slow":
            time.sleep(0.25)  # holds the lock for 3 s: time for the second run to start
    print(len(todo))
    """
)


def _worker(path: Path, mode: str, tag: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(path), mode, tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_second_concurrent_run_stops_naming_folder_and_pid(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    first = _worker(path, "slow", "1")
    _wait_for(tmp_path / "started-1")
    second = _worker(path, "slow", "2")
    _, err = second.communicate(timeout=60)
    out, _ = first.communicate(timeout=60)
    assert second.returncode != 0 and "FolderLockedError" in err
    assert str(tmp_path) in err and f"pid {first.pid}" in err, err
    assert first.returncode == 0 and out.strip() == "12"
    assert _reopen_silently(path).rows() == _expected()  # one complete table, no duplicates
    other = tmp_path / "other" / "s.jsonl"
    other.parent.mkdir()
    holder = _worker(other, "slow", "3")
    try:
        _wait_for(other.parent / "started-3")
        with pytest.raises(FolderLockedError, match=rf"pid {holder.pid} on .*STEERBOUND_LOCK_WAIT"):
            SweepStore(other, CONFIG)  # the same from within a process
    finally:
        holder.communicate(timeout=60)


def test_two_concurrent_runs_asked_to_wait_share_the_work(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    first = _worker(path, "slow", "1")
    _wait_for(tmp_path / "started-1")
    second = _worker(path, "slow", "2", STEERBOUND_LOCK_WAIT="60")
    out2, err2 = second.communicate(timeout=90)
    out1, _ = first.communicate(timeout=90)
    assert (first.returncode, second.returncode) == (0, 0), err2
    assert (out1.strip(), out2.strip()) == ("12", "0")  # the second waited, then had nothing left
    assert _reopen_silently(path).rows() == _expected()


# --- SIGKILL ---


@pytest.mark.parametrize("mode", ["kill-between-commits", "kill-rows", "kill-torn"])
def test_sigkill_then_resume_equals_uninterrupted(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "s.jsonl"
    proc = _worker(path, mode, "1")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the uncommitted tail is quarantined
        partial = SweepStore(path, CONFIG)
    assert len(partial.completed) == 5
    assert _fill(partial) == 7
    partial.close()
    assert _reopen_silently(path).rows() == _expected()  # same rows, same order


def test_sigkill_during_recovery_loses_nothing(tmp_path: Path) -> None:
    """Killed after quarantining, before the store is rewritten: the next open redoes it."""
    path = tmp_path / "s.jsonl"
    store = SweepStore(path, CONFIG)
    _fill(store)
    store.close()
    lines = path.read_bytes().split(b"\n")
    lines[3] = b"garbage"
    path.write_bytes(b"\n".join(lines))
    script = textwrap.dedent(
        f"""
        import os, signal
        import steerbound.empirical.sweeps.store_recovery as rec
        def die(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        rec.os.replace = die
        from steerbound.empirical.sweeps.store import SweepStore
        SweepStore({str(path)!r}, {CONFIG!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert b"garbage" in path.read_bytes()  # the store is untouched
    assert len(_quarantined(path)) == 7  # and the batch is already in the side file
    with pytest.warns(UserWarning, match="moved 7"):
        reopened = SweepStore(path, CONFIG)
    assert _fill(reopened) == 3
    reopened.close()
    assert _by_key(_reopen_silently(path).rows()) == _by_key(_expected())


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from steerbound.empirical.sweeps.folder_lock import lock_folder
    lock_folder(sys.argv[1])
    (Path(sys.argv[1]) / "held").write_text("x")
    while not (Path(sys.argv[1]) / "release").exists():
        time.sleep(0.02)
    """
)


def test_cli_sweep_into_a_folder_in_use_stops_with_the_holder(
    model_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from steerbound.cli import main

    tiny = Path(__file__).resolve().parents[3] / "configs" / "tiny.toml"
    common = ["--config", str(tiny), "--out", str(tmp_path), "--model", str(model_dirs["gpt2"])]
    assert main(["empirical", "extract", *common, "--no-progress"]) == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)])
    try:
        _wait_for(tmp_path / "held")
        capsys.readouterr()
        code = main(["empirical", "sweep", *common, "--no-progress", "--skip-generation"])
        out = capsys.readouterr().out
    finally:
        (tmp_path / "release").write_text("x")
        holder.wait(timeout=60)
    assert code == 1 and f"{tmp_path} is in use by another steerbound run (pid {holder.pid}" in out
    assert not list(tmp_path.glob("sweep-*.jsonl"))  # nothing was written
