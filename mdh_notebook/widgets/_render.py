"""What the widgets show, as plain MIME bundles set on an ``Output``: no kernel, no IPython shell and
no matplotlib backend needed (a figure is rendered to PNG here), so the same code works in a kernel,
in a test and in a stored notebook's widget state."""

from __future__ import annotations

import base64
import datetime as dt
import html
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import ipywidgets as widgets
    import pandas as pd
    from matplotlib.figure import Figure

    from ..session import ParticipantSession

__all__ = ["Level", "clear", "details_html", "message_html", "show_figure", "show_html", "table_html",
           "token_state"]

Level = Literal["info", "ok", "warning", "error"]

_COLOURS: dict[str, str] = {"info": "inherit", "ok": "#1b7a32", "warning": "#8a5a00", "error": "#b3261e"}


def _bundle(data: dict[str, str]) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def show_html(out: widgets.Output, markup: str, text: str) -> None:
    """Replace what ``out`` shows with HTML (``text`` for front-ends without HTML)."""
    out.outputs = (_bundle({"text/html": markup, "text/plain": text}),)


def clear(out: widgets.Output) -> None:
    out.outputs = ()


def show_figure(out: widgets.Output, figure: Figure) -> None:
    """Replace what ``out`` shows with the figure as a PNG image (rendered here through Agg: no
    matplotlib backend or inline formatter is involved, so a figure made without pyplot shows too)."""
    from ..plots import png_bytes

    png = base64.b64encode(png_bytes(figure)).decode("ascii")
    out.outputs = (_bundle({"image/png": png, "text/plain": repr(figure)}),)


def _escaped(value: Any) -> str:
    return html.escape(str(value))


def table_html(frame: pd.DataFrame, rows: int) -> tuple[str, str]:
    """The first ``rows`` rows as a pandas Styler's HTML under an "n rows × m columns" line; and that line.

    Every cell, column name and index label is HTML-escaped: a participant's free-text answer is data,
    never markup (a Styler escapes nothing unless told)."""
    n, m = frame.shape
    shown = f" (the first {rows} shown)" if n > rows else ""
    line = f"{n:,} row{'' if n == 1 else 's'} × {m} column{'' if m == 1 else 's'}{shown}"
    head = frame.head(rows)
    objects = [c for c in head.columns if head[c].dtype == object]  # lists, dicts: the Styler escapes only str
    try:
        styler = (head.style.set_uuid("mdh")  # fixed ids: a stored output is the same on every run
                  .format(na_rep="", precision=3, escape="html")
                  .format(_escaped, subset=objects, na_rep="")
                  .format_index(_escaped, axis=0)
                  .format_index(_escaped, axis=1)
                  .set_table_styles([{"selector": "td, th", "props": "white-space: nowrap; padding: 2px 8px;"}]))
        table = styler.to_html()
    except ImportError:  # Styler needs jinja2; plain pandas HTML otherwise
        table = head.to_html(na_rep="", escape=True)
    markup = (f"<div><p style='margin:4px 0'><b>{html.escape(line)}</b></p>"
              f"<div style='max-height:420px;overflow:auto'>{table}</div></div>")
    return markup, line


def message_html(text: str, level: Level) -> str:
    if not text:
        return ""
    return f"<span style='color:{_COLOURS[level]}'>{html.escape(text)}</span>"


def details_html(summary: str, detail: str) -> str:
    """``detail`` (e.g. a traceback) escaped in a collapsed ``<details>`` block; "" when there is none."""
    if not detail:
        return ""
    return (f"<details><summary>{html.escape(summary)}</summary>"
            f"<pre style='white-space:pre-wrap;font-size:smaller'>{html.escape(detail)}</pre></details>")


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def token_state(session: ParticipantSession | None) -> str:
    """One line on the session's token and rate budget (never the token itself)."""
    if session is None:
        return "No session yet: pick a participant and the scopes, then Fetch."
    parts = [f"participant {session.participant_identifier or session.participant_id}",
             "scopes " + ", ".join(session.scopes)]
    token = session.token
    if token is not None:
        left = token.remaining(session.client.clock())
        at = dt.datetime.fromtimestamp(token.expires_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"token expires in {_duration(left)} (at {at})" if left > 0
                     else f"token expired at {at} (renewed on next use)")
    parts.append(f"renewals so far {session.renewals}")
    budget = session.rate_limit
    if budget is not None:
        parts.append(f"rate budget {budget.remaining:,} of {budget.limit:,} requests left "
                     f"(window resets in {_duration(budget.reset)})")
    else:
        parts.append("rate budget not reported yet")
    return " · ".join(parts)
