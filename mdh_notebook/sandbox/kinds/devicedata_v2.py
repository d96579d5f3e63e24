"""Device data v2 (``api/v2/delegated/...``): points in every v2 namespace, aggregates, daily
sleep, data types (v1 and v2 lists).

Nothing yet: add each kind as a ``Collection`` in COLLECTIONS and each write as an ``Operation``
in OPERATIONS (see ``..declarations``); its generator goes in a module of its own beside the others.
"""

from __future__ import annotations

from typing import Any

from ..declarations import Collection, Operation

__all__ = ["COLLECTIONS", "OPERATIONS"]

COLLECTIONS: tuple[Collection[Any], ...] = ()
OPERATIONS: tuple[Operation, ...] = ()
