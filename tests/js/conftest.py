"""Fixtures for the JavaScript clients (see js_clients)."""

from __future__ import annotations

import pytest
from js_clients import Node


@pytest.fixture(scope="session")
def node() -> Node:
    return Node()
