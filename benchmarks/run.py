"""Benchmarks of issue 8, measured in one run on the same sandbox data and printed as ratios, each
against the issue's target with its verdict (nothing here is asserted; tests never time anything).

1. time to frame vs the floor (bare httpx paging + stdlib json, sequential) and vs the quickstart
   baseline (the same paging, then ``pd.json_normalize`` + ``pd.to_datetime``), for two years of
   PT-0001's survey answers and a year of minute heart rate (device data v2, Fitbit heart-rate),
   with the requests it took and a same-rows check against the floor;
2. ``to_frame`` alone vs ``json_normalize`` + ``to_datetime`` on the same records, peak memory per row;
3. data requests of a cold fetch and a warm re-run through the cache vs the minimum (records ÷ 100);
4. a cohort of 8 participants at 30 ms of added latency vs the same pulls one after another;
5. token requests over a long run (the sandbox's clock moved on) vs the minimum.

The sandboxes run as separate processes (``mdh-notebook sandbox``), as a real API is another
machine: in one process the GIL would serialise client and server. One serves two years to 8
participants (survey answers, cache, cohort, tokens), one a year to PT-0001 (heart rate).

Run: ``make bench`` (``python benchmarks/run.py``; ``--smoke`` for a seconds-long run on tiny data).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
from bench_budget import cache_rows, cohort_rows, token_rows
from bench_datasets import heart_rate, survey_answers
from bench_frames import Pulled, conversion_rows, sequential_ratio, time_to_frame
from bench_report import Section
from bench_sandbox import SandboxProcess

import mdh_notebook as mdh

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def header(args: argparse.Namespace) -> list[str]:
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        "## mdh_notebook benchmarks (issue 8)",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; commit {_commit()}",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores ({_cpu()}), "
        f"load average {load} at the start",
        f"- Python {platform.python_version()}, pandas {pd.__version__}, mdh_notebook {mdh.__version__}",
        f"- command: {shlex.join(['python', 'benchmarks/run.py', *sys.argv[1:]])}",
        f"- best of N = {args.repeat} in one run (heart rate: N = {args.hr_repeat}, "
        f"cohort: N = {args.cohort_repeat}); "
        f"parallel = {args.parallel}",
        "",
    ]


def guarded(section: Section, what: str, target: str, step: Callable[[], object]) -> object:
    """Run one measurement; an exception becomes an ``error`` row, and the other rows still run."""
    began = time.perf_counter()
    try:
        return step()
    except Exception as exc:  # a benchmark reports what broke instead of losing the whole table
        section.failed(what, target, exc)
        return None
    finally:
        section.seconds += time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--survey-days", type=int, default=730, help="days of survey answers (default two years)")
    parser.add_argument("--hr-days", type=int, default=365, help="days of minute heart rate (default a year)")
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the survey answers (default 5)")
    parser.add_argument("--hr-repeat", type=int, default=2,
                        help="best of N for the heart-rate pulls (default 2: each sequential pull is ~4,600 pages)")
    parser.add_argument("--cohort-repeat", type=int, default=3, help="best of N for the cohort rows (default 3)")
    parser.add_argument("--parallel", type=int, default=4, help="Client(parallel=) where it exists (default 4)")
    parser.add_argument("--hours", type=float, default=10, help="sandbox hours of the token run (default 10)")
    parser.add_argument("--every", type=float, default=300, help="seconds between the token run's calls")
    parser.add_argument("--memory-records", type=int, default=50_000,
                        help="records for the peak-memory rows (tracemalloc is slow; default %(default)s)")
    parser.add_argument("--smoke", action="store_true", help="tiny data, N = 1: checks the harness, not the speed")
    args = parser.parse_args(argv)
    if args.smoke:
        args.survey_days, args.hr_days, args.hours = 40, 2, 2.5
        args.repeat = args.hr_repeat = args.cohort_repeat = 1

    began = time.perf_counter()
    for line in header(args):
        print(line)
    frames = Section("1. Time to frame (PT-0001)")
    conversion = Section("2. Conversion alone, on the floor's records")
    requests = Section("3. Requests: cold fetch, warm re-run (cache), minimum")
    cohort = Section("4. Cohort")
    tokens = Section("5. Token requests over a long run")
    surveys = SandboxProcess(days=args.survey_days, participants=8).launch()
    beats = SandboxProcess(days=args.hr_days, participants=1).launch()
    try:
        surveys.wait_ready()
        beats.wait_ready()
        answers, hr = survey_answers(surveys), heart_rate(beats)
        pulled: list[Pulled] = []
        for sandbox, data, repeat in ((surveys, answers, args.repeat), (beats, hr, args.hr_repeat)):
            got = guarded(frames, f"{data.label}: time to frame", f"≤ {data.target_floor:.2f}× floor",
                          partial(time_to_frame, sandbox, data, repeat, args.parallel, frames))
            if isinstance(got, Pulled):
                pulled.append(got)
            if data is answers:
                guarded(frames, f"{data.label}: sequential", "none set",
                        lambda: sequential_ratio(surveys, answers, args.repeat, frames))
        for got in pulled:
            guarded(conversion, f"{got.dataset.label}: conversion", "none set",
                    partial(conversion_rows, got, conversion, args.memory_records))
        for got in pulled:
            sandbox = surveys if got.dataset is answers else beats
            guarded(requests, f"{got.dataset.label}: cache", "cold ≤ minimum + 1 per slice; warm = 1",
                    partial(cache_rows, sandbox, got.dataset, len(got.records), args.parallel, requests))
        guarded(cohort, "cohort", "≥ 5×",
                partial(cohort_rows, surveys, answers, args.cohort_repeat, args.parallel, cohort))
        guarded(tokens, "token requests", "= minimum",
                lambda: token_rows(surveys, args.hours, args.every, tokens,
                                   lambda s: s.survey_answers(survey_name="PHQ-9")))
        frames.note(f"sandboxes (separate processes) ready in {surveys.started_in:.1f} s "
                    f"({args.survey_days} days × 8 participants) and {beats.started_in:.1f} s "
                    f"({args.hr_days} days × 1)")
    finally:
        surveys.stop()
        beats.stop()
    sections = (frames, conversion, requests, cohort, tokens)
    for section in sections:
        section.render()
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    spent = ", ".join(f"{section.title.split('.')[0]}: {section.seconds:.0f} s" for section in sections)
    start = max(surveys.started_in, beats.started_in)
    print(f"wall time {time.perf_counter() - began:.0f} s (sandboxes' start {start:.0f} s; sections {spent}); "
          f"load average {load} at the end")
    return 1 if any(section.errors for section in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
