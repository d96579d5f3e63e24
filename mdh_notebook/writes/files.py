"""Friendly write methods of the files family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from ._base import SessionLike

__all__ = ["FileWrites"]


class FileWrites(SessionLike):
    """Nothing yet."""
