"""What the suite's tests share outside fixtures: a sandbox's Config, the budgets the suite's sandboxes state.

A plain module (``from suite import config_for``): ``conftest`` is not importable by name, as
``tests/sandbox/conftest.py`` is a second module of that name.
"""

from __future__ import annotations

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

__all__ = ["SUITE_BUDGETS", "config_for"]

#: The suite's sandboxes state their budgets rather than lean on the default, which is the reference's.
SUITE_BUDGETS = {"rate_limit": 10_000, "admin_rate_limit": 10_000}


def config_for(server: SandboxServer) -> mdh.Config:
    creds = server.credentials
    return mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                  project_id=creds.project_id, private_key=creds.private_key_pem)
