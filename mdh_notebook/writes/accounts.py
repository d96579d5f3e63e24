"""Friendly write methods of the accounts family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from ._base import SessionLike

__all__ = ["AccountWrites"]


class AccountWrites(SessionLike):
    """Nothing yet."""
