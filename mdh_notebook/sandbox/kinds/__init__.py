"""Everything the sandbox serves, by family. Each family module contributes its ``COLLECTIONS``
(read endpoints) and ``OPERATIONS`` (writes, and reads with handlers of their own); adding a kind
edits its family module (and its generator's module) only.
"""

from __future__ import annotations

from typing import Any

from ..declarations import Collection, Operation, Registry
from . import accounts, applehealth, devicedata, files, fitbit, participants, project, surveys

__all__ = ["COLLECTIONS", "OPERATIONS", "REGISTRY"]

REGISTRY = Registry(
    collections=(
        *participants.COLLECTIONS,
        *project.COLLECTIONS,
        *surveys.COLLECTIONS,
        *devicedata.COLLECTIONS,
        *fitbit.COLLECTIONS,
        *applehealth.COLLECTIONS,
        *accounts.COLLECTIONS,
        *files.COLLECTIONS,
    ),
    operations=(
        *participants.OPERATIONS,
        *project.OPERATIONS,
        *surveys.OPERATIONS,
        *devicedata.OPERATIONS,
        *fitbit.OPERATIONS,
        *applehealth.OPERATIONS,
        *accounts.OPERATIONS,
        *files.OPERATIONS,
    ),
)
COLLECTIONS: tuple[Collection[Any], ...] = REGISTRY.collections
OPERATIONS: tuple[Operation, ...] = REGISTRY.operations
