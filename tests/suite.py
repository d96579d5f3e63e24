"""What the suite's tests share outside fixtures: a sandbox's Config, the budgets the suite's sandboxes state,
the requests a sandbox has served, a one-grant authenticator config.

A plain module (``from suite import config_for``): ``conftest`` is not importable by name, as
``tests/sandbox/conftest.py`` is a second module of that name.
"""

from __future__ import annotations

from collections.abc import Sequence

import mdh_notebook as mdh
from mdh_notebook.authenticator import Grants
from mdh_notebook.emulator import SandboxServer

__all__ = ["SUITE_BUDGETS", "config_for", "one_grant", "requests_served"]

#: The suite's sandboxes state their budgets rather than lean on the default, which is the reference's.
SUITE_BUDGETS = {"rate_limit": 10_000, "admin_rate_limit": 10_000}


def config_for(server: SandboxServer) -> mdh.Config:
    creds = server.credentials
    return mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                  project_id=creds.project_id, private_key=creds.private_key_pem)


def requests_served(server: SandboxServer) -> int:
    """Every request the sandbox has answered so far, of every route (its ``/_sandbox/stats``)."""
    return sum(dict(server.stats()["requests"]).values())


def one_grant(api_key: str, scopes: Sequence[str], participants: Sequence[str] = ("PT-0001",),
              name: str = "notebook") -> Grants:
    """An authenticator's grants: one grant of ``scopes`` for ``participants`` to holders of ``api_key``."""
    quoted = ", ".join(f'"{v}"' for v in participants), ", ".join(f'"{v}"' for v in scopes)
    text = f'[[grant]]\nname = "{name}"\napi_key = "{api_key}"\nparticipants = [{quoted[0]}]\nscopes = [{quoted[1]}]\n'
    return Grants.parse(text, origin="grants.toml")
