"""Friendly write methods of the devicedata family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from ._base import SessionLike

__all__ = ["DeviceDataWrites"]


class DeviceDataWrites(SessionLike):
    """Nothing yet."""
