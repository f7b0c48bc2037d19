"""Wall time of the whole symbolic check (`steerbound theory`) and of importing the numeric API.

Run: ``python benchmarks/theory_check.py``. Goal: the check under 30 s on a 2-core machine;
``import steerbound.theory`` plus the first numeric call well under 2 s. Each timing runs in a
fresh interpreter so that no cache is shared.
"""

from __future__ import annotations

import subprocess
import sys
import time

IMPORT = "import steerbound.theory"
FIRST_CALL = "import steerbound.theory as T; T.theorem1_bound(1.0, 0.1, 1.0, 1.0)"
CHECK = (
    "from steerbound.theory.checks import check_all, exit_code; "
    "import sys; sys.exit(exit_code(check_all()))"
)


def _time(code: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], check=False)
    return time.perf_counter() - start, proc.returncode


def main() -> int:
    results = {}
    for name, code in (
        ("import steerbound.theory", IMPORT),
        ("import + first numeric call", FIRST_CALL),
        ("check_all() (whole symbolic check)", CHECK),
    ):
        seconds, rc = _time(code)
        results[name] = seconds
        print(f"{name:40s} {seconds:7.2f} s  (exit {rc})")
        if rc != 0:
            return rc
    goal = 30.0
    check = results["check_all() (whole symbolic check)"]
    print(f"symbolic check / 30 s goal = {check / goal:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
