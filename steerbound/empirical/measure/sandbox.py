"""OS-level isolation for model-written code (used by the HumanEval runner).

:func:`run_sandboxed` runs an untrusted *candidate* program, and optionally a trusted *judge*
program that calls the candidate's functions over a pair of pipes, under these layers:

``session``
    A launcher in a new session; the whole run is bounded by a wall-clock timeout.
``pid_namespace``
    A new PID namespace: when its first process exits (at the timeout, or when the judge and the
    candidate are done) the kernel kills every process left in it, ``setsid()`` children included,
    and the run returns only after they are gone.
``network_namespace``
    A new network namespace holding only a loopback device that is down: no socket can reach
    the host's network or its ``127.0.0.1``.
``mount_namespace``
    A new mount namespace in which every mount is read-only except a fresh, empty temporary
    working directory (also ``HOME`` and ``TMPDIR``); ``/proc`` shows only the sandbox's processes.
``unprivileged_user``
    The candidate runs as a fresh unused uid/gid without capabilities or supplementary groups,
    with ``no_new_privs`` (as root; otherwise in a user namespace as the caller's uid); the judge
    runs as another uid and is not ptrace-able.
``process_limit``
    ``RLIMIT_NPROC`` (per uid) caps the candidate's processes and threads (``max_processes``).
``resource_limits``
    CPU seconds, address space, file size, no core files.
``separate_judge``
    The verdict comes from the judge, another process that runs the checks and reports on a pipe
    the candidate does not hold; the candidate only ever sends plain data (``None``, bools,
    numbers, strings, bytes, lists, tuples, sets, dicts), so it cannot forge a pass by printing,
    exiting early or returning objects with a rigged ``__eq__``.

Layers that the platform refuses (not Linux, not root and no user namespaces, a kernel that
forbids ``unshare``) are listed in :attr:`SandboxResult.unavailable` with the reason; the rest
still apply. The namespaces are made with ``unshare(2)`` and ``mount(2)`` from the C library
(``ctypes``), since ``os.unshare`` only exists from Python 3.12 and there is no ``os.mount``.

This module imports only the standard library: it is also the launcher script
(``python -I -B sandbox.py SPEC``), run without importing :mod:`steerbound`.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYERS = (
    "session",
    "pid_namespace",
    "network_namespace",
    "mount_namespace",
    "unprivileged_user",
    "process_limit",
    "resource_limits",
    "separate_judge",
)

OUTPUT_TAIL_BYTES = 64 * 1024
LAUNCHER_GRACE_S = 10.0

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS = 1, 4, 38
_MOUNT_OPTION_FLAGS = {
    "nosuid": _MS_NOSUID,
    "nodev": _MS_NODEV,
    "noexec": _MS_NOEXEC,
    "noatime": _MS_NOATIME,
    "nodiratime": _MS_NODIRATIME,
    "relatime": _MS_RELATIME,
}

# Shared by the candidate and the judge: one JSON object per line; every value is tagged so
# that only plain data crosses (the receiver rebuilds it from builtin types only).
WIRE_SOURCE = r"""
import json as _sb_json, os as _sb_os, sys as _sb_sys

def _sb_enc(x, depth=0):
    if depth > 200:
        raise ValueError("value nested too deeply")
    if x is None or type(x) is bool:
        return x
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, str):
        return str.__str__(x)
    if isinstance(x, float):
        return {"f": float.__repr__(float(x))}
    if isinstance(x, complex):
        return {"c": [float.__repr__(x.real), float.__repr__(x.imag)]}
    if isinstance(x, (bytes, bytearray)):
        return {"b": bytes(x).hex()}
    for tag, kind in (("l", list), ("t", tuple), ("s", set), ("z", frozenset)):
        if isinstance(x, kind):
            return {tag: [_sb_enc(v, depth + 1) for v in x]}
    if isinstance(x, dict):
        return {"d": [[_sb_enc(k, depth + 1), _sb_enc(v, depth + 1)] for k, v in x.items()]}
    raise TypeError(f"cannot pass a {type(x).__name__} between the candidate and the judge")

def _sb_dec(x):
    if x is None or type(x) in (bool, int, str):
        return x
    if type(x) is dict and len(x) == 1:
        ((tag, v),) = x.items()
        if tag == "f" and type(v) is str:
            return float(v)
        if tag == "c" and type(v) is list and len(v) == 2 and all(type(p) is str for p in v):
            return complex(float(v[0]), float(v[1]))
        if tag == "b" and type(v) is str:
            return bytes.fromhex(v)
        if type(v) is list:
            if tag == "l":
                return [_sb_dec(e) for e in v]
            if tag == "t":
                return tuple(_sb_dec(e) for e in v)
            if tag == "s":
                return {_sb_dec(e) for e in v}
            if tag == "z":
                return frozenset(_sb_dec(e) for e in v)
            if tag == "d" and all(type(e) is list and len(e) == 2 for e in v):
                return {_sb_dec(k): _sb_dec(e) for k, e in v}
    raise ValueError("malformed value on the sandbox wire")

def _sb_send(stream, message):
    stream.write(_sb_json.dumps(message).encode("utf-8") + b"\n")
    stream.flush()
"""

# Appended to the candidate's program: answers the judge's calls until the judge is done.
CANDIDATE_SERVER = (
    WIRE_SOURCE
    + r"""
def _sb_serve(namespace):
    requests = _sb_os.fdopen(int(_sb_sys.argv[1]), "rb")
    replies = _sb_os.fdopen(int(_sb_sys.argv[2]), "wb")
    for line in requests:
        try:
            call = _sb_json.loads(line)
            fn = namespace[call["call"]]
            reply = {"ok": _sb_enc(fn(*_sb_dec(call["args"]), **_sb_dec(call["kwargs"])))}
        except BaseException as exc:
            reply = {"raise": [type(exc).__name__, str(exc)[:2000]]}
        _sb_send(replies, reply)

_sb_serve(globals())
"""
)

# Prepended to the judge's program: ``candidate_function(name)`` is a proxy for the candidate's
# function ``name``; ``report(text)`` is the verdict, on a pipe only the judge holds.
JUDGE_PRELUDE = (
    r"""
import builtins as _sb_builtins, ctypes as _sb_ctypes
try:  # not ptrace-able (nor its /proc/<pid>/fd, /proc/<pid>/mem) by a same-uid candidate
    _sb_ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
except (OSError, AttributeError):
    pass
"""
    + WIRE_SOURCE
    + r"""
_SB_REQUESTS = _sb_os.fdopen(int(_sb_sys.argv[1]), "wb")
_SB_REPLIES = _sb_os.fdopen(int(_sb_sys.argv[2]), "rb")
_SB_VERDICT = int(_sb_sys.argv[3])
_sb_os.write(_SB_VERDICT, b"ready\n")

def candidate_function(name):
    def candidate(*args, **kwargs):
        _sb_send(_SB_REQUESTS, {"call": name, "args": _sb_enc(list(args)),
                                "kwargs": _sb_enc(kwargs)})
        line = _SB_REPLIES.readline(1 << 24)
        if not line.endswith(b"\n"):
            raise RuntimeError("the candidate's process ended before answering")
        reply = _sb_json.loads(line)
        if type(reply) is dict and "raise" in reply and type(reply["raise"]) is list:
            kind, text = (str(p) for p in reply["raise"][:2])
            exc = getattr(_sb_builtins, kind, None)
            if isinstance(exc, type) and issubclass(exc, Exception):
                try:
                    err = exc(text)
                except Exception:
                    err = RuntimeError(f"{kind}: {text}")
            else:
                err = RuntimeError(f"{kind}: {text}")
            raise err
        if type(reply) is not dict or "ok" not in reply:
            raise ValueError("malformed reply from the candidate")
        return _sb_dec(reply["ok"])
    candidate.__name__ = name
    return candidate

def report(text):
    _sb_os.write(_SB_VERDICT, str(text).encode("utf-8"))

"""
)


@dataclass(frozen=True)
class SandboxResult:
    """Outcome of :func:`run_sandboxed`.

    ``returncode`` is the candidate's exit status (negative: killed by that signal; ``None``:
    stopped at the timeout or never started), ``verdict`` what the judge passed to ``report``
    (``None`` when it reported nothing or there is no judge), ``stdout``/``stderr`` the tails of
    the candidate's output, ``judge_output`` the tail of the judge's. ``layers`` are the active
    isolation layers (:data:`LAYERS`), ``unavailable`` one ``"layer: reason"`` per missing one.
    """

    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    verdict: str | None = None
    judge_returncode: int | None = None
    judge_output: str = ""
    layers: tuple[str, ...] = ()
    unavailable: tuple[str, ...] = ()
    wall_s: float = 0.0
    notes: tuple[str, ...] = field(default=())


def run_sandboxed(
    program: str,
    *,
    judge: str | None = None,
    timeout_s: float = 10.0,
    cpu_s: int | None = None,
    memory_bytes: int | None = 2 * 2**30,
    file_size_bytes: int = 10 * 2**20,
    max_processes: int = 8,
) -> SandboxResult:
    """Run ``program`` (untrusted Python source) under every isolation layer the platform allows.

    With ``judge`` (trusted Python source), the candidate's program is followed by a server that
    answers calls, and the judge runs in its own process with ``candidate_function(name)`` and
    ``report(text)`` defined (see :data:`JUDGE_PRELUDE`); the run ends when the judge exits.
    ``cpu_s`` defaults to ``timeout_s + 1``; ``max_processes`` is the candidate's ``RLIMIT_NPROC``
    (1: no fork, spawn or thread at all).
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    if max_processes < 1:
        raise ValueError(f"max_processes must be at least 1, got {max_processes}")
    if os.name != "posix" or not hasattr(os, "fork"):
        raise RuntimeError(f"the sandbox needs a POSIX system with fork(); this is {sys.platform}")
    start = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="steerbound-sandbox-"))
    try:
        code, work, out = root / "code", root / "work", root / "out"
        for d in (code, work, out):
            d.mkdir()
        (code / "candidate.py").write_text(
            program + ("\n\n" + CANDIDATE_SERVER if judge is not None else ""), encoding="utf-8"
        )
        if judge is not None:
            (code / "judge.py").write_text(JUDGE_PRELUDE + judge, encoding="utf-8")
        spec = {
            "python": sys.executable,
            "root": str(root),
            "judge": judge is not None,
            "timeout_s": float(timeout_s),
            "cpu_s": int(cpu_s if cpu_s is not None else int(timeout_s) + 1),
            "memory_bytes": memory_bytes,
            "file_size_bytes": int(file_size_bytes),
            "max_processes": int(max_processes),
        }
        (root / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        launcher = subprocess.Popen(
            [sys.executable, "-I", "-B", str(Path(__file__).resolve()), str(root / "spec.json")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            report_bytes, launcher_err = launcher.communicate(timeout=timeout_s + LAUNCHER_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(launcher.pid, signal.SIGKILL)
            report_bytes, launcher_err = launcher.communicate()
        try:
            report = json.loads(report_bytes.decode("utf-8", "replace").strip().splitlines()[-1])
        except (ValueError, IndexError):
            err = launcher_err.decode("utf-8", "replace").strip()[-2000:]
            raise RuntimeError(
                f"the sandbox launcher failed (exit status {launcher.returncode}): {err}"
            ) from None
        return SandboxResult(
            returncode=report.get("returncode"),
            timed_out=bool(report.get("timed_out")),
            stdout=_tail(out / "stdout"),
            stderr=_tail(out / "stderr"),
            verdict=report.get("verdict"),
            judge_returncode=report.get("judge_returncode"),
            judge_output=_tail(out / "judge"),
            layers=tuple(report.get("layers", ())),
            unavailable=tuple(report.get("unavailable", ())),
            wall_s=time.monotonic() - start,
            notes=tuple(report.get("notes", ())),
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as f:
            f.seek(max(0, path.stat().st_size - OUTPUT_TAIL_BYTES))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# The launcher (runs as ``python -I -B sandbox.py SPEC``).


class _Layers:
    """Which layers are active, and why the others are not."""

    def __init__(self) -> None:
        self.active: list[str] = []
        self.unavailable: dict[str, str] = {}
        self.notes: list[str] = []

    def on(self, name: str) -> None:
        if name not in self.active:
            self.active.append(name)

    def off(self, name: str, reason: str) -> None:
        if name in self.active:
            self.active.remove(name)
        self.unavailable.setdefault(name, reason)


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(libc: Any, source: str | None, target: str, fstype: str | None, flags: int) -> None:
    src = None if source is None else source.encode()
    kind = None if fstype is None else fstype.encode()
    _check(libc.mount(src, target.encode(), kind, flags, None), f"mount {target}")


def _mountpoints() -> list[tuple[str, int]]:
    """Mount points of this mount namespace with the flags to keep on a read-only remount."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            target = parts[4].encode().decode("unicode_escape")  # octal escapes: \040 is a space
            flags = 0
            for opt in parts[5].split(","):
                flags |= _MOUNT_OPTION_FLAGS.get(opt, 0)
            points.append((target, flags))
    return points


def _unshare(libc: Any, layers: _Layers, rootless: bool) -> set[str]:
    """Enter new namespaces; returns the names of those entered."""
    wanted = {
        "network_namespace": _CLONE_NEWNET,
        "mount_namespace": _CLONE_NEWNS,
        "pid_namespace": _CLONE_NEWPID,
        "ipc": _CLONE_NEWIPC,
        "uts": _CLONE_NEWUTS,
    }
    entered: set[str] = set()
    if rootless:  # one call with a user namespace, in which we then hold the capabilities
        uid, gid = os.getuid(), os.getgid()
        flags = _CLONE_NEWUSER
        for f in wanted.values():
            flags |= f
        if libc.unshare(flags) != 0:
            err = os.strerror(ctypes.get_errno())
            reason = f"not root and unshare(CLONE_NEWUSER) failed: {err}"
            for name in wanted:
                layers.off(name, reason)
            layers.off("unprivileged_user", reason + " (runs as the caller's uid)")
            return entered
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                           ("gid_map", f"{gid} {gid} 1")):  # fmt: skip
            Path(f"/proc/self/{name}").write_text(text)
        layers.notes.append("user namespace: the candidate runs as the caller's uid")
        return set(wanted)
    for name, flag in wanted.items():
        if libc.unshare(flag) == 0:
            entered.add(name)
        else:
            layers.off(name, f"unshare failed: {os.strerror(ctypes.get_errno())}")
    return entered


def _cover_plan(paths: list[str]) -> dict[Path, set[Path]] | None:
    """Directories above ``paths`` closed to other users (e.g. ``/root``, mode 0700), each with
    the children to keep visible; None when a path cannot be opened up this way (a second closed
    directory on its way, or the path itself closed)."""
    plan: dict[Path, set[Path]] = {}
    for path in paths:
        parts = Path(path).parts
        for depth in range(1, len(parts)):
            here = Path(*parts[: depth + 1])
            if not here.is_dir() or os.stat(here).st_mode & 0o001:
                continue
            if depth == len(parts) - 1:
                return None
            child = Path(*parts[: depth + 2])
            rest = [Path(*parts[: k + 1]) for k in range(depth + 1, len(parts))]
            if any(p.is_dir() and not os.stat(p).st_mode & 0o001 for p in rest):
                return None
            plan.setdefault(here, set()).add(child)
            break
    return plan


def _apply_cover(libc: Any, holding: Path, plan: dict[Path, set[Path]]) -> None:
    """Cover each closed directory with an empty tmpfs holding only the needed children, bound
    back from their original place (made read-only with everything else)."""
    for i, (parent, children) in enumerate(plan.items()):
        kept = []
        for j, child in enumerate(sorted(children)):
            keep = holding / f"hold{i}-{j}"
            keep.mkdir()
            _mount(libc, str(child), str(keep), None, _MS_BIND | _MS_REC)
            kept.append((child, keep))
        _mount(libc, "tmpfs", str(parent), "tmpfs", _MS_NOSUID | _MS_NODEV)
        os.chmod(parent, 0o755)
        for child, keep in kept:
            (parent / child.name).mkdir()
            _mount(libc, str(keep), str(parent / child.name), None, _MS_BIND | _MS_REC)


def _setup_mounts(
    libc: Any, spec: dict[str, Any], layers: _Layers, cover: dict[Path, set[Path]] | None
) -> bool:
    """Read-only mounts except the working and output folders; returns whether ``cover`` (the
    directories to open up for another uid, :func:`_cover_plan`) was applied."""
    root = Path(spec["root"])
    work = str(root / "work")
    try:
        _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)
        _mount(libc, work, work, None, _MS_BIND)
        out = str(root / "out")
        _mount(libc, out, out, None, _MS_BIND)
        spec["out_bound"] = True
        covered = False
        if cover is not None:
            _apply_cover(libc, root / "hold", cover)
            covered = True
        failed = []
        for target, flags in _mountpoints():
            if target in (work, out):
                continue
            flags |= _MS_REMOUNT | _MS_BIND | _MS_RDONLY
            if libc.mount(None, target.encode(), None, flags, None) != 0:
                failed.append(f"{target} ({os.strerror(ctypes.get_errno())})")
        if failed:
            layers.off("mount_namespace", "could not make read-only: " + ", ".join(failed[:5]))
        return covered
    except OSError as exc:
        layers.off("mount_namespace", str(exc))
        return False


def _fresh_ids() -> tuple[int, int]:
    """A fresh unused uid/gid pair (uid == gid), far above any system or user account."""
    uid = secrets.randbelow(2**30) + 2**20
    return uid, uid


def _limits_preexec(spec: dict[str, Any], nproc: int | None) -> Any:
    def apply() -> None:
        limits = [
            (resource.RLIMIT_CPU, spec["cpu_s"]),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_FSIZE, spec["file_size_bytes"]),
            (resource.RLIMIT_AS, spec["memory_bytes"]),
        ]
        if nproc is not None:
            limits.append((resource.RLIMIT_NPROC, nproc))
        for lim, val in limits:
            if val is not None:
                with contextlib.suppress(ValueError, OSError):
                    resource.setrlimit(lim, (val, val))
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.umask(0o077)

    return apply


def _supervise(spec: dict[str, Any], in_pid_ns: bool) -> dict[str, Any]:
    """Start the judge and the candidate, wait for them (until the deadline), report."""
    deadline = time.monotonic() + spec["timeout_s"]
    root = Path(spec["root"])
    work = root / "work"
    python = spec["python"]
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(work),
        "TMPDIR": str(work),
    }
    cand_ids, judge_ids = spec.get("cand_ids"), spec.get("judge_ids")
    out = root / "out"

    def out_file(name: str) -> int:
        return os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    stdout, stderr, judge_out = out_file("stdout"), out_file("stderr"), out_file("judge")
    if spec.get("out_bound"):  # detach the writable output folder: only these descriptors remain
        with contextlib.suppress(OSError):
            _check(_libc().umount2(str(out).encode(), 2), f"umount {out}")
    procs: list[subprocess.Popen[bytes]] = []
    report: dict[str, Any] = {"returncode": None, "judge_returncode": None, "verdict": None}
    judge = None
    verdict_r = -1
    cand_fds: tuple[int, ...] = ()
    if spec["judge"]:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        verdict_r, verdict_w = os.pipe()
        judge = subprocess.Popen(
            [python, "-I", "-B", str(root / "code" / "judge.py"), str(req_w), str(rep_r),
             str(verdict_w)],
            stdin=subprocess.DEVNULL, stdout=judge_out, stderr=judge_out, cwd=root / "code",
            env=env, pass_fds=(req_w, rep_r, verdict_w), start_new_session=True,
            preexec_fn=_limits_preexec(spec, None),
            **_ids_kwargs(judge_ids),
        )  # fmt: skip
        procs.append(judge)
        for fd in (req_w, rep_r, verdict_w):
            os.close(fd)
        ready = _read_until(verdict_r, b"ready\n", deadline)
        if ready is None:
            report["notes"] = ["the judge did not start"]
        cand_fds = (req_r, rep_w)
    cand = subprocess.Popen(
        [python, "-I", "-B", str(root / "code" / "candidate.py"), *map(str, cand_fds)],
        stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=work, env=env,
        pass_fds=cand_fds, start_new_session=True,
        preexec_fn=_limits_preexec(spec, spec["max_processes"]),
        **_ids_kwargs(cand_ids),
    )  # fmt: skip
    procs.append(cand)
    for fd in (*cand_fds, stdout, stderr, judge_out):
        os.close(fd)
    timed_out = False
    try:
        if judge is not None:
            judge.wait(timeout=max(0.0, deadline - time.monotonic()))
            cand.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
        else:
            cand.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = judge is None or judge.returncode is None
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if not in_pid_ns:  # best effort: kill what is left in the process groups
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
    report["timed_out"] = timed_out
    report["returncode"] = None if timed_out else cand.returncode
    if judge is not None:
        report["judge_returncode"] = None if timed_out else judge.returncode
        rest = _read_all(verdict_r)
        report["verdict"] = None if timed_out or not rest else rest.decode("utf-8", "replace")
    return report


def _ids_kwargs(ids: tuple[int, int] | None) -> dict[str, Any]:
    return {} if ids is None else {"user": ids[0], "group": ids[1], "extra_groups": []}


def _read_until(fd: int, token: bytes, deadline: float) -> bytes | None:
    data = b""
    while not data.endswith(token):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1)
        if not chunk:
            return None
        data += chunk
    return data


def _read_all(fd: int) -> bytes:
    os.set_blocking(fd, False)
    data = b""
    with contextlib.suppress(BlockingIOError):
        while len(data) < OUTPUT_TAIL_BYTES:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    os.close(fd)
    return data


def _launch(spec: dict[str, Any]) -> dict[str, Any]:
    """The launcher: new namespaces, read-only mounts, then the supervisor as PID 1."""
    layers = _Layers()
    layers.on("session")
    layers.on("resource_limits")
    if spec["judge"]:
        layers.on("separate_judge")
    else:
        layers.off("separate_judge", "no judge given: the caller judges the candidate's output")
    as_root = os.geteuid() == 0
    root = Path(spec["root"])
    (root / "hold").mkdir()
    os.chmod(root, 0o711)  # readable by another uid; done before the mounts turn read-only
    for p in (root / "code", *(root / "code").iterdir()):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    needed = [os.path.realpath(spec["python"]), sys.base_prefix, sys.prefix]
    cover = _cover_plan(needed) if as_root else None
    covered = False
    entered: set[str] = set()
    if sys.platform.startswith("linux"):
        libc = _libc()
        entered = _unshare(libc, layers, rootless=not as_root)
        for name in ("network_namespace", "mount_namespace", "pid_namespace"):
            if name in entered:
                layers.on(name)
        if not as_root and "mount_namespace" in entered:
            layers.on("unprivileged_user")  # no capabilities left after execve
        if "mount_namespace" in entered:
            covered = _setup_mounts(libc, spec, layers, cover)
    else:
        libc = None
        reason = f"not Linux ({sys.platform}): no namespaces"
        for name in ("pid_namespace", "network_namespace", "mount_namespace"):
            layers.off(name, reason)
    if not as_root and "mount_namespace" not in entered:
        layers.off("unprivileged_user", "not root and no user namespace: runs as the caller")
    if as_root and (cover == {} or covered):
        spec["cand_ids"], spec["judge_ids"] = _fresh_ids(), _fresh_ids()
        os.chown(root / "work", *spec["cand_ids"])  # the working folder stays writable
        layers.on("unprivileged_user")
    elif as_root:
        layers.off(
            "unprivileged_user",
            f"the interpreter ({', '.join(needed)}) is not readable by other users and cannot be "
            "opened up without a mount namespace: the candidate runs as root",
        )
        layers.off("process_limit", "RLIMIT_NPROC does not apply to root")
    if as_root:
        if "unprivileged_user" in layers.active:
            layers.on("process_limit")
    elif "pid_namespace" in entered:
        layers.on("process_limit")
        layers.notes.append("process limit counts the caller's processes in the user namespace")
    else:
        layers.off("process_limit", "RLIMIT_NPROC counts every process of the caller's uid")
    if "pid_namespace" not in layers.active:
        layers.unavailable.setdefault(
            "pid_namespace", "no PID namespace: a setsid() child can outlive the timeout"
        )
    status_r, status_w = os.pipe()
    child = os.fork()
    if child == 0:  # PID 1 of the new PID namespace (when there is one)
        code = 1
        try:
            os.close(status_r)
            if libc is not None:
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            in_pid_ns = "pid_namespace" in entered
            if in_pid_ns and "mount_namespace" in layers.active:
                _mount(libc, "proc", "/proc", "proc",
                       _MS_NOSUID | _MS_NODEV | _MS_NOEXEC | _MS_RDONLY)  # fmt: skip
            report = _supervise(spec, in_pid_ns)
            os.write(status_w, json.dumps(report).encode())
            code = 0
        except BaseException as exc:  # report, never raise out of the fork
            with contextlib.suppress(OSError):
                os.write(status_w, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        finally:
            os._exit(code)
    os.close(status_w)
    grace = spec["timeout_s"] + LAUNCHER_GRACE_S / 2
    deadline = time.monotonic() + grace
    while True:
        pid, _status = os.waitpid(child, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            break
        time.sleep(0.005)
    raw = _read_all(status_r)
    try:
        report = json.loads(raw.decode("utf-8")) if raw else {"timed_out": True}
    except ValueError:
        report = {"error": "malformed report from the supervisor"}
    if "error" in report:
        raise RuntimeError(report["error"])
    report["layers"] = [name for name in LAYERS if name in layers.active]
    report["unavailable"] = [f"{k}: {v}" for k, v in layers.unavailable.items()]
    report["notes"] = layers.notes + report.get("notes", [])
    return report


def _main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    try:
        report = _launch(spec)
    except Exception as exc:
        print(f"sandbox launcher: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
