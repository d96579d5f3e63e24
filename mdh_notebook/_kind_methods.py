"""The generated session methods' home: one per catalogue entry, attached at import.

mypy and editors read the generated ``_kind_methods.pyi`` beside this file instead (``make stubs``
rewrites it; a test fails when it drifts). Keep this file this small: mypy does not check it.
"""

from __future__ import annotations

from .methods import attach

__all__ = ["_KindMethods"]


class _KindMethods:
    """Base of :class:`~mdh_notebook.ParticipantSession`: its catalogue methods."""

    __slots__ = ()


attach(_KindMethods)
