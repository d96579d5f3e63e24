"""The two pulls the issue names, described once for the floor, the baseline, the session and the cache.
The features issue 8 added (``Client(parallel=)``, ``connect(cache_dir=)``, ``mdh.cohort``) are called
as they are: a renamed keyword fails the run loudly rather than measure something else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
from bench_sandbox import SandboxProcess

import mdh_notebook as mdh

__all__ = ["Dataset", "heart_rate", "make_client", "survey_answers"]

PAGE = 100  # every list the benchmarks pull is paged at the endpoint's maximum, 100 a page


def make_client(config: mdh.Config, parallel: int | None, **options: Any) -> mdh.Client:
    """``Client(config, parallel=parallel)`` (None: the client's default)."""
    if parallel is not None:
        options["parallel"] = parallel
    return mdh.Client(config, **options)


@dataclass(frozen=True)
class Dataset:
    label: str
    kind: str
    path: str
    items_key: str
    scope: str
    wire: dict[str, Any]  # the floor's query (wire names), the same filters the session sends
    fetch: Callable[[mdh.ParticipantSession], pd.DataFrame]
    sample: Callable[[mdh.ParticipantSession], pd.DataFrame]  # one page: warms the code paths, not timed
    dates: tuple[str, ...]  # the quickstart's to_datetime columns
    target_floor: float  # session ÷ floor at most this
    target_quickstart: float | None  # quickstart ÷ session at least this (None: the issue sets none)

    def floor_client(self, sandbox: SandboxProcess, session: mdh.ParticipantSession) -> httpx.Client:
        assert session.token is not None
        return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {session.token.value}"},
                            timeout=60)


def survey_answers(sandbox: SandboxProcess) -> Dataset:
    low, high = sandbox.whole_range()
    years = sandbox.days / 365
    return Dataset(
        label=f"survey answers, {years:.0f} year{'s' if years >= 1.5 else ''}" if years >= 1
        else f"survey answers, {sandbox.days} days",
        kind="survey_answers", path="api/v1/delegated/surveyanswers", items_key="surveyAnswers",
        scope="SurveyAnswers:read", wire={"after": low, "before": high},
        fetch=lambda s: s.survey_answers(after=low, before=high),
        sample=lambda s: s.survey_answers(survey_name="PHQ-9", after=low, before=high),
        dates=("date", "insertedDate"), target_floor=1.15, target_quickstart=1.2,
    )


def heart_rate(sandbox: SandboxProcess) -> Dataset:
    low, high = sandbox.whole_range()
    label = "heart rate (v2, minute), " + ("a year" if sandbox.days == 365 else f"{sandbox.days} days")
    return Dataset(
        label=label, kind="device_data_v2", path="api/v2/delegated/devicedata", items_key="deviceDataPoints",
        scope="DeviceData:read",
        wire={"namespace": "Fitbit", "type": "heart-rate", "observedAfter": low, "observedBefore": high},
        fetch=lambda s: s.device_data_v2("Fitbit", "heart-rate", observed_after=low, observed_before=high),
        sample=lambda s: s.device_data_v2("Fitbit", "heart-rate", observed_after=high[:10]),
        dates=("startDate", "observationDate", "insertedDate", "modifiedDate"),
        target_floor=1.0, target_quickstart=None,
    )
