"""Benchmarks, measured in one run and printed as ratios (nothing here is asserted).

For each measurement there is a *floor* (the least any client could do on the same data)
and a *baseline* (the straightforward notebook code an analyst would otherwise write):

* fetch:   raw httpx paging + JSON decode (floor) vs the session's typed frame, for survey
           answers (100 a page) and sleep logs (25 a page);
* convert: ``pd.DataFrame(records)`` with no typing (floor) vs ``to_frame`` vs
           ``json_normalize`` + a per-value date parse with ``apply`` (baseline);
* tokens:  a request with a cached token vs one that renews it;
* floor (issue 8, items 1–2): two years of PT-0001's survey answers, best of ``--repeat``, in one
           run: time to a typed frame vs the floor (bare httpx paging + stdlib ``json``) and vs the
           quickstart baseline (the same paging, then ``pd.json_normalize`` + ``pd.to_datetime``),
           ``to_frame`` alone vs ``json_normalize`` + ``to_datetime`` on the same records, and
           peak memory per row of each (tracemalloc).

Run: ``make bench`` (or ``python benchmarks/run.py --days 365 --repeat 5``; ``--only floor`` for the
floor table alone).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer


def timed(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def naive_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.json_normalize(records)
    for column in ("date", "insertedDate"):
        frame[column] = frame[column].apply(lambda v: pd.to_datetime(v, utc=True) if isinstance(v, str) else pd.NaT)
    return frame


def best(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def peak_bytes(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


QUICKSTART_DATES = ("date", "insertedDate")


def quickstart_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """What an analyst writes from the quickstart: flatten, then parse the date columns."""
    frame = pd.json_normalize(records)
    for column in QUICKSTART_DATES:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def floor_table(days: int, repeat: int) -> None:
    """Issue 8, items 1–2: survey answers of PT-0001 over ``days`` (two years by default)."""
    with SandboxServer(days=days).start() as server:
        creds = server.credentials
        config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                        project_id=creds.project_id, private_key=creds.private_key_pem)
        with mdh.Client(config) as client:
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            assert session.token is not None
            bearer = {"Authorization": f"Bearer {session.token.value}"}
            with httpx.Client(base_url=server.url, headers=bearer) as raw:
                def floor() -> list[dict[str, Any]]:
                    records: list[dict[str, Any]] = []
                    params: dict[str, Any] = {"limit": 100}
                    while True:
                        body = json.loads(raw.get("api/v1/delegated/surveyanswers", params=params).content)
                        records += body["surveyAnswers"]
                        if not body.get("nextPageID"):
                            return records
                        params["pageID"] = body["nextPageID"]

                records = floor()
                ours = session.survey_answers()
                assert len(ours) == len(records), (len(ours), len(records))
                pages = -(-len(records) // 100)
                # interleaved, best of each: the three fetches see the same server and machine state
                t_floor = t_quick = t_session = float("inf")
                for _ in range(repeat):
                    t_floor = min(t_floor, best(floor, 1))
                    t_quick = min(t_quick, best(lambda: quickstart_frame(floor()), 1))
                    t_session = min(t_session, best(session.survey_answers, 1))
        t_convert = best(lambda: mdh.to_frame("survey_answers", records), repeat)
        t_normalize = best(lambda: quickstart_frame(records), repeat)
        m_convert = peak_bytes(lambda: mdh.to_frame("survey_answers", records))
        m_normalize = peak_bytes(lambda: quickstart_frame(records))

    n = len(records)
    print(f"floor: PT-0001 survey answers, {days} days: {n} records, {pages} pages, best of {repeat}")
    print(f"  {'measurement':34} {'ms':>9}")
    print(f"  {'floor (httpx + json)':34} {t_floor * 1000:9.2f}")
    print(f"  {'quickstart (floor + normalize)':34} {t_quick * 1000:9.2f}")
    print(f"  {'session.survey_answers()':34} {t_session * 1000:9.2f}")
    print(f"  {'to_frame alone':34} {t_convert * 1000:9.2f}")
    print(f"  {'json_normalize + to_datetime':34} {t_normalize * 1000:9.2f}")
    print(f"  session ÷ floor            {t_session / t_floor:6.2f}   (done when ≤ 1.15)")
    print(f"  quickstart ÷ session       {t_quick / t_session:6.2f}   (done when ≥ 1.2)")
    print(f"  normalize ÷ to_frame       {t_normalize / t_convert:6.2f}   (to_frame's speed-up)")
    print(f"  peak bytes/row: to_frame {m_convert / n:.0f}, json_normalize + to_datetime {m_normalize / n:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--convert-records", type=int, default=20_000,
                        help="records for the conversion measurements (default %(default)s)")
    parser.add_argument("--floor-days", type=int, default=730,
                        help="days of survey answers for the floor table (default %(default)s: two years)")
    parser.add_argument("--only", choices=("all", "floor"), default="all")
    args = parser.parse_args()

    if args.only == "floor":
        floor_table(args.floor_days, args.repeat)
        return

    rows: list[tuple[str, str, float, float]] = []
    with SandboxServer(days=args.days).start() as server:
        creds = server.credentials
        config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                        project_id=creds.project_id, private_key=creds.private_key_pem)
        with mdh.Client(config) as client:
            session = client.connect("PT-0001", ["SurveyAnswers:read", "FitbitSleepLogs:read"])
            assert session.token is not None
            bearer = {"Authorization": f"Bearer {session.token.value}"}
            with httpx.Client(base_url=server.url, headers=bearer) as raw:
                def floor_fetch(path: str, key: str, size_param: str, size: int) -> list[dict[str, Any]]:
                    records: list[dict[str, Any]] = []
                    params: dict[str, Any] = {size_param: size}
                    while True:
                        body = raw.get(path, params=params).json()
                        records += body[key]
                        if not body.get("nextPageID"):
                            return records
                        params["pageID"] = body["nextPageID"]

                for label, path, key, size_param, size, method in (
                    ("survey answers", "api/v1/delegated/surveyanswers", "surveyAnswers", "limit", 100,
                     session.survey_answers),
                    ("sleep logs", "api/v1/delegated/fitbit/sleepLogs", "results", "pageSize", 25,
                     session.fitbit_sleep_logs),
                ):
                    def floor(path: str = path, key: str = key, sp: str = size_param, n: int = size) -> Any:
                        return floor_fetch(path, key, sp, n)

                    fetched = floor()
                    pages = -(-len(fetched) // size)
                    t_floor = timed(floor, args.repeat)
                    t_session = timed(method, args.repeat)
                    rows.append((f"fetch all {label}: raw floor vs session", f"{len(fetched)} rows, {pages} pages",
                                 t_floor, t_session))
                    if label == "survey answers":
                        records = fetched
                        rows.append(("  per page", "", t_floor / pages, t_session / pages))

            big = records * max(1, args.convert_records // max(1, len(records)))
            t_plain = timed(lambda: pd.DataFrame(big), args.repeat)
            t_ours = timed(lambda: mdh.to_frame("survey_answers", big), args.repeat)
            t_naive = timed(lambda: naive_frame(big), max(1, args.repeat // 2))
            rows.append(("convert: to_frame vs untyped floor", f"{len(big)} records", t_plain, t_ours))
            rows.append(("convert: naive baseline vs to_frame", f"{len(big)} records", t_ours, t_naive))

            def renewing_call() -> None:
                client.run_flow(session.tokens.fresh_flow(force=True, stale=session.tokens.token))
                session.survey_answers(survey_name="PHQ-9")

            session.survey_answers(survey_name="PHQ-9")  # warm
            t_renew = timed(renewing_call, args.repeat)
            t_cached = timed(lambda: session.survey_answers(survey_name="PHQ-9"), args.repeat)
            rows.append(("PHQ-9 call: cached token vs renewing", "", t_cached, t_renew))

    print(f"{'measurement':46} {'data':28} {'first (ms)':>11} {'second (ms)':>12} {'ratio':>7}")
    for name, data, first, second in rows:
        print(f"{name:46} {data:28} {first * 1000:11.2f} {second * 1000:12.2f} {second / first:7.2f}")
    print()
    floor_table(args.floor_days, args.repeat)


if __name__ == "__main__":
    main()
