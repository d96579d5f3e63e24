"""Items 3–5 of issue 8, what the rate budget and the latency cost: requests of a cold fetch and of a
warm re-run through the cache against the minimum, a cohort of 8 at 30 ms of added latency against
the same participants one after another, and token requests over a long run against the minimum.

Requests are counted by the sandbox (``GET /_sandbox/stats``), slices by the client's transport
(first pages: requests without a ``pageID``).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
from bench_datasets import PAGE, Dataset, make_client
from bench_measure import CountingTransport, timed
from bench_report import Section, ratio
from bench_sandbox import SandboxProcess, data_requests

import mdh_notebook as mdh

__all__ = ["cache_rows", "cohort_rows", "token_rows"]

COHORT = 8
LATENCY_MS = 30
TOKEN_PATH = "POST /identityserver/connect/token"


def cache_rows(sandbox: SandboxProcess, data: Dataset, rows: int, parallel: int, section: Section) -> None:
    """A cold fetch into an empty ``cache_dir``, then a re-run as a new session (a notebook run again)."""
    measurement = f"{data.label}: cache"
    assert sandbox.config is not None
    minimum = -(-rows // PAGE)
    options: dict[str, Any] = {"config": sandbox.config, "parallel": parallel}
    frames: list[pd.DataFrame] = []
    counts: list[int] = []
    slices = 0
    states: list[object] = []
    with tempfile.TemporaryDirectory(prefix="mdh-bench-cache-") as directory:
        for _ in ("cold", "warm"):
            transport = CountingTransport()
            session = mdh.connect("PT-0001", [data.scope], cache_dir=directory, transport=transport, **options)
            try:
                before = sandbox.requests()
                frame = data.fetch(session)
                counts.append(data_requests(before, sandbox.requests(), data.path))
            finally:
                session.close()
            slices = slices or transport.first_pages.get(data.path, 0)
            states.append(frame.attrs.get("cache"))
            frames.append(frame)
    cold, warm = counts
    section.add(f"{measurement}: cold fetch's data requests / minimum (⌈records / {PAGE}⌉) / slices",
                f"{cold:,} / {minimum:,} / {slices}", "≤ minimum + 1 per slice",
                cold <= minimum + slices and states[0] == "cold")
    section.add(f"{measurement}: warm re-run's data requests", f"{warm:,}", "= 1 per kind", warm == 1)
    try:
        pd.testing.assert_frame_equal(frames[1], frames[0], check_like=False)
        same, text = True, f"{len(frames[1]):,} = {len(frames[0]):,} rows, equal frames"
    except AssertionError:
        same, text = False, f"{len(frames[1]):,} vs {len(frames[0]):,} rows, frames differ"
    section.add(f"{measurement}: warm frame vs cold frame", text, "same rows", same and len(frames[0]) == rows)
    section.note(f"{measurement}: frame.attrs['cache'] was {states[0]!r}, then {states[1]!r}")


def _identifiers(sandbox: SandboxProcess) -> list[str]:
    assert sandbox.config is not None
    with mdh.Client(sandbox.config) as client:
        listing = client.frame("participants")
    return sorted(str(v) for v in listing["participant_identifier"])[:COHORT]


def cohort_rows(sandbox: SandboxProcess, data: Dataset, repeat: int, parallel: int, section: Section) -> None:
    """The same pull for ``COHORT`` participants: ``mdh.cohort(..., workers=8)`` vs one after another."""
    title = f"cohort of {COHORT} at {LATENCY_MS} ms latency ({data.label})"
    assert sandbox.config is not None
    config = sandbox.config
    ids = _identifiers(sandbox)

    def one_after_another(setting: int | None) -> pd.DataFrame:
        with make_client(config, setting) as client:
            return pd.concat([data.fetch(client.connect(pid, [data.scope])) for pid in ids], ignore_index=True)

    def together() -> pd.DataFrame:
        with mdh.cohort(ids, scopes=[data.scope], workers=COHORT, config=config) as group:
            return data.fetch(group)  # type: ignore[arg-type]  # the cohort has the session's read methods

    # one after another: each pull paged page after page (the baseline: what the cohort does per
    # participant), and with the client's own parallel paging (what a loop of connect() gets)
    settings = [1, parallel]
    runs: dict[str, Callable[[], pd.DataFrame]] = {
        **{f"seq{setting}": partial(one_after_another, setting) for setting in settings},
        "cohort": together}
    best = dict.fromkeys(runs, math.inf)
    frames: dict[str, pd.DataFrame] = {}
    sandbox.set_latency(LATENCY_MS)
    try:
        for i in range(repeat):
            names = list(runs)
            for name in names[i % len(names):] + names[: i % len(names)]:  # the order rotates
                seconds, frames[name] = timed(runs[name])
                best[name] = min(best[name], seconds)
    finally:
        sandbox.set_latency(0)
    co, t_co = frames["cohort"], best["cohort"]
    first = str(co.columns[0]) if len(co.columns) else "(none)"
    for setting in settings:
        how = f"Client(parallel={setting})"
        t_seq, seq = best[f"seq{setting}"], frames[f"seq{setting}"]
        if setting == 1:  # the "one after another": page after page
            section.add(f"{title}: one after another, {how}, ÷ cohort(workers={COHORT})", ratio(t_seq / t_co),
                        "≥ 5×", t_seq / t_co >= 5)
        else:  # a loop that already has up to `setting` requests in flight, against a cohort's COHORT
            section.add(f"{title}: one after another, {how}, ÷ cohort(workers={COHORT})", ratio(t_seq / t_co),
                        f"none set (the loop already has up to {setting} requests in flight, the cohort {COHORT})",
                        None)
        same_ids = co["id"].tolist() == seq["id"].tolist() if "id" in co and "id" in seq else False
        section.add(f"{title}: rows vs one after another ({how}); first column",
                    f"{len(co):,} vs {len(seq):,} rows, {'same ids in the same order' if same_ids else 'ids differ'}"
                    f"; {first}", "same rows; participant_identifier", same_ids and first == "participant_identifier")
        section.note(f"{title}: best of {repeat}: one after another with {how} {t_seq:.2f} s (one client, "
                     f"a session each)")
    section.note(f"{title}: best of {repeat}: cohort {t_co:.2f} s")


class SandboxTime:
    """The client's clock follows the sandbox's: both move on together (as in tests/test_rate_budget.py)."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.sandbox = sandbox
        self.offset = 0.0

    def clock(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.sandbox.advance_clock(seconds)
        self.offset += seconds


def minimum_tokens(call_times: list[float], lifetime: float) -> int:
    """The fewest tokens of one kind that cover calls at ``call_times``, each valid for ``lifetime`` s
    from when it is issued (a new one at the first call it no longer covers)."""
    count, issued = 0, -math.inf
    for t in call_times:
        if t >= issued + lifetime:
            count, issued = count + 1, t
    return count


def token_rows(sandbox: SandboxProcess, hours: float, every: float, section: Section,
               call: Callable[[mdh.ParticipantSession], object]) -> None:
    """One session calling every ``every`` seconds of sandbox time for ``hours`` (connect at t = 0)."""
    assert sandbox.config is not None
    at = SandboxTime(sandbox)
    steps = int(hours * 3600 // every) + 1
    before, tokens_before = sandbox.requests(), sandbox.tokens_issued()
    times: list[float] = []
    with mdh.Client(sandbox.config, clock=at.clock) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        for step in range(steps):
            if step:
                at.advance(every)
            times.append(at.offset)
            call(session)
    after, tokens_after = sandbox.requests(), sandbox.tokens_issued()
    requests = after[TOKEN_PATH] - before[TOKEN_PATH]
    service = tokens_after["client_credentials"] - tokens_before["client_credentials"]
    participant = tokens_after["delegated_participant"] - tokens_before["delegated_participant"]
    minimum = 2 * minimum_tokens(times, sandbox.token_lifetime)
    span = times[-1] / 3600
    section.add(f"token requests over {span:.1f} h of sandbox time ({steps} calls {every / 60:.0f} min apart, "
                f"tokens live {sandbox.token_lifetime:.0f} s) / minimum", f"{requests} / {minimum}",
                "= minimum (1 service + 1 participant token per lifetime)", requests <= minimum)
    section.note(f"tokens issued: {service} service, {participant} participant; the client's clock moved with "
                 "the sandbox's (POST /_sandbox/clock)")
