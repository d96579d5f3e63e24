"""The widgets' safety: no token in any synced state, server errors shown not raised, free text never markup,
nothing heavy loaded at import, a script that leaves an explorer open exits cleanly.

Against the real sandbox (the session fixtures); no mocks. The browser test (tests/browser)
clicks the same controls through their DOM classes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import ipywidgets
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from widget_helpers import Tags, picked, shown

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxConfig, SandboxServer
from mdh_notebook.widgets import (
    Explorer,
    _render,
)

# -- ParticipantPicker ----------------------------------------------------------------------------

def _all_state(widget: Any) -> str:
    """Every synced trait of a widget tree, as the front-end (and a saved notebook) would get it."""
    seen: list[Any] = []

    def walk(w: Any) -> None:
        if isinstance(w, ipywidgets.Widget) and w not in seen:
            seen.append(w)
            for value in w.get_state().values():
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    walk(item)
    walk(widget)
    return json.dumps([w.get_state() for w in seen], default=str)


def test_the_token_state_never_shows_the_token(config_for: Any) -> None:
    server = SandboxServer(SandboxConfig(participant_token_lifetime=600)).start()
    try:
        with mdh.Client(config_for(server)) as client, closing(Explorer(client)) as explorer:
            picked(explorer).fetch()
            session = explorer.session
            assert session is not None and session.token is not None
            secrets = [session.token.value]
            assert "renewals so far 0" in explorer.token_state.value
            server.advance_clock(3600)  # the server refuses the token: the next fetch renews it
            explorer.fetch()
            assert session.token is not None and session.renewals == 1
            secrets.append(session.token.value)
            assert client.service_tokens.token is not None
            secrets.append(client.service_tokens.token.value)
            assert "renewals so far 1" in explorer.token_state.value
            shown = _all_state(explorer) + repr(explorer) + explorer.message
            assert "PT-0003" in shown and "SurveyAnswers:read" in shown  # the state really is in there
            for secret in secrets:
                assert secret not in shown
    finally:
        server.stop()


def test_errors_from_the_server_are_shown_not_raised(config_for: Any) -> None:
    server = SandboxServer(SandboxConfig(rate_limit=3)).start()
    try:
        with mdh.Client(config_for(server)) as client, closing(Explorer(client)) as explorer:
            picked(explorer)
            explorer.fetch_button.click()  # 2 pages
            assert explorer.frame is not None
            assert "rate budget 1 of 3 requests left" in explorer.token_state.value
            explorer.fetch_button.click()  # the callback must not raise
            assert explorer.message_level == "error"
            assert explorer.message.startswith("survey_answers for PT-0003 failed: RateLimitError")
            assert explorer.frame is None and shown(explorer.table) == {}
            assert explorer.progress.bar_style == "danger"
            client.close()  # a closed connection: still a message
            explorer.participants.value = "PT-0001"
            assert "ClosedError" in explorer.message and explorer.message_level == "error"
    finally:
        server.stop()


def test_closing_the_explorer_clears_what_it_showed_and_closes_its_controls(client: mdh.Client) -> None:
    explorer = picked(Explorer(client))
    explorer.fetch()
    assert explorer.table.outputs and explorer.session is not None
    table, box = explorer.table, explorer.scopes.checkboxes["SurveyAnswers:read"]
    explorer.close()
    assert table.outputs == () and explorer.session is None and explorer.frame is None
    assert table.comm is None and box.comm is None and explorer.comm is None
    assert not client.closed  # a client passed in belongs to the caller


# -- what is rendered -----------------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


@settings(max_examples=30)
@given(note=st.one_of(st.just(HOSTILE), st.text(alphabet="<>&\"' =/abcimgsrconerr()", min_size=1, max_size=40)))
def test_a_participants_free_text_is_shown_as_text_never_as_markup(note: str) -> None:
    frame = mdh.to_frame("survey_answers", [
        {"id": "a1", "surveyResultID": "r1", "surveyName": "S", "participantIdentifier": "PT-1", "participantID": "p",
         "stepIdentifier": "Note", "resultIdentifier": "Note", "answers": [note], "date": "2026-08-01T00:00:00Z"}])
    frame[note] = note  # a column named by the participant's text, too
    frame.index = pd.Index([note])
    markup, _ = _render.table_html(frame, 50)
    parsed = Tags()
    parsed.feed(markup)
    assert {tag for tag, _ in parsed.tags} <= {"div", "p", "b", "style", "table", "thead", "tbody", "tr", "th", "td"}
    assert all(name in ("id", "class", "style", "type") for _, attrs in parsed.tags for name, _ in attrs)
    assert parsed.text.count(note) >= 3  # the cell, the column name and the index label, shown as typed
    assert "<img" not in markup


def _loaded_after(statement: str) -> set[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(done.stdout.split())


def test_importing_the_package_loads_neither_matplotlib_nor_ipywidgets() -> None:
    assert _loaded_after("import mdh_notebook") == set()  # a script or a CLI call pays for neither
    assert _loaded_after("import mdh_notebook.widgets") == {"ipywidgets"}  # the probe sees a loaded module
    assert _loaded_after("import mdh_notebook.plots") == {"matplotlib"}


def test_a_refusal_after_a_fetch_leaves_no_stale_progress(explorer: Explorer) -> None:
    explorer.participants.value = "PT-0003"
    explorer.scopes.value = ("SurveyAnswers:read",)
    assert explorer.fetch() is not None and explorer.progress.value > 0 and "records" in explorer.progress_label.value
    explorer.scopes.value = ()  # a re-pick re-fetches, and this one is refused
    assert "needs the scope SurveyAnswers:read" in explorer.message
    assert (explorer.progress.value, explorer.progress.bar_style, explorer.progress_label.value) == (0, "", "")


def test_the_readme_widgets_snippet_exits_cleanly_as_a_script(tmp_path: Path) -> None:
    """A script that leaves an explorer holding a frame must exit 0: Widget.__del__ closes it at
    interpreter exit, which once compared DataFrames elementwise through a trait (pyarrow aborted)."""
    script = tmp_path / "explore.py"
    script.write_text("from mdh_notebook.widgets import Explorer\n"
                      "explorer = Explorer()\n"
                      "explorer.participants.value = 'PT-0003'\n"
                      "explorer.scopes.value = ('SurveyAnswers:read',)\n"
                      "explorer.fetch()\n"
                      "print(explorer.message)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RKS_", "MDH_"))}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rows of survey_answers for PT-0003" in done.stdout
