"""Escapes from the HumanEval runner (issue 14, item 1): one test per escape found against the
old Python-level guard, each written so that it fails when the escape works, plus the limits
that already held (timeout, memory, file size)."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from steerbound.empirical.data.loaders import HumanEvalProblem, load_humaneval
from steerbound.empirical.measure.humaneval import run_completion

from ..conftest import FIXTURES

TIMEOUT_S = 3.0


@pytest.fixture(scope="module")
def add() -> HumanEvalProblem:
    return load_humaneval(FIXTURES / "humaneval_small.jsonl")[0]  # add(a, b) -> a + b


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on 127.0.0.1 in the test's (host) network namespace."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.setblocking(False)
    yield srv
    srv.close()


def _no_connection(srv: socket.socket) -> bool:
    try:
        conn, _ = srv.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_absolute_path_write_is_contained(add: HumanEvalProblem, tmp_path: Path) -> None:
    victim, new = tmp_path / "victim.txt", tmp_path / "new.txt"
    victim.write_text("keep")
    tmp_path.chmod(0o777)  # writable for anyone: only the sandbox can stop the writes
    completion = (
        f"    for p in ({str(victim)!r}, {str(new)!r}):\n"
        "        try:\n"
        "            open(p, 'w').write('x')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return a + b\n"
    )
    assert run_completion(add, completion, timeout_s=TIMEOUT_S).status == "passed"
    assert victim.read_text() == "keep"  # not truncated
    assert not new.exists()


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_setsid_child_neither_survives_nor_overruns(add: HumanEvalProblem) -> None:
    marker = f"steerbound-survivor-{uuid.uuid4().hex}"
    completion = (
        "    import posix, sys\n"
        "    try:\n"
        "        pid = posix.fork()\n"
        "    except OSError:\n"
        "        pid = -1\n"
        "    if pid == 0:\n"
        "        posix.setsid()\n"
        "        posix.execv(sys.executable,\n"
        f"                    [sys.executable, '-c', 'import time; time.sleep(8)', {marker!r}])\n"
        "    while True:\n"
        "        pass\n"
    )
    start = time.monotonic()
    res = run_completion(add, completion, timeout_s=1.0)
    elapsed = time.monotonic() - start
    survivors = _processes_with(marker)
    for pid in survivors:  # clean up after the old runner
        os.kill(pid, 9)
    assert res.status == "timeout"
    assert elapsed < 1.0 + 2.0, f"run_completion took {elapsed:.1f} s against a 1 s timeout"
    assert survivors == []


def test_raw_socket_module_cannot_connect(add: HumanEvalProblem, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    completion = (
        "    import _socket\n"
        "    try:\n"
        "        s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)\n"
        f"        s.connect(('127.0.0.1', {port}))\n"
        "        s.sendall(b'leak')\n"
        "    except OSError:\n"
        "        pass\n"
        "    return a + b\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert res.status == "passed", res.detail
    assert _no_connection(listener)


def test_reloaded_socket_module_cannot_connect(
    add: HumanEvalProblem, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    completion = (
        "    import importlib, socket\n"
        "    socket = importlib.reload(socket)\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'leak')\n"
        "    except OSError:\n"
        "        pass\n"
        "    return a + b\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert res.status == "passed", res.detail
    assert _no_connection(listener)


def test_posix_fork_bomb_is_refused(add: HumanEvalProblem) -> None:
    # the answer is right only if no fork succeeded
    completion = (
        "    import posix\n"
        "    n = 0\n"
        "    for _ in range(50):\n"
        "        try:\n"
        "            pid = posix.fork()\n"
        "        except OSError:\n"
        "            break\n"
        "        if pid == 0:\n"
        "            posix._exit(0)\n"
        "        n += 1\n"
        "    return a + b + n\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert res.status == "passed", res.detail


def test_posix_spawn_is_refused(add: HumanEvalProblem, tmp_path: Path) -> None:
    marker = tmp_path / "spawned.txt"
    tmp_path.chmod(0o777)
    completion = (
        "    import posix\n"
        "    try:\n"
        f"        argv = ['/bin/sh', '-c', 'echo x > {marker}']\n"
        "        pid = posix.posix_spawn('/bin/sh', argv, {})\n"
        "        posix.waitpid(pid, 0)\n"
        "    except OSError:\n"
        "        pass\n"
        "    return a + b\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert res.status == "passed", res.detail
    assert not marker.exists()


def test_reloaded_os_system_is_refused(add: HumanEvalProblem, tmp_path: Path) -> None:
    marker = tmp_path / "system.txt"
    tmp_path.chmod(0o777)
    completion = (
        "    import importlib, os\n"
        "    os = importlib.reload(os)\n"
        f"    status = os.system('echo x > {marker}')\n"
        "    return a + b\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert res.status == "passed", res.detail
    assert not marker.exists()


def test_forged_success_marker_and_early_exit_fail(add: HumanEvalProblem) -> None:
    # a wrong solution that prints every token its script would print on success, writes
    # "passed" to every descriptor it has, then exits 0 before check() can fail
    completion = (
        "    import os, re, sys\n"
        "    source = open(sys.argv[0]).read()\n"
        "    for token in re.findall(r\"print\\('([0-9a-f]+)'\\)\", source):\n"
        "        print(token)\n"
        "    sys.stdout.flush()\n"
        "    for fd in range(1, 64):\n"
        "        try:\n"
        "            os.write(fd, b'passed\\n')\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n"
    )
    res = run_completion(add, completion, timeout_s=TIMEOUT_S)
    assert not res.passed and res.status == "failed", res


# --- what already held against the old runner, and must still hold ---


def test_infinite_loop_times_out(add: HumanEvalProblem) -> None:
    start = time.monotonic()
    res = run_completion(add, "    while True:\n        pass\n", timeout_s=1.0)
    assert res.status == "timeout" and time.monotonic() - start < 1.0 + 2.0


def test_two_gigabyte_allocation_fails(add: HumanEvalProblem) -> None:
    completion = (
        "    try:\n"
        "        bytearray(2 * 2**30)\n"
        "    except MemoryError:\n"
        "        return a + b\n"
        "    return 0\n"
    )
    assert run_completion(add, completion, timeout_s=TIMEOUT_S).status == "passed"


def test_file_size_is_capped(add: HumanEvalProblem) -> None:
    completion = (
        "    try:\n"
        "        with open('big.bin', 'wb') as f:\n"
        "            f.write(b'0' * (11 * 2**20))\n"
        "    except OSError:\n"
        "        return a + b\n"
        "    return 0\n"
    )
    assert run_completion(add, completion, timeout_s=TIMEOUT_S).status == "passed"


def test_correct_solution_passes_and_wrong_fails(add: HumanEvalProblem) -> None:
    assert run_completion(add, add.canonical_solution, timeout_s=TIMEOUT_S).status == "passed"
    wrong = run_completion(add, "    return a - b\n", timeout_s=TIMEOUT_S)
    assert wrong.status == "failed" and "AssertionError" in wrong.detail
