"""The benchmark script still runs (on tiny data); its numbers are printed, never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_run_and_print_their_table() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--days", "40", "--repeat", "1",
                             "--convert-records", "500"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[-1] == "ratio"
    assert any(line.startswith("fetch all survey answers") for line in lines)
    assert any(line.startswith("fetch all sleep logs") for line in lines)
