"""05_explorer in a real JupyterLab and a real Chromium, as an analyst uses it: run all cells, pick PT-0003 and
tick SurveyAnswers:read by clicking the widgets, fetch, see a table with rows and a plot; untick the scope and
see the explorer name it. Screenshots go to artifacts/browser/ (ignored by git)."""

from __future__ import annotations

import base64
import re

import pytest
from labdriver import Lab, cell_with, open_notebook, run_all_cells, screenshot
from playwright.sync_api import Page, expect

import mdh_notebook as mdh
from mdh_notebook.plots import plot_kind, png_bytes

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

    message = explorer.locator(".mdh-message")
    fetched = re.compile(r"([\d,]+) rows of survey_answers for PT-0003")
    expect(message).to_contain_text(fetched, timeout=FETCH_TIMEOUT)  # the explorer's own count of what it fetched
    said = fetched.search(message.inner_text())
    assert said is not None and int(said.group(1).replace(",", "")) > 0, message.inner_text()
    assert "no rows" not in message.inner_text()
    rows = explorer.locator(".mdh-table table tbody tr")
    expect(rows.first).to_be_visible(timeout=FETCH_TIMEOUT)
    assert rows.count() > 0
    expect(rows.filter(has_text="PT-0003").first).to_be_visible()
    assert rows.filter(has_text="PT-0003").count() == rows.count(), "every row shown is PT-0003's"

    image = explorer.locator(".mdh-plot img").first
    expect(image).to_be_visible(timeout=FETCH_TIMEOUT)
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width > 0 and height > 0, "the plot image decoded in the browser"
    src = image.get_attribute("src") or ""
    assert src.startswith("data:image/png;base64,")
    placeholder = png_bytes(plot_kind("survey_answers", mdh.to_frame("survey_answers", [])))
    assert base64.b64decode(src.split(",", 1)[1]) != placeholder, "the plot is the 'no rows' placeholder"
    explorer.locator(".mdh-plot").scroll_into_view_if_needed()
    screenshot(page, "explorer-fetched")

    lab.wait_kernel_idle(NAME)  # the fetch's callback has finished

    scope.uncheck()  # the explorer re-fetches on a re-pick: now it must refuse, and say which box to tick
    expect(explorer.locator(".mdh-table table")).to_have_count(0, timeout=FETCH_TIMEOUT)  # no stale rows
    expect(message).to_contain_text("survey_answers needs the scope SurveyAnswers:read", timeout=FETCH_TIMEOUT)
    expect(message).to_contain_text("tick 'SurveyAnswers:read'")  # which box, named as the scope picker shows it
    message.scroll_into_view_if_needed()
    screenshot(page, "explorer-scope-missing")
