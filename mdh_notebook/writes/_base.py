"""What a write mixin may use of the session (for mypy; the session provides it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..kinds import Operation


class SessionLike:
    """The part of :class:`~mdh_notebook.ParticipantSession` the write mixins call."""

    if TYPE_CHECKING:
        def call(self, operation: str | Operation, *, path: Mapping[str, Any] | None = None,
                 params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
                 headers: Mapping[str, str] | None = None) -> Any: ...
