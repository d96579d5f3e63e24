"""Items 1 and 2 of issue 8: time to a typed frame against the floor and the quickstart baseline, the
requests that took and whether the rows are the floor's; then ``to_frame`` alone against
``json_normalize`` + ``to_datetime`` on the same records, and peak memory per row.

Within one repeat the floor (with the quickstart conversion after it) and the session run one after
the other, their order alternating between repeats, so that both see the same server and machine
state; the best of the repeats of each is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
from bench_datasets import PAGE, Dataset, make_client
from bench_measure import CountingTransport, Floor, FloorRun, best_of, peak_bytes, quickstart_frame, timed
from bench_report import Section, ratio
from bench_sandbox import SandboxProcess, data_requests

import mdh_notebook as mdh

__all__ = ["Pulled", "conversion_rows", "sequential_ratio", "time_to_frame"]


@dataclass
class Pulled:
    """What a time-to-frame measurement leaves for the conversion rows: the floor's records and the
    quickstart conversion's best time on them."""

    dataset: Dataset
    records: list[dict[str, Any]]
    quickstart_convert: float
    repeat: int
    session_frame: pd.DataFrame = field(repr=False)


def _same_rows(frame: pd.DataFrame, records: list[dict[str, Any]]) -> tuple[str, bool]:
    ids = [record["id"] for record in records]
    got = frame["id"].tolist() if "id" in frame else []
    if got == ids:
        return f"{len(got):,} = {len(ids):,} rows, same ids in the same order", True
    if sorted(map(str, got)) == sorted(map(str, ids)):
        return f"{len(got):,} = {len(ids):,} rows, same ids in another order", False
    lost, doubled = len(set(ids) - set(got)), len(got) - len(set(got))
    return f"{len(got):,} vs {len(ids):,} rows ({lost:,} lost, {doubled:,} doubled)", False


def time_to_frame(sandbox: SandboxProcess, data: Dataset, repeat: int, parallel: int,
                  section: Section) -> Pulled:
    """Section 1's rows for ``data`` (PT-0001's), added to ``section``."""
    assert sandbox.config is not None
    transport = CountingTransport()
    with make_client(sandbox.config, parallel, transport=transport) as client:
        session = client.connect("PT-0001", [data.scope])
        with data.floor_client(sandbox, session) as raw:
            floor = Floor(raw, data.path, data.items_key, data.wire)
            raw.get(data.path, params={**data.wire, "limit": PAGE}).raise_for_status()  # the server's first touch
            data.sample(session)
            floors: list[FloorRun] = []
            quick: list[float] = []
            sessions: list[float] = []
            requests: list[int] = []
            slices: list[int] = []
            frame = pd.DataFrame()
            for i in range(repeat):
                def run_floor() -> None:
                    seconds, run = timed(floor.run)
                    converted, _ = timed(partial(quickstart_frame, run.records, data.dates))
                    floors.append(run)
                    quick.append(seconds + converted)

                def run_session() -> None:
                    nonlocal frame
                    transport.reset()
                    before = sandbox.requests()
                    seconds, frame = timed(lambda: data.fetch(session))
                    requests.append(data_requests(before, sandbox.requests(), data.path))
                    slices.append(transport.first_pages.get(data.path, 0))
                    sessions.append(seconds)

                for step in (run_floor, run_session) if i % 2 == 0 else (run_session, run_floor):
                    step()
    records = floors[0].records
    n = len(records)
    minimum = -(-n // PAGE)
    t_floor = min(run.seconds for run in floors)
    t_quick, t_session = min(quick), min(sessions)
    who = f"Client(parallel={parallel})"
    section.add(f"{data.label}: session ÷ floor", ratio(t_session / t_floor), f"≤ {data.target_floor:.2f}×",
                t_session / t_floor <= data.target_floor)
    target_q = data.target_quickstart
    section.add(f"{data.label}: quickstart ÷ session", ratio(t_quick / t_session),
                f"≥ {target_q:.1f}×" if target_q is not None else "none set", None if target_q is None
                else t_quick / t_session >= target_q)
    runs = list(zip(requests, slices, strict=True))
    worst, cut = max(runs)  # the repeat that asked most, with its own slices
    seen = ", ".join(f"{r} / {c}" for r, c in sorted(set(runs)))
    varied = "" if len(set(runs)) == 1 else f" (the most of {repeat} repeats, which saw {seen})"
    section.add(f"{data.label}: session's data requests / minimum (⌈records / {PAGE}⌉) / slices",
                f"{worst:,} / {minimum:,} / {cut}{varied}", "≤ minimum + 1 per slice",
                all(r <= minimum + c for r, c in runs))
    text, same = _same_rows(frame, records)
    section.add(f"{data.label}: the session's rows vs the floor's", text, "same rows", same)
    section.note(f"{data.label}: {n:,} records, {floors[0].requests:,} pages; best of {repeat}: floor "
                 f"{t_floor * 1000:,.1f} ms, quickstart {t_quick * 1000:,.1f} ms, session {t_session * 1000:,.1f} ms "
                 f"({who}); the sandbox served a page in {floors[0].median_page_ms:.2f} ms "
                 f"(median round trip of the floor's bare requests, client included)")
    return Pulled(data, records, min(q - f.seconds for q, f in zip(quick, floors, strict=True)), repeat, frame)


def sequential_ratio(sandbox: SandboxProcess, data: Dataset, repeat: int, section: Section) -> None:
    """An informational row: the session paging one page after another (``parallel=1``), i.e. the
    cost of decoding and converting on top of the floor without slicing."""
    assert sandbox.config is not None
    with make_client(sandbox.config, 1) as client:
        session = client.connect("PT-0001", [data.scope])
        with data.floor_client(sandbox, session) as raw:
            floor = Floor(raw, data.path, data.items_key, data.wire)
            data.sample(session)
            t_floor = t_session = float("inf")
            for _ in range(repeat):
                t_floor = min(t_floor, timed(floor.run)[0])
                t_session = min(t_session, timed(lambda: data.fetch(session))[0])
    section.add(f"{data.label}: session with Client(parallel=1) ÷ floor", ratio(t_session / t_floor),
                "none set (sequential: conversion cost)", None)


def conversion_rows(pulled: Pulled, section: Section, memory_records: int) -> None:
    """Section 2's rows: ``to_frame`` alone vs the quickstart conversion on the floor's records."""
    data, records = pulled.dataset, pulled.records
    t_to_frame = best_of(lambda: mdh.to_frame(data.kind, records), pulled.repeat)
    section.add(f"{data.label}: (json_normalize + to_datetime) ÷ to_frame, {len(records):,} records",
                ratio(pulled.quickstart_convert / t_to_frame), "none set", None)
    sample = records[:memory_records]
    m_ours = peak_bytes(lambda: mdh.to_frame(data.kind, sample)) / max(1, len(sample))
    m_quick = peak_bytes(lambda: quickstart_frame(sample, data.dates)) / max(1, len(sample))
    section.add(f"{data.label}: peak bytes per row, to_frame vs json_normalize + to_datetime"
                f"{'' if len(sample) == len(records) else f' (first {len(sample):,} records)'}",
                f"{m_ours:,.0f} vs {m_quick:,.0f} B ({ratio(m_ours / m_quick)})", "none set", None)
    section.note(f"{data.label}: best of {pulled.repeat}: to_frame {t_to_frame * 1000:,.1f} ms, json_normalize + "
                 f"to_datetime {pulled.quickstart_convert * 1000:,.1f} ms (tracemalloc for the peaks)")
