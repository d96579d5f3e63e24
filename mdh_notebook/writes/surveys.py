"""Friendly write methods of the surveys family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from ._base import SessionLike

__all__ = ["SurveyWrites"]


class SurveyWrites(SessionLike):
    """Nothing yet."""
