"""05_explorer in a real JupyterLab and a real Chromium, as an analyst uses it: run all cells, pick PT-0003 and
tick SurveyAnswers:read by clicking the widgets, fetch, see a table with rows and a plot; untick the scope and
see the explorer name it. Screenshots go to artifacts/browser/ (ignored by git)."""

from __future__ import annotations

import pytest
from labdriver import Lab, cell_with, open_notebook, run_all_cells, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.timeout(600)  # JupyterLab's start, Run All and the fetches each have their own limit

NAME = "05_explorer.ipynb"
FETCH_TIMEOUT = 120_000  # ms: the first fetch opens a session against the notebook's sandbox


def test_explorer_fetches_a_table_and_a_plot_and_names_a_missing_scope(lab: Lab, page: Page) -> None:
    assert (lab.root / NAME).exists(), f"notebooks/{NAME} is missing"
    open_notebook(page, lab, NAME)
    run_all_cells(page, lab, NAME)

    explorer = cell_with(page, ".mdh-fetch")  # the first displayed Explorer
    participants = explorer.locator(".mdh-participant-list select")
    expect(participants.locator("option").first).to_be_attached()
    labels = [label for label in participants.locator("option").all_inner_texts() if "PT-0003" in label]
    assert len(labels) == 1, f"one PT-0003 entry in the participant list, not {labels}"
    participants.select_option(label=labels[0])

    scope = explorer.locator(".mdh-scope-SurveyAnswers-read input[type=checkbox]")
    scope.check()
    explorer.locator("button.mdh-fetch").click()

    rows = explorer.locator(".mdh-table table tbody tr")
    expect(rows.first).to_be_visible(timeout=FETCH_TIMEOUT)
    assert rows.count() > 0
    expect(explorer.locator(".mdh-plot img").first).to_be_visible(timeout=FETCH_TIMEOUT)
    expect(explorer.locator(".mdh-table")).to_contain_text("PT-0003")
    explorer.locator(".mdh-plot").scroll_into_view_if_needed()
    screenshot(page, "explorer-fetched")

    lab.wait_kernel_idle(NAME)  # the fetch's callback has finished

    scope.uncheck()  # the explorer re-fetches on a re-pick: now it must refuse, and say which box to tick
    expect(explorer.locator(".mdh-table table")).to_have_count(0, timeout=FETCH_TIMEOUT)  # no stale rows
    message = explorer.locator(".mdh-message")
    expect(message).to_contain_text("SurveyAnswers:read")
    message.scroll_into_view_if_needed()
    screenshot(page, "explorer-scope-missing")
