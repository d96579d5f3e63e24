"""The harness itself, on a notebook of its own: JupyterLab starts (as root too), ipywidgets render offline
through the jupyterlab_widgets extension, Run All is waited on by execution counts, and a select, a checkbox
and a button clicked in Chromium reach the kernel's callbacks. If the explorer test fails and this one
passes, the fault is in the explorer, not in the browser, the server or the widget manager."""

from __future__ import annotations

import re

import nbformat
import pytest
from labdriver import NOTEBOOK, Lab, cell_with, open_notebook, run_all_cells, screenshot
from playwright.sync_api import Page, expect

SETUP = """\
import os
import ipywidgets as w

pick = w.Select(options=["alpha", "beta", "gamma"], value=None)
pick.add_class("probe-list")
tick = w.Checkbox(description="granted", value=False)
tick.add_class("probe-tick")
go = w.Button(description="go")
go.add_class("probe-go")
out = w.Output()
out.add_class("probe-out")
note = w.HTML()
note.add_class("probe-note")

def on_go(_):
    out.clear_output()
    with out:
        display(w.HTML(f"<table><tbody><tr><td>{pick.value}</td><td>{tick.value}</td></tr></tbody></table>"))

def on_tick(change):
    note.value = "granted" if change["new"] else "not granted: tick the box"

go.on_click(on_go)
tick.observe(on_tick, names="value")
"""
SHOW = "w.VBox([pick, tick, go, out, note])"
# what the kernel sees: the fixture's environment, not the developer's credentials
ENVIRONMENT = "print(os.environ.get('TQDM_DISABLE'), sorted(k for k in os.environ if k.startswith(('MDH_', 'RKS_'))))"
NAME = "harness_probe.ipynb"

pytestmark = pytest.mark.timeout(600)  # JupyterLab's start and Run All each have their own limit


def write_probe(lab: Lab) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # stored as if run before, with stale outputs: the wait must not take stored counts for a finished run
    stale = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# harness probe"),
                nbformat.v4.new_code_cell(SETUP, execution_count=1), nbformat.v4.new_code_cell(SHOW, execution_count=2),
                nbformat.v4.new_code_cell(""), nbformat.v4.new_code_cell(ENVIRONMENT, execution_count=3, outputs=stale)]
    nbformat.write(nb, lab.root / NAME)


def test_widgets_render_and_clicks_reach_the_kernel(lab: Lab, page: Page) -> None:
    write_probe(lab)
    open_notebook(page, lab, NAME)
    assert run_all_cells(page, lab, NAME) == ["[1]:", "[2]:", "[3]:"]  # the empty cell is not waited on
    expect(page.locator(f"{NOTEBOOK} .jp-CodeCell").nth(3).locator(".jp-OutputArea-output")).to_have_text(
        "1 []")

    cell = cell_with(page, ".probe-go")
    cell.locator(".probe-list select").select_option(label="beta")
    cell.locator(".probe-tick input[type=checkbox]").check()
    expect(cell.locator(".probe-note")).to_have_text("granted")
    cell.locator(".probe-go").click()
    expect(cell.locator(".probe-out table tbody tr td")).to_have_text(["beta", "True"])
    screenshot(page, "harness-clicked")

    cell.locator(".probe-tick input[type=checkbox]").uncheck()
    expect(cell.locator(".probe-note")).to_have_text(re.compile("not granted"))
