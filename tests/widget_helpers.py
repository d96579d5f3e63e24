"""What the widget tests share: an explorer on the session's sandbox, picking, reading an Output."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from mdh_notebook.widgets import Explorer


def html_of(widget: object) -> str:
    return str(widget.value)  # type: ignore[attr-defined]


def picked(explorer: Explorer, participant: str = "PT-0003", scopes: tuple[str, ...] = ("SurveyAnswers:read",),
            kind: str = "survey_answers") -> Explorer:
    explorer.participants.value = participant
    explorer.scopes.value = scopes
    explorer.kind.value = kind
    return explorer


def shown(output: Any) -> dict[str, str]:
    """What an Output shows: its one display's MIME bundle ({} when empty)."""
    return dict(output.outputs[0]["data"]) if output.outputs else {}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data
