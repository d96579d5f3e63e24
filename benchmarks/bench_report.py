"""Rows and how they are printed: one Markdown table per section (a terminal reads it as it is,
and ``docs/benchmarks.md`` renders the pasted output).

Every row states what was measured, the issue's target and the verdict: ``met``, ``not met``,
``info`` (the issue sets no target for it, or the comparison has a bound by construction), or
``error`` (the feature raised — a renamed keyword too: the run exits 1 after printing everything).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["VERDICTS", "Row", "Section", "ratio", "verdict"]

VERDICTS = ("met", "not met", "info", "error")


def verdict(ok: bool) -> str:
    return "met" if ok else "not met"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


@dataclass
class Row:
    measurement: str
    measured: str
    target: str
    verdict: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time its measurements took

    def add(self, measurement: str, measured: str, target: str, ok: bool | None) -> None:
        """A measured row: ``ok`` None when the issue sets no target (``info``)."""
        self.rows.append(Row(measurement, measured, target, "info" if ok is None else verdict(ok)))

    def failed(self, measurement: str, target: str, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}".replace("|", "/").replace("\n", " ")
        self.rows.append(Row(measurement, text[:160], target, "error"))

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def errors(self) -> int:
        return sum(row.verdict == "error" for row in self.rows)

    def render(self, out: Callable[[str], None] = print) -> None:
        out(f"### {self.title}")
        out("")
        out("| measurement | measured | target (issue 8) | verdict |")
        out("|---|---|---|---|")
        for row in self.rows:
            out(f"| {row.measurement} | {row.measured} | {row.target} | {row.verdict} |")
        if self.notes:
            out("")
            for text in self.notes:
                out(f"- {text}")
        out("")
