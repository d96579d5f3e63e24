"""The benchmark harness still runs and prints its table (on tiny data, N = 1). Its numbers are
printed, never asserted: what is checked is the table's shape — every section there, every row a
measured ratio or count with the issue's target and an honest verdict — and the pieces a verdict
rests on (the token minimum, the same-rows check)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
SECTIONS = ("1. Time to frame", "2. Conversion alone", "3. Requests", "4. Cohort", "5. Token requests")
VERDICTS = {"met", "not met", "info"}  # "error" never: a broken measurement fails here
RATIO = re.compile(r"\d+\.\d\d×")


def bench_module(name: str) -> Any:
    """A module of benchmarks/ (a script's directory, not a package; its modules are all named bench_*)."""
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))  # appended: nothing of the suite's own is shadowed
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def smoke() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / "run.py"), "--smoke"], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def table(stdout: str) -> dict[str, list[list[str]]]:
    """Section title → its rows' cells (the Markdown tables run.py prints)."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for line in stdout.splitlines():
        if line.startswith("### "):
            current = sections.setdefault(line[4:], [])
        elif line.startswith("| ") and not line.startswith("| measurement |"):
            current.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return sections


def test_the_smoke_run_prints_every_section_with_honest_rows(smoke: subprocess.CompletedProcess[str]) -> None:
    assert smoke.returncode == 0, smoke.stdout[-3000:] + smoke.stderr[-3000:]
    sections = table(smoke.stdout)
    assert [title.split(" (")[0][: len(want)] for title, want in zip(sections, SECTIONS, strict=True)] == \
        list(SECTIONS)
    for title, rows in sections.items():
        assert rows, f"section {title!r} has no rows"
        for cells in rows:
            assert len(cells) == 4, cells
            measurement, measured, target, verdict = cells
            assert verdict in VERDICTS, cells
            assert target, cells
            if "÷" in measurement:
                assert RATIO.fullmatch(measured), cells  # a ratio, whatever its verdict
            else:
                assert re.search(r"\d", measured), cells  # a count or a row count
            if verdict == "info":
                assert target.startswith("none set"), cells  # a target stated means a verdict given
    assert "best of N = 1" in smoke.stdout
    assert re.search(r"served a page in \d+\.\d\d ms", smoke.stdout)
    assert re.search(r"commit \S+", smoke.stdout) and "machine: " in smoke.stdout


def test_the_time_to_frame_rows_name_both_pulls_and_their_requests(smoke: subprocess.CompletedProcess[str]) -> None:
    rows = next(rows for title, rows in table(smoke.stdout).items() if title.startswith("1."))
    names = [cells[0] for cells in rows]
    for pull in ("survey answers", "heart rate (v2, minute)"):
        assert any(name.startswith(pull) and name.endswith("session ÷ floor") for name in names), names
        assert any(name.startswith(pull) and "data requests / minimum" in name for name in names), names
        assert any(name.startswith(pull) and "rows vs the floor's" in name for name in names), names


def test_the_cohort_is_judged_against_page_after_page_and_only_shown_against_a_parallel_loop(
        smoke: subprocess.CompletedProcess[str]) -> None:
    rows = next(rows for title, rows in table(smoke.stdout).items() if title.startswith("4."))
    ratios = {cells[0]: cells for cells in rows if "÷ cohort" in cells[0]}
    (paged,) = [cells for name, cells in ratios.items() if "Client(parallel=1)" in name]
    assert paged[2] == "≥ 5×" and paged[3] in {"met", "not met"}, paged
    (looped,) = [cells for name, cells in ratios.items() if "Client(parallel=1)" not in name]
    assert looped[3] == "info" and "in flight" in looped[2], looped


def test_the_cache_row_reports_a_warm_re_run_of_one_request(smoke: subprocess.CompletedProcess[str]) -> None:
    rows = next(rows for title, rows in table(smoke.stdout).items() if title.startswith("3."))
    warm = [cells for cells in rows if "warm re-run" in cells[0]]
    assert warm and all(cells[2] == "= 1 per kind" for cells in warm)
    for cells in warm:
        assert (cells[3] == "met") == (cells[1] == "1"), cells


@given(st.lists(st.integers(0, 20), min_size=1, max_size=9).map(sorted), st.sampled_from([1, 3, 7]))
def test_the_token_minimum_is_the_fewest_tokens_that_cover_every_call(times: list[int], lifetime: int) -> None:
    """Against brute force: the smallest set of call times to renew at (a client renews when a call needs
    it) such that every call falls within a lifetime of the last renewal at or before it."""
    from itertools import combinations

    def covered(issued: tuple[int, ...]) -> bool:
        return all(any(t - lifetime < s <= t for s in issued) for t in times)

    fewest = next(k for k in range(1, len(times) + 1) if any(covered(c) for c in combinations(times, k)))
    assert bench_module("bench_budget").minimum_tokens([float(t) for t in times], float(lifetime)) == fewest


def test_the_token_minimum_of_an_hourly_lifetime_over_ten_hours() -> None:
    minimum_tokens = bench_module("bench_budget").minimum_tokens
    assert minimum_tokens([300.0 * i for i in range(121)], 3600) == 11  # t = 0, 1 h, …, 10 h
    assert minimum_tokens([300.0 * i for i in range(120)], 3600) == 10
    assert minimum_tokens([0.0, 3599.0], 3600) == 1


def test_the_same_rows_check_tells_order_loss_and_doubling_apart() -> None:
    import pandas as pd

    same_rows = bench_module("bench_frames")._same_rows
    records = [{"id": str(i)} for i in range(5)]
    assert same_rows(pd.DataFrame({"id": [str(i) for i in range(5)]}), records)[1] is True
    text, ok = same_rows(pd.DataFrame({"id": ["1", "0", "2", "3", "4"]}), records)
    assert not ok and "another order" in text
    text, ok = same_rows(pd.DataFrame({"id": ["0", "1", "2", "2", "3"]}), records)
    assert not ok and "1 lost, 1 doubled" in text
