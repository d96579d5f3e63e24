"""Ids taken from a frame (numpy integers, pandas' Int64 cells) work wherever an id is asked for."""

from __future__ import annotations

import numpy as np
import pytest

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.filters import as_integer


def test_as_integer() -> None:
    assert as_integer(np.int64(7)) == 7 and as_integer("-3") == -3 and as_integer(5) == 5
    assert as_integer(True) is None and as_integer(np.bool_(True)) is None and as_integer(1.0) is None
    assert as_integer("--5") is None and as_integer("x") is None


def test_an_account_id_from_the_frame_refreshes_and_deletes_it(sandbox: SandboxServer, config: mdh.Config) -> None:
    try:
        with mdh.connect("PT-0001", ["ExternalAccounts:read", "ExternalAccounts:write", "ExternalAccounts:connect"],
                         config=config) as session:
            accounts = session.external_accounts()
            first, last = accounts["id"].iloc[0], accounts["id"].iloc[-1]
            assert not isinstance(first, int)  # a numpy integer, as a notebook user gets it
            session.refresh_external_account(first)
            session.delete_external_account(last)
            after = session.external_accounts()
            assert after.loc[after["id"] == first, "status"].iloc[0] == "fetchingData"
            assert last not in set(after["id"])
            provider = session.external_account_providers()["id"].iloc[0]
            assert session.connect_external_account(provider, "http://localhost/done").startswith(sandbox.url)
            with pytest.raises(mdh.InvalidArgumentError):
                session.refresh_external_account(True)
    finally:
        sandbox.reset()
