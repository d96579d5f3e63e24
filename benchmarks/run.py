"""Benchmarks, measured in one run and printed as ratios (nothing here is asserted).

For each measurement there is a *floor* (the least any client could do on the same data)
and a *baseline* (the straightforward notebook code an analyst would otherwise write):

* fetch:   raw httpx paging + JSON decode (floor) vs ``session.survey_answers()``;
* convert: ``pd.DataFrame(records)`` with no typing (floor) vs ``to_frame`` vs
           ``json_normalize`` + a per-value date parse with ``apply`` (baseline);
* tokens:  a request with a cached token vs one that renews it.

Run: ``make bench`` (or ``python benchmarks/run.py --days 365 --repeat 5``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd

import mdh_notebook as mdh
from mdh_notebook.sandbox import SandboxServer


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

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
                def floor_fetch() -> list[dict[str, Any]]:
                    records: list[dict[str, Any]] = []
                    params: dict[str, Any] = {"limit": 100}
                    while True:
                        body = raw.get("api/v1/delegated/surveyanswers", params=params).json()
                        records += body["surveyAnswers"]
                        if not body.get("nextPageID"):
                            return records
                        params["pageID"] = body["nextPageID"]

                records = floor_fetch()
                pages = -(-len(records) // 100)
                t_floor = timed(floor_fetch, args.repeat)
                t_session = timed(session.survey_answers, args.repeat)
                rows.append(("fetch all survey answers", f"{len(records)} rows, {pages} pages", t_floor, t_session))

            big = records * max(1, 20_000 // max(1, len(records)))
            t_plain = timed(lambda: pd.DataFrame(big), args.repeat)
            t_ours = timed(lambda: mdh.to_frame("survey_answers", big), args.repeat)
            t_naive = timed(lambda: naive_frame(big), max(1, args.repeat // 2))
            rows.append(("convert: to_frame vs untyped floor", f"{len(big)} records", t_plain, t_ours))
            rows.append(("convert: naive baseline vs to_frame", f"{len(big)} records", t_ours, t_naive))

            per_page = t_session / pages
            rows.append(("sandbox+client time per page", "", per_page, per_page))

            def renewing_call() -> None:
                client.run_flow(session.tokens.fresh_flow(force=True, stale=session.tokens.token))
                session.survey_answers(survey_name="PHQ-9")

            session.survey_answers(survey_name="PHQ-9")  # warm
            t_renew = timed(renewing_call, args.repeat)
            t_cached = timed(lambda: session.survey_answers(survey_name="PHQ-9"), args.repeat)
            rows.append(("PHQ-9 call: cached token vs renewing", "", t_cached, t_renew))

    print(f"{'measurement':40} {'data':28} {'first (ms)':>11} {'second (ms)':>12} {'ratio':>7}")
    for name, data, first, second in rows:
        print(f"{name:40} {data:28} {first * 1000:11.2f} {second * 1000:12.2f} {second / first:7.2f}")


if __name__ == "__main__":
    main()
