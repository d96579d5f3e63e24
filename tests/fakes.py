"""Fakes at the transport (httpx.MockTransport with small callable apps), never mocks of our code."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh

CONFIG = mdh.Config.from_values(base_url="https://mdh.test/", service_account="acct", project_id="proj",
                                private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
PARTICIPANT = {"id": "00000000-0000-4000-8000-000000000001", "participantIdentifier": "PT-0001",
               "demographics": {"timeZone": "America/Chicago"}}

Handler = Callable[[httpx.Request], httpx.Response]


def token_or(handler: Handler) -> Handler:
    """An app answering token requests (and the admin lookup of PT-0001) itself, the rest with ``handler``."""
    def app(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/connect/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600, "token_type": "Bearer"})
        if request.url.path.endswith("/participants/PT-0001"):
            return httpx.Response(200, json=PARTICIPANT)
        return handler(request)
    return app


def query(request: httpx.Request) -> dict[str, str]:
    """The request's query as one value per name."""
    return {k: v[-1] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}


def no_wait(seconds: float) -> None:
    """A retry's wait that returns at once (the waits themselves are tested in test_paging)."""


def client(handler: Handler) -> mdh.Client:
    return mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(handler)), retries=2, sleep=no_wait)
