"""Project: project info, data collection settings, data availability (single objects, generated
by ``..project_info``); writes of the family (custom events) go in OPERATIONS.

Decisions where the reference is silent: ``dataavailability`` needs ``DataCollectionSettings:read``
(the reference has "?"; it tells which health-record sources have data, next to the settings
that switch them on); every participant sees the same project record.
"""

from __future__ import annotations

from typing import Any

from ..declarations import Collection, Operation, SingleObject
from ..project_info import availability, collection_settings, project_info

__all__ = ["COLLECTIONS", "DATA_AVAILABILITY", "DATA_COLLECTION_SETTINGS", "OPERATIONS", "PROJECT_INFO"]


def _single(name: str, path: str, scope: str, generate: Any) -> Collection[dict[str, Any]]:
    return Collection(name=name, path=f"api/v1/delegated/{path}", scope=scope, shape=SingleObject(),
                      generate=generate, sort_key=lambda row: (0,), render=lambda row: row)


PROJECT_INFO = _single("project_info", "project", "Project:read", project_info)
DATA_COLLECTION_SETTINGS = _single("data_collection_settings", "datacollectionsettings",
                                   "DataCollectionSettings:read", collection_settings)
DATA_AVAILABILITY = _single("data_availability", "dataavailability", "DataCollectionSettings:read", availability)

COLLECTIONS: tuple[Collection[Any], ...] = (PROJECT_INFO, DATA_COLLECTION_SETTINGS, DATA_AVAILABILITY)
OPERATIONS: tuple[Operation, ...] = ()
