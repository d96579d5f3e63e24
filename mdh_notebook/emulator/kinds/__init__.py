"""Everything the sandbox serves, by family. Each family module contributes its ``COLLECTIONS``
(read endpoints) and ``OPERATIONS`` (writes, and reads with handlers of their own), and, where the
API's answers point outside the API (pre-signed storage URLs, a provider's authorization page), its
``PUBLIC`` routes; adding a kind edits its family module (and its generator's module) only.
"""

from __future__ import annotations

from typing import Any

from ..declarations import Collection, Operation, Public, Registry
from . import accounts, applehealth, devicedata, devicedata_v2, files, fitbit, participants, project, surveys

__all__ = ["COLLECTIONS", "OPERATIONS", "PUBLIC", "REGISTRY"]

REGISTRY = Registry(
    collections=(
        *participants.COLLECTIONS,
        *project.COLLECTIONS,
        *surveys.COLLECTIONS,
        *devicedata.COLLECTIONS,
        *devicedata_v2.COLLECTIONS,
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
        *devicedata_v2.OPERATIONS,
        *fitbit.OPERATIONS,
        *applehealth.OPERATIONS,
        *accounts.OPERATIONS,
        *files.OPERATIONS,
    ),
    public=(
        *surveys.PUBLIC,
        *accounts.PUBLIC,
        *files.PUBLIC,
    ),
)
COLLECTIONS: tuple[Collection[Any], ...] = REGISTRY.collections
OPERATIONS: tuple[Operation, ...] = REGISTRY.operations
PUBLIC: tuple[Public, ...] = REGISTRY.public
