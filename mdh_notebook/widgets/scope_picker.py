"""ScopePicker: one checkbox per participant-token scope, grouped by source, derived from the catalogue.

Which group a scope sits in comes from the catalogue family whose entries need it (the first family,
in :data:`mdh_notebook.kinds.FAMILIES` order, with a read kind or a read call on that scope); a scope
only writes use is under **Writes**; a scope no entry needs by name (``user/*.read``, ``FitbitDataSummary:read``)
is under **Other**. Each checkbox says which session methods it unlocks (every catalogue entry it
:func:`~mdh_notebook.scopes.grants`). Writes and Other are collapsed: least privilege by default, and
nothing is ticked unless asked for.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import CheckboxStyle  # the style classes are not exported at the top
from ipywidgets.widgets.widget_string import HTMLStyle
from traitlets import TraitError, Tuple, observe, validate

from ..errors import ScopeError
from ..kinds import FAMILIES, Kind, Operation
from ..scopes import KNOWN_SCOPES, grants, validate_scopes

__all__ = ["FAMILY_GROUPS", "OTHER", "WRITES", "ScopeChoice", "ScopePicker", "scope_choices", "scope_class"]

#: The group each catalogue family's scopes are listed under: the family's own ``LABEL``.
FAMILY_GROUPS: dict[str, str] = {family.__name__.rsplit(".", 1)[-1]: family.LABEL for family in FAMILIES}
WRITES = "Writes"
OTHER = "Other"
_COLLAPSED = (WRITES, OTHER)


def scope_class(scope: str) -> str:
    """The DOM class of a scope's checkbox: ``SurveyAnswers:read`` → ``mdh-scope-SurveyAnswers-read``
    (each character a CSS class cannot hold unescaped becomes ``-``: ``user/*.read`` → ``mdh-scope-user---read``)."""
    return "mdh-scope-" + re.sub(r"[^A-Za-z0-9_-]", "-", scope)


@dataclass(frozen=True)
class ScopeChoice:
    """One scope as the picker shows it: its group and the methods it unlocks."""

    scope: str
    group: str
    methods: tuple[str, ...]  # session methods, e.g. 'survey_answers()', or "call('file_download_url')"
    writes: bool  # whether any of them needs a scope other than a ':read' one
    broad: bool  # whether it grants other scopes' methods too (api, user/*.read)

    @property
    def unlocks(self) -> str:
        if not self.methods:
            return "unlocks no method of this package"
        if self.broad:
            return (f"unlocks every method ({len(self.methods)}), writes included" if self.writes
                    else f"unlocks every method of every ':read' scope ({len(self.methods)})")
        return "unlocks " + ", ".join(self.methods)


def _method(entry: Kind | Operation) -> str:
    from ..session import ParticipantSession

    return f"{entry.name}()" if hasattr(ParticipantSession, entry.name) else f"call({entry.name!r})"


def _participant_entries() -> list[tuple[ModuleType, Kind | Operation]]:
    return [(family, entry) for family in FAMILIES for entry in (*family.KINDS, *family.OPERATIONS)
            if entry.token == "participant"]


def _reads(entry: Kind | Operation) -> bool:
    return isinstance(entry, Kind) or entry.method == "GET"


def family_group(family: ModuleType) -> str:
    name = family.__name__.rsplit(".", 1)[-1]
    return FAMILY_GROUPS.get(name, name)


def scope_choices() -> tuple[ScopeChoice, ...]:
    """Every known scope with its group and what it unlocks, in group order then catalogue order."""
    entries = _participant_entries()
    group_of: dict[str, str] = {}
    for family, entry in entries:  # reads (kinds and GET calls) place a scope in their family
        if _reads(entry):
            group_of.setdefault(entry.scope, family_group(family))
    for _, entry in entries:
        group_of.setdefault(entry.scope, WRITES)
    order = list(dict.fromkeys([*(family_group(f) for f in FAMILIES if f.KINDS or f.OPERATIONS), WRITES, OTHER]))
    scopes = [e.scope for _, e in entries] + list(KNOWN_SCOPES)  # catalogue order, then the rest
    choices = []
    for scope in dict.fromkeys(scopes):
        unlocked = [e for _, e in entries if grants([scope], e.scope)]
        choices.append(ScopeChoice(scope=scope, group=group_of.get(scope, OTHER),
                                   methods=tuple(dict.fromkeys(_method(e) for e in unlocked)),
                                   writes=any(not e.scope.endswith(":read") for e in unlocked),
                                   broad=any(e.scope != scope for e in unlocked)))
    return tuple(sorted(choices, key=lambda c: order.index(c.group) if c.group in order else len(order)))


def _checked(scopes: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(scopes, str) and not scopes.strip():
        return ()
    if not isinstance(scopes, str):
        scopes = tuple(scopes)
        if not scopes:
            return ()
    try:
        return validate_scopes(scopes)
    except ScopeError as exc:
        raise TraitError(str(exc)) from None


class ScopePicker(widgets.VBox):  # type: ignore[misc]
    """Checkboxes for the participant-token scopes, grouped by source; ``value`` is the ticked ones.

    ``ScopePicker(["SurveyAnswers:read"])`` starts with those ticked; set ``.value`` to tick others
    (an unknown name is a ``TraitError`` naming the nearest one). Nothing is ticked by default.
    """

    value = Tuple(help="the ticked scopes, in the picker's order")

    def __init__(self, scopes: Iterable[str] | str = (), **kwargs: Any) -> None:
        self.choices = scope_choices()
        self.group_of: dict[str, str] = {c.scope: c.group for c in self.choices}
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        groups: dict[str, list[Any]] = {}
        # one layout and one style shared by all boxes (and by all notes): a notebook stores every
        # widget model it saw, and 22 scopes would otherwise bring ~200 models of their own
        box_layout, note_layout = widgets.Layout(width="auto"), widgets.Layout(margin="-4px 0 6px 22px")
        box_style, note_style = CheckboxStyle(), HTMLStyle()
        for choice in self.choices:
            box = widgets.Checkbox(value=False, description=choice.scope, indent=False,
                                   tooltip=f"{choice.scope}: {choice.unlocks}", layout=box_layout, style=box_style)
            box.add_class(scope_class(choice.scope))
            box.add_class("mdh-scope")
            box.observe(self._on_box, names="value")
            self.checkboxes[choice.scope] = box
            note = widgets.HTML(f"<div style='opacity:0.75;font-size:smaller;line-height:1.3'>"
                                f"{html.escape(choice.unlocks)}</div>",
                                layout=note_layout, style=note_style)
            groups.setdefault(choice.group, []).extend([box, note])
        self.groups: dict[str, widgets.VBox] = {}
        open_groups, collapsed = [], []
        group_layout = widgets.Layout(min_width="220px", max_width="340px", margin="0 12px 8px 0")
        for name, rows in groups.items():
            if name in _COLLAPSED:
                box = widgets.VBox(rows, layout=group_layout)
                collapsed.append((name, box))
            else:
                box = widgets.VBox([widgets.HTML(f"<b>{html.escape(name)}</b>"), *rows], layout=group_layout)
                open_groups.append(box)
            box.add_class("mdh-scope-group")
            self.groups[name] = box
        self._collapsed_names = [name for name, _ in collapsed]
        self.collapsed = widgets.Accordion(children=[box for _, box in collapsed], selected_index=None)
        for i, (name, _) in enumerate(collapsed):
            hint = " — change data; not needed to read" if name == WRITES else " — broad or unused scopes"
            self.collapsed.set_title(i, name + hint)
        self._syncing = False
        super().__init__([widgets.HTML("<b>Scopes</b> <small>(the participant token gets exactly the ticked ones)"
                                       "</small>"),
                          widgets.HBox(open_groups, layout=widgets.Layout(flex_flow="row wrap")),
                          self.collapsed], **kwargs)
        self.add_class("mdh-scope-picker")
        self.value = _checked(scopes)

    def __repr__(self) -> str:
        return f"ScopePicker(value={self.value!r})"

    @validate("value")
    def _check_value(self, proposal: Any) -> tuple[str, ...]:
        ticked = set(_checked(proposal["value"]))
        return tuple(c.scope for c in self.choices if c.scope in ticked)  # the picker's order

    @observe("value")
    def _show_value(self, change: Any) -> None:
        self._syncing = True
        try:
            for scope, box in self.checkboxes.items():
                box.value = scope in change["new"]
        finally:
            self._syncing = False
        ticked_groups = {self.group_of[s] for s in change["new"]}
        for i, name in enumerate(self._collapsed_names):  # a ticked write scope is never out of sight
            if name in ticked_groups:
                self.collapsed.selected_index = i
                break

    def _on_box(self, change: Any) -> None:
        if not self._syncing:
            self.value = tuple(scope for scope, box in self.checkboxes.items() if box.value)

    def where(self, scope: str) -> str:
        """Which box to tick for ``scope``: "'SurveyAnswers:read' under Surveys"."""
        return f"{scope!r} under {self.group_of.get(scope, OTHER)}"
