"""The sandbox itself: the layers it reports, the PID namespace reaping setsid() children, the
judge's verdict and the plain-data wire between the judge and the candidate."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from steerbound.empirical.data.loaders import load_humaneval
from steerbound.empirical.measure.humaneval import run_completion
from steerbound.empirical.measure.sandbox import LAYERS, WIRE_SOURCE, run_sandboxed

from ..conftest import FIXTURES

LINUX_ROOT = sys.platform.startswith("linux") and os.geteuid() == 0


def _wire() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(WIRE_SOURCE, namespace)
    return namespace


def test_reports_layers_and_reasons() -> None:
    res = run_sandboxed("print('hello')\n", timeout_s=5)
    assert (res.returncode, res.timed_out, res.stdout) == (0, False, "hello\n")
    named = set(res.layers) | {u.split(":")[0] for u in res.unavailable}
    assert named == set(LAYERS)  # every layer is either active or explained
    assert "separate_judge" not in res.layers  # no judge was given
    if LINUX_ROOT:  # this is what CI runs as
        assert set(res.layers) == set(LAYERS) - {"separate_judge"}, res.unavailable


@pytest.mark.skipif(not LINUX_ROOT, reason="the PID namespace needs Linux (as root here)")
def test_pid_namespace_reaps_setsid_children() -> None:
    marker = f"steerbound-reaped-{uuid.uuid4().hex}"
    program = (
        "import os, sys\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    os.close(1); os.close(2)\n"
        f"    os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(30)', "
        f"{marker!r}])\n"
        "while True:\n"
        "    pass\n"
    )
    start = time.monotonic()
    res = run_sandboxed(program, timeout_s=1.0, max_processes=8)
    assert res.timed_out and res.returncode is None
    assert time.monotonic() - start < 3.0
    alive = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and marker.encode() in _cmdline(p)
    ]
    assert alive == []


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.skipif(not LINUX_ROOT, reason="needs the mount and user layers")
def test_candidate_sees_an_empty_writable_cwd_and_a_readonly_rest() -> None:
    program = (
        "import os\n"
        "print(sorted(os.listdir('.')), os.getuid() != 0)\n"
        "open('mine.txt', 'w').write('x')\n"
        "for p in ('/tmp/steerbound-escape', os.path.expanduser('~/../x'), '/etc/x'):\n"
        "    try:\n"
        "        open(p, 'w')\n"
        "        print('wrote', p)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    res = run_sandboxed(program, timeout_s=5)
    assert res.stdout == "[] True\n", res


def test_judge_verdict_and_candidate_failure() -> None:
    judge = "f = candidate_function('add')\nassert f(2, 3) == 5\nreport('passed')\n"
    ok = run_sandboxed("def add(a, b):\n    return a + b\n", judge=judge, timeout_s=5)
    assert (ok.verdict, ok.judge_returncode) == ("passed", 0)
    bad = run_sandboxed("def add(a, b):\n    return a - b\n", judge=judge, timeout_s=5)
    assert bad.verdict is None and "AssertionError" in bad.judge_output


def test_rigged_equality_cannot_pass() -> None:
    add = load_humaneval(FIXTURES / "humaneval_small.jsonl")[0]
    completion = (
        "    class Anything:\n"
        "        def __eq__(self, other):\n"
        "            return True\n"
        "    return Anything()\n"
    )
    res = run_completion(add, completion, timeout_s=5)
    assert res.status == "failed" and "cannot pass a Anything" in res.detail


def test_wire_round_trip_and_strict_decoding() -> None:
    wire = _wire()
    enc, dec = wire["_sb_enc"], wire["_sb_dec"]
    value = [None, True, 3, -2.5, float("inf"), "s", b"\x00", (1, [2]), {3}, {"k": (4.0,)}, 1j]
    assert dec(enc(value)) == value  # type: ignore[operator]
    decoded = dec(enc(value))  # type: ignore[operator]
    assert type(decoded[7]) is tuple and type(decoded[2]) is int and type(decoded[1]) is bool
    for forged in ([1, 2], {"x": 1}, {"f": 1.0, "l": []}, {"d": [[1]]}):
        with pytest.raises(ValueError, match="malformed"):
            dec(forged)  # type: ignore[operator]
    with pytest.raises(TypeError, match="cannot pass a object"):
        enc(object())  # type: ignore[operator]


def test_cover_plan_opens_one_closed_directory_per_path() -> None:
    import shutil
    import tempfile

    from steerbound.empirical.measure.sandbox import _cover_plan

    top = Path(tempfile.mkdtemp(dir="/tmp"))  # not under pytest's 0700 folder
    top.chmod(0o755)
    home = top / "home"  # like /root (0700) holding both the interpreter and a venv
    for sub in ("pyenv/bin", "repo/.venv"):
        (home / sub).mkdir(parents=True)
    home.chmod(0o700)
    plan = _cover_plan([str(home / "pyenv/bin"), str(home / "repo/.venv"), "/usr"])
    assert plan == {home: {home / "pyenv", home / "repo"}}
    (home / "repo").chmod(0o700)  # a second closed directory on the way: cannot be opened up
    assert _cover_plan([str(home / "repo/.venv")]) is None
    assert _cover_plan(["/usr/bin"]) == {}
    shutil.rmtree(top)
