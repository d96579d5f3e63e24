"""ParticipantPicker: search the project's participants (admin API) and pick one; ``value`` is its identifier."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
from traitlets import TraitError, Unicode, observe, validate

from ..errors import MDHError, ParticipantNotFound
from ..frames import to_frame
from ..kinds import kind as lookup_kind
from ._render import Level, message_html

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["ParticipantPicker", "participant_label"]


def _day(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def participant_label(row: pd.Series[Any]) -> str:
    """``PT-0003 · enrolled 2026-03-04`` or ``PT-0005 · withdrawn 2026-09-17 (enrolled 2026-03-23)``."""
    identifier = row.get("participant_identifier")
    name = identifier if isinstance(identifier, str) and identifier else str(row.get("id"))
    flag = row.get("enrolled")
    enrolled = flag is not None and not pd.isna(flag) and bool(flag)
    withdrawn = row.get("withdraw_date")
    if not enrolled and withdrawn is not None and not pd.isna(withdrawn):
        return f"{name} · withdrawn {_day(withdrawn)} (enrolled {_day(row.get('enrollment_date'))})"
    if enrolled:
        return f"{name} · enrolled {_day(row.get('enrollment_date'))}"
    return f"{name} · not enrolled"


class ParticipantPicker(widgets.VBox):  # type: ignore[misc]
    """A search box (identifier, name or email, through ``client.participants(query)``) over a list
    of matches labelled with identifier, enrollment date and state; ``value`` is the picked
    participantIdentifier, or None.

    ``client`` defaults to :func:`mdh_notebook.open_client` (the embedded sandbox when nothing is
    configured). Setting ``.value`` picks that participant (a ``TraitError`` if the project has none
    by that identifier). The list shows the first page of matches (``page_size``); search to narrow.
    """

    value = Unicode(None, allow_none=True, help="the picked participantIdentifier, or None")

    def __init__(self, client: Client | None = None, *, rows: int = 8, **kwargs: Any) -> None:
        if client is None:
            from ..connect import open_client

            client = open_client()
            self._owns_client = True
        else:
            self._owns_client = False
        self.client = client
        self.matches: pd.DataFrame = to_frame("participants", [])
        self._known: dict[str, pd.Series[Any]] = {}  # casefolded identifier -> admin row, from every search
        self.search_box = widgets.Text(placeholder="search: identifier, name or email (Enter)",
                                       continuous_update=False, description="Participant",
                                       layout=widgets.Layout(width="400px"))
        self.search_box.add_class("mdh-participant-search")
        self.list = widgets.Select(options=[], value=None, rows=rows, layout=widgets.Layout(width="400px"))
        self.list.add_class("mdh-participant-list")
        self.status = widgets.HTML()
        self.status.add_class("mdh-participant-status")
        self._syncing = False
        super().__init__([self.search_box, self.list, self.status], **kwargs)
        self.add_class("mdh-participant-picker")
        self.search_box.observe(self._on_search, names="value")
        self.list.observe(self._on_list, names="value")
        self.search("")

    def __repr__(self) -> str:
        return f"ParticipantPicker(value={self.value!r}, matches={len(self.matches)})"

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
        super().close()

    def _say(self, text: str, level: Level = "info") -> None:
        self.status.value = message_html(text, level)

    # -- searching --------------------------------------------------------------------------------

    def search(self, query: str) -> pd.DataFrame:
        """List the participants matching ``query`` (all of them for ``""``); errors are shown, not raised."""
        query = query.strip()
        try:
            pager = self.client.pager("participants", {"query": query or None})
            records = next(iter(pager.pages), [])
            frame = to_frame("participants", records)
        except MDHError as exc:
            self._say(f"could not search participants: {exc}", "error")
            return self.matches
        frame = frame.sort_values("participant_identifier", ignore_index=True, na_position="last")
        self.matches = frame
        for _, row in frame.iterrows():
            identifier = row.get("participant_identifier")
            if isinstance(identifier, str) and identifier:
                self._known[identifier.casefold()] = row
        total = pager.state.total
        shown = len(frame)
        if not shown:
            self._say(f"no participant matches {query!r}; search by identifier (PT-0001), name or email"
                      if query else "this project has no participants yet", "warning")
        else:
            more = (f" of {total:,} — search to narrow" if total is not None and total > shown else "")
            self._say(f"{shown:,}{more} participant{'' if shown == 1 else 's'}"
                      + (f" matching {query!r}" if query else ""))
        self._show_options()
        return frame

    def _show_options(self) -> None:
        options = [(participant_label(row), str(row["participant_identifier"])) for _, row in self.matches.iterrows()
                   if isinstance(row.get("participant_identifier"), str)]
        if self.value is not None and self.value not in {v for _, v in options}:
            options.insert(0, (participant_label(self._known[self.value.casefold()]), self.value))  # kept in sight
        self._syncing = True
        try:
            self.list.options = options
            self.list.value = self.value
        finally:
            self._syncing = False

    def _on_search(self, change: Any) -> None:
        try:
            self.search(change["new"] or "")
        except Exception as exc:  # a callback never raises into the front-end's void
            self._say(f"search failed unexpectedly: {type(exc).__name__}: {exc}", "error")

    def _on_list(self, change: Any) -> None:
        if self._syncing:
            return
        try:
            self.value = change["new"]
        except TraitError as exc:
            self._say(str(exc), "error")

    # -- the value --------------------------------------------------------------------------------

    @validate("value")
    def _check_value(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise TraitError(f"a participant is a participantIdentifier like 'PT-0001' (or None), got {value!r}")
        value = value.strip()
        row = self._known.get(value.casefold())
        if row is not None:
            return str(row["participant_identifier"])
        try:
            record = self.client.find_participant(value)
        except ParticipantNotFound:
            listed = ", ".join(sorted(str(r["participant_identifier"]) for r in self._known.values())[:5])
            raise TraitError(f"this project has no participant {value!r}; search for one in the box above"
                             + (f", or pick one of {listed}, …" if listed else "")) from None
        except MDHError as exc:
            raise TraitError(f"could not look up participant {value!r}: {exc}") from None
        found = to_frame(lookup_kind("participants"), [record]).iloc[0]
        identifier = found.get("participant_identifier")
        if not isinstance(identifier, str) or not identifier:
            raise TraitError(f"participant {value!r} has no participantIdentifier; pick one that has")
        self._known[identifier.casefold()] = found
        return identifier

    @observe("value")
    def _show_value(self, change: Any) -> None:
        self._show_options()
        if change["new"] is not None:
            self._say(participant_label(self._known[change["new"].casefold()]), "ok")
