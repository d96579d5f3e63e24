"""Synthetic inbox items: one survey item per survey task, weekly newsletter messages, a few
announcements, and educational resources every nine days, all from the participant's survey
plan (``survey_plan``), so that the inbox and the tasks agree.

A survey item is its task (same id, status, due and end dates; ``hasRestorationData`` is the
task's saved progress; categories: the survey's category, or none). A message or resource is
``complete`` once read, ``closed`` when it expired (``endDate`` passed) unread, else
``incomplete``; ``isNew`` is "not opened yet". Reading one (``markRead``) clears ``isNew`` and
completes an open message or resource; a survey item stays as it is until its survey is done.
Optional keys (``endDate``, ``dueDate``, ``title``, ``displayName``, ``description``,
``subTitle``, ``imageUrl``) are sometimes absent, sometimes null.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from .cohort import Participant, guid
from .declarations import GenContext
from .isotime import FORMS, format_instant
from .survey_plan import PlannedTask, local_ms, survey_plan

__all__ = ["ITEM_TYPES", "InboxRow", "Newsletter", "generate_inbox", "mark_read", "newsletters"]

ITEM_TYPES = ("message", "survey", "resource")
_FORM_WEIGHTS = (35, 15, 20, 20, 10)  # Z3, Z2, UTC, LOCAL, NAIVE
_DAY = 86_400_000
_SITE = "https://study.example.org"
_TOPICS = (
    ("Sleep hygiene basics", "Five habits for better nights", "sleep", "Sleep"),
    ("Getting the most from your Fitbit", "Wear it, sync it, charge it", "fitbit", "Devices"),
    ("Understanding your PHQ-9 score", None, "phq-9", "Mental Health"),
    ("Moving more, a little at a time", "Ten-minute walks count", "activity", "Lifestyle"),
    ("Stress and your heart rate", "What your resting heart rate can tell you", "stress", "Mental Health"),
    ("Caffeine, alcohol and sleep", None, "caffeine", "Sleep"),
    ("Your data and your privacy", "Who sees what, and why", "privacy", "Study"),
    ("Staying active in cold weather", "Indoor ideas", "winter", "Lifestyle"),
)


@dataclasses.dataclass(frozen=True, slots=True)
class InboxRow:
    record: dict[str, Any]
    type: str
    status: str
    categories: frozenset[str]  # casefolded
    inserted_us: int
    due_us: int | None
    end_us: int | None
    is_new: bool

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.inserted_us, self.id)


@dataclasses.dataclass(frozen=True)
class Newsletter:
    sent_ms: int
    title: str
    week: dt.date


def newsletters(ctx: GenContext, participant: Participant, now_ms: int) -> list[Newsletter]:
    """The weekly newsletter (Mondays 10:00 local) of each week the participant was enrolled."""
    out = []
    for day in ctx.days():
        if day.weekday() != 0:
            continue
        sent = local_ms(day, 10 * 60, participant.tz)
        if participant.enrollment_ms <= sent < now_ms:
            out.append(Newsletter(sent, f"Study news: week of {day:%b} {day.day}", day))
    return out


def mark_read(row: InboxRow) -> InboxRow:
    """The item once opened: not new; an open message or resource complete."""
    status = "complete" if row.type != "survey" and row.status == "incomplete" else row.status
    record = dict(row.record, isNew=False, status=status)
    return dataclasses.replace(row, record=record, status=status, is_new=False)


class _Items:
    def __init__(self, participant: Participant, rng: random.Random) -> None:
        self.participant = participant
        self.rng = rng
        self.rows: list[InboxRow] = []

    def optional(self, record: dict[str, Any], key: str, value: Any, share_missing: float = 0.5) -> None:
        if value is not None:
            record[key] = value
        elif self.rng.random() < share_missing:
            record[key] = None

    def add(self, kind: str, item_id: str, categories: list[str], inserted_ms: int, end_ms: int | None,
            status: str, is_new: bool, fields: dict[str, Any], due_ms: int | None = None) -> None:
        form = self.rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]
        tz = self.participant.tz
        record: dict[str, Any] = {"type": kind, "id": item_id, "categories": categories,
                                  "insertedDate": format_instant(inserted_ms, form, tz)}
        self.optional(record, "endDate", None if end_ms is None else format_instant(end_ms, form, tz))
        record["status"] = status
        record["isNew"] = is_new
        if kind == "survey":
            self.optional(record, "dueDate", None if due_ms is None else format_instant(due_ms, form, tz))
        record.update(fields)
        self.rows.append(InboxRow(record=record, type=kind, status=status,
                                  categories=frozenset(c.casefold() for c in categories),
                                  inserted_us=inserted_ms * 1000,
                                  due_us=None if due_ms is None else due_ms * 1000,
                                  end_us=None if end_ms is None else end_ms * 1000, is_new=is_new))

    def survey(self, task: PlannedTask) -> None:
        rng = self.rng
        info = task.survey
        if task.status == "complete":
            is_new = False
        elif task.status == "closed":
            is_new = not task.saved_progress and rng.random() < 0.6
        else:
            is_new = not task.saved_progress and rng.random() < 0.9
        fields: dict[str, Any] = {}
        self.optional(fields, "title", info.display if rng.random() < 0.7 else None)
        fields["name"] = info.name
        self.optional(fields, "displayName", info.display if rng.random() < 0.85 else None)
        self.optional(fields, "description", info.description or None, share_missing=0.3)
        fields["hasRestorationData"] = task.saved_progress
        self.add("survey", task.id, [info.category] if info.category else [], task.inserted_ms, task.end_ms,
                 task.status, is_new, fields, due_ms=task.due_ms)

    def message(self, inserted_ms: int, now_ms: int, title: str, content: str, categories: list[str],
                related: list[dict[str, Any]], read_share: float) -> None:
        rng = self.rng
        end_ms = inserted_ms + 28 * _DAY if rng.random() < 0.5 else None
        recent = now_ms - inserted_ms < 3 * _DAY
        read = not recent and rng.random() < read_share
        status = "complete" if read else "closed" if end_ms is not None and end_ms <= now_ms else "incomplete"
        self.add("message", guid(rng), categories, inserted_ms, end_ms, status, not read,
                 {"title": title, "content": content, "relatedResources": related})

    def resource(self, inserted_ms: int, now_ms: int, topic: tuple[str, str | None, str, str]) -> None:
        rng = self.rng
        title, subtitle, slug, category = topic
        viewed = now_ms - inserted_ms > _DAY and rng.random() < 0.5
        fields: dict[str, Any] = {"title": title}
        self.optional(fields, "subTitle", subtitle)
        fields["url"] = f"{_SITE}/resources/{slug}"
        self.optional(fields, "imageUrl", f"{_SITE}/images/{slug}.png" if rng.random() < 0.6 else None)
        self.add("resource", guid(rng), ["Education", category], inserted_ms, None,
                 "complete" if viewed else "incomplete", not viewed, fields)


def _related(rng: random.Random) -> list[dict[str, Any]]:
    related = []
    for title, subtitle, slug, _ in rng.sample(_TOPICS, rng.choice((0, 0, 1, 2))):
        resource: dict[str, Any] = {"title": title, "url": f"{_SITE}/resources/{slug}"}
        if subtitle is not None:
            resource["subTitle"] = subtitle
        if rng.random() < 0.5:
            resource["imageUrl"] = f"{_SITE}/images/{slug}.png"
        related.append(resource)
    return related


def generate_inbox(ctx: GenContext, participant: Participant) -> list[InboxRow]:
    """Every inbox item of the participant as it stands at the window's end, by (insertedDate, id)."""
    plan = survey_plan(ctx, participant)
    rng = ctx.rng("inbox", participant.index)
    items = _Items(participant, rng)
    now = plan.now_ms
    for task in plan.tasks:
        items.survey(task)
    read_share = 0.8 if participant.index == 0 else rng.uniform(0.3, 0.9)
    first_name = (participant.demographics or {}).get("firstName", "")
    for letter in newsletters(ctx, participant, now):
        greeting = f"Hi {first_name}," if first_name else "Hello,"
        content = (f"<p>{greeting}</p><p>Thank you for another week in the study. This week: "
                   f"{rng.choice(_TOPICS)[0].lower()}, and a reminder to keep your devices synced.</p>")
        items.message(letter.sent_ms, now, letter.title, content, ["Newsletter"], _related(rng), read_share)
    days = ctx.days()
    for index, title, text in ((20, "Holiday schedule", "The study team is away next Monday; "
                                "surveys run as usual."),
                               (45, "Halfway there!", "You are halfway through this study period. "
                                "Thank you \u2014 every check-in counts.")):
        if index < len(days):
            sent = local_ms(days[index], 15 * 60, participant.tz)
            if participant.enrollment_ms <= sent < now:
                items.message(sent, now, title, f"<p>{text}</p>", ["Announcements"], [], read_share)
    for n, day in enumerate(days[3::9]):
        ctx.pace()
        sent = local_ms(day, 12 * 60, participant.tz)
        if participant.enrollment_ms <= sent < now:
            items.resource(sent, now, _TOPICS[n % len(_TOPICS)])
    return sorted(items.rows, key=lambda row: row.sort_key)
