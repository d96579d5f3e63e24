"""Friendly write methods of the project family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from ._base import SessionLike

__all__ = ["ProjectWrites"]


class ProjectWrites(SessionLike):
    """Nothing yet."""
