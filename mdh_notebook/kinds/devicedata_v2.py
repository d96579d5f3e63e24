"""Device data v2 family: v2 points, aggregates, daily sleep, data types (v1 and v2).
No entries yet: add each read kind to KINDS and each write to OPERATIONS."""

from __future__ import annotations

from .model import Kind, Operation

__all__ = ["KINDS", "OPERATIONS"]

KINDS: tuple[Kind, ...] = ()
OPERATIONS: tuple[Operation, ...] = ()
