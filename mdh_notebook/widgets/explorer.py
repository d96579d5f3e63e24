"""Explorer: participant + scopes + kind + date range → fetch (with progress) → table, plot, save.

The explorer opens one :class:`~mdh_notebook.ParticipantSession` per (participant, ticked scopes)
with ``client.connect`` and closes it when either changes. Before any request it says what is
missing — a participant, the kind's scope (naming the box to tick), a required filter — and an
empty result is "no rows", never confused with a refusal. After the first fetch, every re-pick
fetches again. Headless state: ``frame``, ``figure``, ``message`` (and ``message_level``),
``session``.
"""

from __future__ import annotations

import traceback
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import pandas as pd
from traitlets import Instance, Unicode

from ..errors import InvalidArgumentError, MDHError
from ..kinds import KINDS, Kind, Param
from ..kinds import kind as lookup_kind
from ..output import write_frame
from ..scopes import grants
from ..session import SETTINGS_KIND
from . import _dates, _render
from ._render import Level
from ._save import save_target
from .participant_picker import ParticipantPicker
from .scope_picker import ScopePicker

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..client import Client
    from ..paging import PagerState
    from ..session import ParticipantSession

__all__ = ["DEFAULT_KIND", "Explorer", "explorer_kinds"]

DEFAULT_KIND = "survey_answers"


def explorer_kinds() -> list[Kind]:
    """The kinds the explorer lists: a participant's listings (no single-record kinds, none needing a path id)."""
    return [k for k in KINDS.values() if k.token == "participant" and k.shape != "object"
            and not any(p.in_path and p.required for p in k.params)]


def _explorer_kind(kind: object) -> str:
    """The kind's name if the explorer lists it; else an error naming the ones it does."""
    names = [k.name for k in explorer_kinds()]
    if kind is None:
        return DEFAULT_KIND
    if isinstance(kind, str) and kind in names:
        return kind
    listed = KINDS.get(kind) if isinstance(kind, str) else None
    why = (" (it is read with the service account or names one record: use the Client or a session)"
           if listed is not None else "")
    raise InvalidArgumentError(f"Explorer(kind={kind!r}): not a kind the explorer lists{why}; choose one of "
                               + ", ".join(names))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _descendants(widget: Any) -> list[Any]:
    found: list[Any] = []
    for child in getattr(widget, "children", ()):
        found += [child, *_descendants(child)]
    return found


def _required(entry: Kind) -> list[Param]:
    return [p for p in entry.params if p.required and not p.in_path]


class Explorer(widgets.VBox):  # type: ignore[misc]
    """Pick a participant, tick scopes, choose a kind (and dates), Fetch: a table, a plot, Save.

    ``Explorer(client=None, *, participant=None, scopes=(), kind=None)``; the parts are attributes:
    ``participants`` (:class:`ParticipantPicker`), ``scopes`` (:class:`ScopePicker`), ``kind``,
    ``start``, ``end``, ``filters`` (a kind's required filters, by name), ``fetch_button``,
    ``table`` and ``plot`` (Outputs), ``save_path``, ``save_csv_button``, ``save_parquet_button``,
    ``message_box``, ``token_state`` (its text: :attr:`token_summary`). :meth:`fetch` and :meth:`save`
    do what the buttons do.
    """

    message = Unicode("", help="what the explorer says: a refusal, an error, a result")
    message_level = Unicode("info", help="info, ok, warning or error")
    session = Instance("mdh_notebook.session.ParticipantSession", allow_none=True,
                       help="the open session for the picked participant and scopes")

    def __init__(self, client: Client | None = None, *, participant: str | None = None,
                 scopes: Any = (), kind: str | None = None, rows: int = 50, **kwargs: Any) -> None:
        chosen = _explorer_kind(kind)  # checked before anything is opened or built
        self._owns_client = False
        if client is None:
            from ..connect import open_client

            client = open_client()
            self._owns_client = True
        self.client = client
        try:
            self._build(chosen, participant, scopes, rows, **kwargs)
        except BaseException:
            if self._owns_client:  # a half-built explorer leaves no connection open behind it
                client.close()
            raise

    def _build(self, chosen: str, participant: str | None, scopes: Any, rows: int, **kwargs: Any) -> None:
        self.rows = rows
        self._armed = False  # after the first fetch, re-picking fetches again
        self._session_key: tuple[str, tuple[str, ...]] | None = None
        self._auto_path = ""

        self.participants = ParticipantPicker(self.client)
        self.scopes = ScopePicker(scopes)
        kinds = explorer_kinds()
        self.kind = widgets.Dropdown(options=[(f"{k.name} — {k.scope}", k.name) for k in kinds],
                                     value=chosen, description="Kind",
                                     layout=widgets.Layout(width="420px"))
        self.kind.add_class("mdh-kind")
        self.filters: dict[str, widgets.Widget] = {}
        self.filter_box = widgets.HBox()
        self.start = widgets.DatePicker(description="From", layout=widgets.Layout(width="220px"))
        self.start.add_class("mdh-start")
        self.end = widgets.DatePicker(description="To", layout=widgets.Layout(width="220px"))
        self.end.add_class("mdh-end")
        self.date_note = widgets.HTML()
        self.date_note.add_class("mdh-date-note")
        self.fetch_button = widgets.Button(description="Fetch", button_style="primary", icon="download",
                                           tooltip="fetch the kind's rows for the participant")
        self.fetch_button.add_class("mdh-fetch")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="160px"))
        self.progress.add_class("mdh-progress")
        self.progress_label = widgets.Label()
        self.message_box = widgets.HTML()
        self.message_box.add_class("mdh-message")
        self.token_state = widgets.HTML()
        self.token_state.add_class("mdh-token-state")
        self.table = widgets.Output(layout=widgets.Layout(max_width="100%"))
        self.table.add_class("mdh-table")
        self.plot = widgets.Output()
        self.plot.add_class("mdh-plot")
        self.save_path = widgets.Text(description="Save as", layout=widgets.Layout(width="420px"))
        self.save_path.add_class("mdh-save-path")
        self.save_csv_button = widgets.Button(description="Save CSV", icon="save")
        self.save_csv_button.add_class("mdh-save-csv")
        self.save_parquet_button = widgets.Button(description="Save Parquet", icon="save")
        self.save_parquet_button.add_class("mdh-save-parquet")

        controls = widgets.VBox([self.kind, self.filter_box, widgets.HBox([self.start, self.end]), self.date_note])
        super().__init__([  # top to bottom as one works: who and what, which scopes, fetch, the rows
            widgets.HBox([self.participants, controls], layout=widgets.Layout(flex_flow="row wrap")),
            self.scopes,
            widgets.HBox([self.fetch_button, self.progress, self.progress_label]),
            self.message_box, self.token_state, self.table, self.plot,
            widgets.HBox([self.save_path, self.save_csv_button, self.save_parquet_button]),
        ], **kwargs)
        self.add_class("mdh-explorer")

        if participant is not None:
            self.participants.value = participant
        self._kind_changed()
        self._show_token_state()
        self.fetch_button.on_click(lambda _: self._guarded(self.fetch))
        self.save_csv_button.on_click(lambda _: self._guarded(lambda: self.save("csv"), clear=False))
        self.save_parquet_button.on_click(lambda _: self._guarded(lambda: self.save("parquet"), clear=False))
        self.participants.observe(self._on_pick, names="value")
        self.scopes.observe(self._on_pick, names="value")
        self.kind.observe(self._on_kind, names="value")
        self.start.observe(self._on_range, names="value")
        self.end.observe(self._on_range, names="value")

    # plain attributes behind read-only properties, not traits: a trait compares the old and new
    # value on every set, an elementwise comparison for a DataFrame (one that pyarrow aborts on
    # when Widget.__del__ closes the explorer at interpreter exit)
    _frame: pd.DataFrame | None = None
    _figure: Figure | None = None

    @property
    def frame(self) -> pd.DataFrame | None:
        """The last fetched frame (None before a fetch, after a refusal or an error)."""
        return self._frame

    @property
    def figure(self) -> Figure | None:
        """The last plot (a matplotlib Figure), or None."""
        return self._figure

    def __repr__(self) -> str:
        return (f"Explorer(participant={self.participants.value!r}, scopes={self.scopes.value!r}, "
                f"kind={self.kind.value!r}, rows={None if self.frame is None else len(self.frame)})")

    def close(self) -> None:
        """Close the session (and the client, if the explorer opened it) and every control; what was
        shown is cleared first, so a notebook's stored widget state does not keep a closed explorer's rows.
        Safe on an explorer whose construction failed part-way, and again (``Widget.__del__`` calls it)."""
        if vars(self).get("_closed"):
            return
        self._closed = True
        if "token_state" in vars(self):  # built far enough to have shown anything
            self._close_session()
            self._forget()
        for part in ("participants", "scopes"):
            if part in vars(self):
                vars(self)[part].close()
        if vars(self).get("_owns_client") and "client" in vars(self):
            self.client.close()
        for widget in _descendants(self):
            widget.close()
        super().close()

    # -- saying things ----------------------------------------------------------------------------

    def _say(self, text: str, level: Level = "info", detail: str = "") -> None:
        """Show ``text``; ``detail`` (a traceback) goes in a collapsed, escaped block below it."""
        self.message = text
        self.message_level = level
        self.message_box.value = _render.message_html(text, level) + _render.details_html("traceback", detail)

    @property
    def token_summary(self) -> str:
        """The token-state line as text: scopes, expires in, renewals so far, rate budget (never the token)."""
        return _render.token_state(self.session)

    def _show_token_state(self) -> None:
        self.token_state.value = "<small>" + _render.message_html(self.token_summary, "info") + "</small>"

    def _forget(self) -> None:
        """No frame, no figure, nothing shown: what a refusal or an error leaves (never stale rows)."""
        self._frame = None
        self._figure = None
        _render.clear(self.table)
        _render.clear(self.plot)

    def _refuse(self, text: str) -> None:
        self._forget()
        self.progress.bar_style, self.progress.value = "", 0  # nothing was fetched: no stale count
        self.progress_label.value = ""
        self._say(text, "warning")

    def _guarded(self, action: Any, *, clear: bool = True) -> Any:
        """Run a callback's work; any failure becomes the message (a callback has nowhere to raise to).
        ``clear``: a failure also clears the rows shown (a failed fetch); a failed save or suggestion
        leaves them."""
        try:
            return action()
        except MDHError as exc:
            if clear:
                self._forget()
            self._say(f"{type(exc).__name__}: {exc}", "error")
        except Exception as exc:  # not ours to know: shown, with its traceback
            if clear:
                self._forget()
            state = "the rows shown were cleared" if clear else "the rows shown are unchanged"
            self._say(f"unexpected {type(exc).__name__}: {exc} — {state}; the traceback is below", "error",
                      traceback.format_exc())
        return None

    # -- reacting to picks ------------------------------------------------------------------------

    def _on_pick(self, change: Any) -> None:
        key = self._key()
        if self.session is not None and key != self._session_key:
            self._close_session()
        self._update_save_path()
        if any(isinstance(w, widgets.Combobox) and w.options for w in self.filters.values()):
            self._guarded(self._offer_vocabulary, clear=False)  # the suggestions were others'
        if self._armed:
            self._guarded(self.fetch)

    def _on_kind(self, change: Any) -> None:
        self._guarded(self._kind_changed)
        if self._armed:
            self._guarded(self.fetch)

    def _on_range(self, change: Any) -> None:
        if self._armed:
            self._guarded(self.fetch)

    def _key(self) -> tuple[str, tuple[str, ...]] | None:
        participant = self.participants.value
        return None if participant is None else (participant, tuple(self.scopes.value))

    def _kind_changed(self) -> None:
        entry = lookup_kind(self.kind.value)
        for widget in self.filters.values():
            widget.close()
        self.filters = {}
        for param in _required(entry):
            if param.choices:
                widget = widgets.Dropdown(options=list(param.choices), value=None, description=param.name)
            else:
                widget = widgets.Combobox(placeholder=param.doc or param.name, description=param.name,
                                          continuous_update=False, ensure_option=False)
            widget.add_class(f"mdh-filter-{param.name}")
            widget.observe(self._on_filter, names="value")
            self.filters[param.name] = widget
        self.filter_box.children = list(self.filters.values())
        timeline = entry.timeline
        after = timeline.after if timeline is not None else ""
        before = timeline.before if timeline is not None else ""
        self.start.disabled = not after
        self.end.disabled = not before
        self._show_date_note()
        self._update_save_path()

    def _show_date_note(self) -> None:
        text = _dates.note(lookup_kind(self.kind.value), self.session)
        self.date_note.value = f"<small>{_render.message_html(text, 'info')}</small>"

    def _on_filter(self, change: Any) -> None:
        self._guarded(self._offer_vocabulary, clear=False)
        if self._armed:
            self._guarded(self.fetch)

    def _update_save_path(self) -> None:
        participant = self.participants.value
        default = f"{participant}_{self.kind.value}.csv" if participant else f"{self.kind.value}.csv"
        if self.save_path.value in ("", self._auto_path):  # the user's own path is left alone
            self.save_path.value = default
        self._auto_path = default

    # -- sessions ---------------------------------------------------------------------------------

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None
        self._session_key = None
        self._show_token_state()
        self._show_date_note()

    def _open_session(self) -> ParticipantSession:
        key = self._key()
        if key is None:
            raise AssertionError("no participant picked")  # checked by the caller
        current: ParticipantSession | None = self.session
        if current is not None and key == self._session_key:
            return current
        self._close_session()
        session = self.client.connect(key[0], key[1])
        session.on_renew(lambda _event: self._show_token_state())
        self.session, self._session_key = session, key
        self._show_token_state()
        self._show_date_note()
        return session

    def _offer_vocabulary(self) -> None:
        """Fill a free-text filter's suggestions from its vocabulary (device data types), if the scopes allow."""
        entry = lookup_kind(self.kind.value)
        vocabulary = entry.vocabulary
        widget = self.filters.get(vocabulary.param) if vocabulary is not None else None
        if vocabulary is None or not isinstance(widget, widgets.Combobox):
            return
        if self._key() is None or not grants(self.scopes.value, lookup_kind(vocabulary.kind).scope):
            widget.options = ()  # no one's suggestions rather than another participant's
            return
        # each participant's own listing (their token), read once per session: a re-pick lists again
        given = {name: other.value for name, other in self.filters.items()}
        widget.options = sorted(set(self._open_session().listed_values(vocabulary, given)))

    # -- fetching ---------------------------------------------------------------------------------

    def fetch(self) -> pd.DataFrame | None:
        """Fetch the picked kind (what the Fetch button does): the frame, or None with ``message`` saying why."""
        self._armed = True
        entry = lookup_kind(self.kind.value)
        participant = self.participants.value
        if participant is None:
            self._refuse("Pick a participant first: search by identifier, name or email, and click one in the list.")
            return None
        if not grants(self.scopes.value, entry.scope):
            self._refuse(f"{entry.name} needs the scope {entry.scope} — tick {self.scopes.where(entry.scope)}")
            return None
        filters: dict[str, Any] = {}
        for param in _required(entry):
            value = self.filters[param.name].value
            if value in (None, ""):
                self._refuse(f"{entry.name} needs {param.name}= ({param.doc}) — choose it in '{param.name}' above")
                return None
            filters[param.name] = value
        try:
            filters.update(_dates.range_filters(entry, self.start.value, self.end.value))
        except ValueError as exc:
            self._refuse(str(exc))
            return None
        return self._pull(entry, participant, filters)

    def _pull(self, entry: Kind, participant: str, filters: dict[str, Any]) -> pd.DataFrame | None:
        self._say(f"fetching {entry.name} for {participant}…")
        self.progress.bar_style = ""
        self.progress.value, self.progress.max = 0, 1
        self.progress_label.value = "connecting…"
        try:
            with warnings.catch_warnings(record=True) as caught:  # shown with the result, not lost on stderr
                warnings.simplefilter("always")
                session = self._open_session()
                # the session's own fetch: one pager, and its warnings say why a result is empty
                # (a source switched off, a value its vocabulary does not list)
                fetched = session.fetch(entry, progress=False, on_page=self._show_progress, **filters)
                frame = _dates.trim(entry, fetched, self.start.value, self.end.value)
        except MDHError as exc:
            self.progress.bar_style = "danger"
            self.progress_label.value = "failed"
            self._forget()
            self._say(f"{entry.name} for {participant} failed: {type(exc).__name__}: {exc}", "error")
            self._show_token_state()
            return None
        notes = "".join(f" — {w.category.__name__}: {w.message}" for w in caught)
        pages = int(fetched.attrs.get("pages", 0))
        frame.attrs["pages"] = pages
        self.progress.bar_style = "success"
        self._frame = frame
        markup, line = _render.table_html(frame, self.rows)
        _render.show_html(self.table, markup, line)
        self._show_token_state()
        self._draw(entry, participant, frame)
        if frame.empty:
            dates = " in that date range" if _dates.range_filters(entry, self.start.value, self.end.value) else ""
            why = ""
            settings = lookup_kind(SETTINGS_KIND).scope
            if entry.setting_for(filters) and not caught and not grants(self.scopes.value, settings):
                why = (f" — the project may have this source switched off for them: tick "
                       f"{self.scopes.where(settings)} to find out")
            self._say(f"no rows: {participant} has no {entry.name}{dates} (the scope was granted: no data, not "
                      f"no permission){notes}{why}", "warning")
        else:
            self._say(f"{_count(len(frame), 'row')} of {entry.name} for {participant} ({_count(pages, 'page')})"
                      + notes, "warning" if notes else "ok")
        return frame

    def _show_progress(self, state: PagerState) -> None:
        pages, records, total, done = state.pages, state.records, state.total, state.done
        if total is not None:
            self.progress.max, self.progress.value = max(total, 1), min(records, max(total, 1))
        else:  # no total sent: the bar creeps by pages until the last one
            self.progress.max, self.progress.value = pages + (0 if done else 1), pages
        of = f" of {total:,}" if total is not None else ""
        self.progress_label.value = f"{records:,}{of} records · {pages} page{'s' * (pages != 1)}"

    def _draw(self, entry: Kind, participant: str, frame: pd.DataFrame) -> None:
        try:
            from ..plots import plot_kind  # matplotlib is imported on the first plot, not with the widgets

            figure: Figure = plot_kind(entry, frame)
        except Exception as exc:  # the table stands without its plot
            self._figure = None
            _render.show_html(self.plot, _render.message_html(f"no plot: {type(exc).__name__}: {exc}", "warning"),
                              f"no plot: {exc}")
            return
        self._figure = figure
        _render.show_figure(self.plot, figure)

    # -- saving -----------------------------------------------------------------------------------

    def save(self, fmt: Literal["csv", "parquet"] = "csv") -> Path | None:
        """Write the last frame as CSV or Parquet to the path in ``save_path`` (its suffix set to the
        format; a folder — existing, or typed with a trailing slash — gets the default name inside it;
        an existing file is replaced, and the message says so); the path written, or None with
        ``message`` saying why."""
        if self.frame is None:
            self._say("Nothing to save yet: Fetch first.", "warning")
            return None
        try:
            path = save_target(self.save_path.value, self._auto_path, fmt)
        except InvalidArgumentError as exc:
            self._say(str(exc), "error")
            return None
        replaced = path.exists()
        try:
            write_frame(self.frame, path, fmt)
        except OSError as exc:
            self._say(f"cannot save to {path}: {exc.strerror or exc}; type another path in 'Save as'", "error")
            return None
        size = f"{_count(len(self.frame), 'row')} × {_count(self.frame.shape[1], 'column')}"
        self._say(f"replaced {path.resolve()} with {size}" if replaced else f"wrote {size} to {path.resolve()}",
                  "ok")
        return path.resolve()
