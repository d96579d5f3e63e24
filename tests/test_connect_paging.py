"""``connect()`` and ``open_client()`` pass the paging settings (``parallel=``, ``slice_above=``) to the
client when given, and leave the client's defaults alone when not — seen in what the sandbox is asked."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from suite import config_for, one_grant, requests_served

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, TokenService
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.slicing import WORTH

HALF_DAY = {"observed_after": "2026-10-30T12:00:00Z"}  # minute heart rate: several pages


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(participants=2, days=2, rate_limit=10_000, admin_rate_limit=10_000).start() as started:
        yield started


def test_connect_passes_parallel_and_slice_above_to_the_client(server: SandboxServer) -> None:
    asked: dict[float, int] = {}
    for threshold in (1e9, 0):  # never worth cutting; always cut (each slice has a first page of its own)
        with mdh.connect("PT-0001", ["DeviceData:read"], config=config_for(server), parallel=3,
                         slice_above=threshold) as session:
            assert session.client.parallel == 3
            session.device_data_v2("Fitbit", "heart-rate", progress=False)  # the token, before counting
            before = requests_served(server)
            session.device_data_v2("Fitbit", "heart-rate", progress=False, **HALF_DAY)
            asked[threshold] = requests_served(server) - before
    assert asked[0] > asked[1e9]


def test_open_client_passes_them_too(server: SandboxServer) -> None:
    asked: dict[float, int] = {}
    for threshold in (1e9, 0):
        with mdh.open_client(config_for(server), parallel=2, slice_above=threshold) as client:
            assert client.parallel == 2
            client.participants()  # the service token, before counting
            before = requests_served(server)
            client.frame("device_data_v2", {"namespace": "Fitbit", "type": "heart-rate", **HALF_DAY},
                         auth=client.connect("PT-0001", ["DeviceData:read"]).auth, progress=False)
            asked[threshold] = requests_served(server) - before
    assert asked[0] > asked[1e9]


def test_left_out_the_clients_defaults_hold(server: SandboxServer) -> None:
    with mdh.open_client(config_for(server)) as client:
        assert client.parallel == 4  # Client's own default
        assert client._slice_above == WORTH
    with mdh.connect("PT-0001", ["DeviceData:read"], config=config_for(server)) as session:
        assert session.client.parallel == 4


def test_through_an_authenticator_connect_passes_them_too(server: SandboxServer) -> None:
    key = "paging-" + secrets.token_urlsafe(24)
    service = TokenService(mdh.Client(config_for(server)), one_grant(key, ["DeviceData:read"]), owns_client=True)
    try:
        with AuthenticatorServer(service).start() as authenticator:
            asked: dict[float, int] = {}
            for threshold in (1e9, 0):
                with mdh.connect("PT-0001", ["DeviceData:read"], authenticator=authenticator.url, api_key=key,
                                 parallel=3, slice_above=threshold) as session:
                    assert session.client.parallel == 3
                    before = requests_served(server)
                    session.device_data_v2("Fitbit", "heart-rate", progress=False, **HALF_DAY)
                    asked[threshold] = requests_served(server) - before
            assert asked[0] > asked[1e9]
    finally:
        service.close()
