"""Files: the list, the two-step upload and download through pre-signed URLs, delete.

Nothing yet: add each kind as a ``Collection`` in COLLECTIONS and each write as an ``Operation``
in OPERATIONS (see ``..declarations``); its generator goes in a module of its own beside the others.
"""

from __future__ import annotations

from typing import Any

from ..declarations import Collection, Operation, Public

__all__ = ["COLLECTIONS", "OPERATIONS", "PUBLIC"]

COLLECTIONS: tuple[Collection[Any], ...] = ()
OPERATIONS: tuple[Operation, ...] = ()
PUBLIC: tuple[Public, ...] = ()
