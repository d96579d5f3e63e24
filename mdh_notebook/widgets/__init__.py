"""Jupyter widgets: pick a participant and scopes, explore a data kind (table, plot, save).

Plain ipywidgets 8 controls (JupyterLab, Notebook 7, VS Code; nothing from a CDN). State lives in
traitlets (``.value`` on the pickers; ``frame``, ``figure``, ``message``, ``session`` on the
explorer), so code and tests drive them without a browser; everything shown — tables, plots,
errors — is rendered into an ``Output`` or an ``HTML`` widget, never printed from a callback::

    from mdh_notebook.widgets import Explorer
    explorer = Explorer()          # the embedded sandbox when nothing is configured
    explorer                       # pick, tick, Fetch
    explorer.participants.value = "PT-0003"
    explorer.scopes.value = ("SurveyAnswers:read",)
    explorer.fetch()
    explorer.frame.head()

Each control carries a stable DOM class (``mdh-participant-list``, ``mdh-scope-SurveyAnswers-read``,
``mdh-fetch``, ``mdh-table``, ``mdh-plot``, ``mdh-message``, …) for browser tests and styling.
"""

from __future__ import annotations

from .explorer import Explorer, explorer_kinds
from .participant_picker import ParticipantPicker
from .scope_picker import ScopePicker, scope_choices, scope_class

__all__ = ["Explorer", "ParticipantPicker", "ScopePicker", "explorer_kinds", "scope_choices", "scope_class"]
