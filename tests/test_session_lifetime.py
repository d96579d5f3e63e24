"""A session that owns its connection closes it when it is closed — or when it is dropped, as
when a notebook cell ``s = mdh.connect(...)`` runs a second time."""

from __future__ import annotations

import gc
import warnings

import mdh_notebook as mdh


def test_a_dropped_session_closes_its_own_connection(config: mdh.Config) -> None:
    session = mdh.connect("PT-0001", ["Participant:read"], config=config)
    client = session.client
    assert not client.closed
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del session
        gc.collect()
    assert client.closed


def test_closing_twice_is_fine_and_a_borrowed_client_stays_open(config: mdh.Config) -> None:
    session = mdh.connect("PT-0001", ["Participant:read"], config=config)
    session.close()
    session.close()
    assert session.client.closed
    with mdh.Client(config) as client:
        borrowed = client.connect("PT-0001", ["Participant:read"])
        borrowed.close()
        assert not client.closed
