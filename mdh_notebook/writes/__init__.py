"""Friendly write methods of :class:`~mdh_notebook.ParticipantSession`, one mixin per family.

A write whose catalogue :class:`~mdh_notebook.kinds.Operation` is declared ``expose=False`` gets
a hand-written method here when it needs more than its declaration says (a frame as the body, a
two-step upload, a file on disk). Each method goes through ``self.call(...)`` (scope checked
before any request); nothing here builds URLs or sends requests itself.
"""

from __future__ import annotations

from .accounts import AccountWrites
from .devicedata import DeviceDataWrites
from .files import FileWrites
from .project import ProjectWrites
from .surveys import SurveyWrites

__all__ = ["AccountWrites", "DeviceDataWrites", "FileWrites", "ProjectWrites", "SurveyWrites", "Writes"]


class Writes(SurveyWrites, DeviceDataWrites, AccountWrites, FileWrites, ProjectWrites):
    """Every family's friendly write methods."""
