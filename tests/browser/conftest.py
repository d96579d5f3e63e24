"""Fixtures for the real-browser tests: one JupyterLab on a copy of notebooks/, one headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from labdriver import Lab, chromium, copy_notebooks, running_lab
from playwright.sync_api import Browser, Page, expect

# a kernel round trip on a loaded 2-core machine can take seconds: assertions wait up to 30 s (not 5)
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = copy_notebooks(tmp_path_factory.mktemp("lab") / "notebooks")
    with running_lab(root, tmp_path_factory.mktemp("jupyter-home")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser, lab: Lab) -> Iterator[Page]:
    """A fresh browser context on the lab; the test's kernels are shut down afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    context.set_default_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        lab.shutdown_kernels()
