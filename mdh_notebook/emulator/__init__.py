"""The MyDataHelps sandbox: a local emulator of the MyDataHelps (CareEvolution) REST API.

Layered like a moto service: ``models`` (state: synthetic cohort, the data ``storage``, tokens,
rate limits, stats, clock), ``responses``/``app`` (thin Starlette routes), ``exceptions`` (errors ->
HTTP), ``server`` (threaded uvicorn, port 0, ready event) and ``cli``; around the routes, ``cors``
(Embeddables' pages on other origins) and ``faults`` / ``fault_layer`` (the network and proxies
misbehaving on purpose: ``POST /_sandbox/faults``). What it serves is declared:
each read endpoint one ``declarations.Collection`` (answering in one of the ``shapes``), each
write one ``declarations.Operation``, contributed by the family modules of ``kinds`` with their
generators (``surveys``, ``sleep``, ...). It imports nothing from the client side of
``mdh_notebook``: it is an independent implementation of the protocol reference.

One participant is one truth: the endpoints that read the same tracker in the real service (v1
``Fitbit`` device data, Fitbit daily summaries and sleep logs, v2 device data and its aggregates)
render one set of days drawn once per participant (``days``). Where the reference is silent the
sandbox decides, and says so in the module concerned; ``days`` decides that a Fitbit day is the
participant's local calendar day.
"""

from __future__ import annotations

from .app import create_app
from .config import SandboxConfig
from .server import SandboxCredentials, SandboxServer, SandboxStartError

__all__ = ["SandboxConfig", "SandboxCredentials", "SandboxServer", "SandboxStartError", "create_app"]
