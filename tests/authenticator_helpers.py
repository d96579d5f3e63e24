"""What the authenticator's tests stand on: the grants they serve, a sandbox with an authenticator
holding its service account (handed over through a tmp ``.env``, as ``connect()`` reads one), and a
clock that only the test moves."""

from __future__ import annotations

import os
import secrets
import select
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService, hash_api_key
from mdh_notebook.emulator import SandboxServer

API_KEY = "web-" + secrets.token_urlsafe(24)
HASHED_KEY = "hashed-" + secrets.token_urlsafe(24)
GHOST_KEY = "ghost-" + secrets.token_urlsafe(24)
WRONG_KEY = "wrong-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "web"
api_key = "{API_KEY}"
participants = ["PT-0001", "PT-0002"]
scopes = ["SurveyAnswers:read", "Participant:read"]

[[grant]]
name = "everyone"
api_key_sha256 = "{hash_api_key(HASHED_KEY)}"
participants = ["*"]
scopes = ["SurveyAnswers:read"]

[[grant]]
name = "ghost"
api_key = "{GHOST_KEY}"
participants = ["PT-9999"]
scopes = ["SurveyAnswers:read"]
"""
SURVEY_ANSWERS = "api/v1/delegated/surveyanswers"
PARTICIPANT_INFO = "api/v1/delegated/participant"
TOKEN_PATH = "/identityserver/connect/token"
LOOKUP = "GET /api/v1/administration/projects/{projectId}/participants/{participantIdentifier}"
RESPONSE_KEYS = {"access_token", "expires_in", "token_type", "scope", "participant_id", "participant_identifier",
                 "time_zone", "base_url"}


class FrozenClock:
    """The authenticator's clock, frozen where it was made: only :meth:`advance` moves it (with the
    sandbox's), so what a token has left is exact. ``tick``: seconds each reading adds — a clock
    that moves between two readings of one request, as the wall clock does."""

    def __init__(self, tick: float = 0.0) -> None:
        self.at = time.time()
        self.tick = tick

    def __call__(self) -> float:
        self.at += self.tick
        return self.at

    def set_next(self, when: float) -> None:
        """The next reading is ``when``."""
        self.at = when - self.tick


class Running:
    """A sandbox, and an authenticator holding its service account."""

    def __init__(self, sandbox: SandboxServer, server: AuthenticatorServer, clock: FrozenClock | None) -> None:
        self.sandbox = sandbox
        self.server = server
        self.clock = clock
        self.url = server.url
        self.service = server.service

    def token(self, participant: str = "PT-0001", scopes: Any = ("SurveyAnswers:read",), *, key: str = API_KEY,
              headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {"participant": participant, **extra}
        if scopes is not None:
            body["scopes"] = list(scopes) if not isinstance(scopes, str) else scopes
        return httpx.post(self.url + "token", headers={"Authorization": f"Bearer {key}", **(headers or {})},
                          json=body)

    def issued(self) -> int:
        return int(self.sandbox.stats()["tokens_issued"]["delegated_participant"])

    def requests(self, route: str) -> int:
        return int(self.sandbox.stats()["requests"].get(route, 0))

    def api(self, path: str, access_token: str) -> httpx.Response:
        return httpx.get(self.sandbox.url + path, headers={"Authorization": f"Bearer {access_token}"})

    def advance(self, seconds: float) -> None:
        """Time passes for both: the sandbox's clock and the authenticator's."""
        assert self.clock is not None, "this authenticator runs on the wall clock"
        self.sandbox.advance_clock(seconds)
        self.clock.at += seconds


def start(stack: ExitStack, tmp: Path, *, clock: FrozenClock | None = None, **sandbox_options: Any) -> Running:
    """A sandbox (with ``sandbox_options``) and an authenticator for it, as the CLI makes one: its
    client refuses a spent budget at once (``rate_limit_wait=0``)."""
    sandbox = stack.enter_context(SandboxServer(**sandbox_options).start())
    env = sandbox.credentials.write_env_file(tmp / "sandbox.env")
    config = mdh.Config.resolve(dotenv_path=env, environ={})  # configured as connect() is: here a .env
    assert config is not None and config.base_url == sandbox.url
    client = mdh.Client(config, clock=clock or time.time, rate_limit_wait=0)
    service = TokenService(client, Grants.parse(GRANTS, origin="grants.toml"), owns_client=True)
    stack.callback(service.close)
    server = stack.enter_context(AuthenticatorServer(service).start())
    return Running(sandbox, server, clock)


def clean_env() -> dict[str, str]:
    """The environment without any MDH_/RKS_ setting of the machine running the tests."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))}


def first_line(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The first stdout line of a starting server, or the test fails with its stderr."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"no ready line; exit {proc.poll()}; stderr: {proc.stderr.read() if proc.stderr else ''}")
