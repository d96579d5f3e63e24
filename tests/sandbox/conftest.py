"""Fixtures for the sandbox's protocol tests (helpers live in ``sandbox_protocol``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxServer


@pytest.fixture(scope="session")
def protocol_sandbox() -> Iterator[SandboxServer]:
    """This directory's own sandbox (seed 0), reset before each test through ``proto``."""
    with SandboxServer(seed=0, rate_limit=10_000, admin_rate_limit=10_000) as server:  # budgets the tests count on
        yield server


@pytest.fixture(scope="session")
def proto_session(protocol_sandbox: SandboxServer) -> Iterator[Proto]:
    proto = Proto(protocol_sandbox)
    yield proto
    proto.http.close()


@pytest.fixture()
def proto(proto_session: Proto) -> Proto:
    """The protocol helper, on a sandbox reset to zero stats / budgets / clock offset."""
    proto_session.server.reset()
    return proto_session


@pytest.fixture(scope="session")
def everything(proto_session: Proto) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """identifier -> (all survey answers, all sleep logs), fetched once over HTTP."""
    proto_session.server.reset()
    out = {}
    for number in range(1, 13):
        identifier = f"PT-{number:04d}"
        token = proto_session.participant_token(identifier, "SurveyAnswers:read FitbitSleepLogs:read")
        answers, _ = proto_session.all_pages("api/v1/delegated/surveyanswers", token, "surveyAnswers")
        sleep, _ = proto_session.all_pages("api/v1/delegated/fitbit/sleepLogs", token, "results")
        out[identifier] = (answers, sleep)
    return out
