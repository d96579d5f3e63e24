"""Fixtures: real sandboxes on loopback, and clients/sessions pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stamina
from hypothesis import settings
from suite import SUITE_BUDGETS, config_for

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

# timings are never asserted: a slow CI machine must not fail a property on its deadline
settings.register_profile("mdh", deadline=None)
settings.load_profile("mdh")



@pytest.fixture(scope="session", autouse=True)
def _no_backoff() -> Iterator[None]:
    """Retries without their backoff waits (stamina's testing mode), never more tries than a policy's own."""
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


@pytest.fixture(name="config_for", scope="session")
def _config_for() -> Any:
    """config_for(server) → a Config for that sandbox's service account."""
    return config_for


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """The default sandbox (seed 0, 12 participants, 90 days), shared by the session's tests."""
    with SandboxServer(**SUITE_BUDGETS).start() as server:
        yield server


@pytest.fixture(scope="session")
def config(sandbox: SandboxServer) -> mdh.Config:
    return config_for(sandbox)


@pytest.fixture
def client(config: mdh.Config) -> Iterator[mdh.Client]:
    with mdh.Client(config) as c:
        yield c


@pytest.fixture
def restored(sandbox: SandboxServer) -> Iterator[None]:
    """For tests that write to the shared sandbox: the seeded data comes back afterwards."""
    yield
    sandbox.reset()


@pytest.fixture
def stats(sandbox: SandboxServer) -> Any:
    """A function returning the sandbox's /_sandbox/stats now."""
    def read() -> dict[str, Any]:
        return httpx.get(sandbox.url + "_sandbox/stats").json()  # type: ignore[no-any-return]
    return read


@pytest.fixture(scope="session")
def raw_answers(sandbox: SandboxServer, config: mdh.Config) -> list[dict[str, Any]]:
    """PT-0001's survey answers exactly as the API sends them (via the client's pager)."""
    with mdh.Client(config) as c:
        session = c.connect("PT-0001", ["SurveyAnswers:read"])
        return list(c.pager("survey_answers", auth=session.auth))


@pytest.fixture
def explorer(client: mdh.Client) -> Iterator[Any]:
    """An Explorer on the session's sandbox, closed afterwards (ipywidgets loads only for tests that ask)."""
    from mdh_notebook.widgets import Explorer

    explorer = Explorer(client)
    try:
        yield explorer
    finally:
        explorer.close()
