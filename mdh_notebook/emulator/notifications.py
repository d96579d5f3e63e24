"""Synthetic notification history: the reminders of the participant's survey tasks, the weekly
newsletter and a few study updates from a coordinator, from the survey plan (``survey_plan``), so
that a reminder only goes out while its task is open and before its survey was done.

=========================  =====  ===============================================
identifier                 type   sent
=========================  =====  ===============================================
DailyMoodReminder          Push   each DailyMood task, 11.5 h after it opens (18:30)
PHQ9Ready                  Email  each PHQ-9 task, 5 minutes after it opens
PHQ9Reminder               Push   each PHQ-9 task still open 2 days after it opened
WeeklyActivityReminder     Sms    each WeeklyActivity task still open after 17 h
WeeklyVideoAvailable       Push   each WeeklyVideo task, as it opens
HealthHistoryInvite        Email  the HealthHistory task, 2 minutes after it opens
StudyFeedbackInvite        Push   the StudyFeedback task, as it opens
WeeklyNewsletter           Email  with each newsletter (Mondays 10:00)
StudyUpdate                Email  twice, by a coordinator (``sourceUser``)
=========================  =====  ===============================================

``statusCode`` follows the participant: an Email without an address on file or an Sms without a
mobile phone is ``MissingContactInfo``; to an address unsubscribed ``Unsubscribed``; a Push to a
participant without a MyDataHelps account ``NoAssociatedUser``, without a registered phone (for
good, or while changing phones for a few days) ``NoRegisteredMobileDevice``; and now and then a
``ServiceError`` (PT-0001 has one). A notification that was not sent has ``content`` null or no
``content`` at all; sent ones carry their type's content (Sms ``{body}``, Push ``{title, body}``,
some Push ``{body}`` only, Email ``{subject}``). ``recipients``: the address or number used
(none for Push). ``statusDetail`` explains a ServiceError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from .cohort import Participant, guid
from .declarations import GenContext
from .inbox import newsletters
from .isotime import FORMS, format_instant
from .survey_plan import PlannedTask, local_ms, survey_plan

__all__ = ["NOTIFICATION_TYPES", "STATUS_CODES", "NotificationRow", "generate_notifications"]

NOTIFICATION_TYPES = ("Sms", "Push", "Email")
STATUS_CODES = ("Succeeded", "Unsubscribed", "MissingContactInfo", "NoRegisteredMobileDevice", "NoAssociatedUser",
                "ServiceError")
_FORM_WEIGHTS = (30, 15, 25, 20, 10)  # Z3, Z2, UTC, LOCAL, NAIVE
_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_VERSIONS = {"DailyMoodReminder": 3, "PHQ9Ready": 2, "PHQ9Reminder": 1, "WeeklyActivityReminder": 1,
             "WeeklyVideoAvailable": 1, "HealthHistoryInvite": 1, "StudyFeedbackInvite": 2, "WeeklyNewsletter": 4}
_COORDINATOR = {"email": "rivera.coordinator@example.org", "name": "Dana Rivera"}


@dataclasses.dataclass(frozen=True, slots=True)
class NotificationRow:
    record: dict[str, Any]
    sent_us: int
    identifier: str
    type: str
    status: str

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.sent_us, self.id)


@dataclasses.dataclass(frozen=True)
class _Send:
    sent_ms: int
    identifier: str
    type: str
    content: dict[str, str]
    schedule: dict[str, Any] | None = None
    source_user: dict[str, str] | None = None


class _Contact:
    """How each channel reaches this participant."""

    def __init__(self, participant: Participant, rng: random.Random, days: list[dt.date]) -> None:
        demo = participant.demographics or {}
        self.email = demo.get("email")
        self.phone = demo.get("mobilePhone")
        self.unsubscribed_email = participant.unsubscribed_email
        self.unsubscribed_sms = participant.unsubscribed_sms
        reliable = participant.index == 0
        self.account = reliable or rng.random() < 0.9
        self.device = reliable or rng.random() < 0.85
        self.gap: tuple[int, int] | None = None  # changing phones: no registered device for a few days
        if reliable or rng.random() < 0.3:
            start = rng.choice(days)
            begin = local_ms(start, rng.uniform(8, 20) * 60, participant.tz)
            self.gap = (begin, begin + rng.randint(3, 6) * _DAY)

    def status(self, send: _Send) -> tuple[str, list[str]]:
        if send.type == "Email":
            if not self.email:
                return "MissingContactInfo", []
            return ("Unsubscribed" if self.unsubscribed_email else "Succeeded"), [self.email]
        if send.type == "Sms":
            if not self.phone:
                return "MissingContactInfo", []
            return ("Unsubscribed" if self.unsubscribed_sms else "Succeeded"), [self.phone]
        if not self.account:
            return "NoAssociatedUser", []
        if not self.device or (self.gap is not None and self.gap[0] <= send.sent_ms < self.gap[1]):
            return "NoRegisteredMobileDevice", []
        return "Succeeded", []


def _task_sends(task: PlannedTask, now: int, rng: random.Random) -> list[_Send]:
    """The notifications of one task: each at its offset from the task's opening, while the task is
    open (a reminder only before its survey was done)."""
    start = task.start_ms if task.start_ms is not None else task.inserted_ms
    until = min(task.end_ms if task.end_ms is not None else now, now)
    out: list[_Send] = []

    def send(after_ms: int, identifier: str, kind: str, content: dict[str, str], *, reminder: bool) -> None:
        at = start + after_ms + rng.randrange(0, 40_000, 10)
        if at >= until or (reminder and task.result is not None and at >= task.result.when_ms):
            return
        schedule = task.schedule if task.schedule is not None and rng.random() < 0.7 else None
        out.append(_Send(at, identifier, kind, content, schedule))

    name = task.survey.name
    if name == "DailyMood":
        send(int(11.5 * _HOUR), "DailyMoodReminder", "Push",
             {"title": "Daily check-in", "body": "How was your day? Log your mood in 30 seconds."}, reminder=True)
    elif name == "PHQ-9":
        send(5 * _MINUTE, "PHQ9Ready", "Email", {"subject": "Your PHQ-9 check-in is ready"}, reminder=False)
        send(2 * _DAY, "PHQ9Reminder", "Push",
             {"title": "Reminder", "body": "Your PHQ-9 check-in is due tomorrow."}, reminder=True)
    elif name == "WeeklyActivity":
        send(17 * _HOUR, "WeeklyActivityReminder", "Sms",
             {"body": "MyDataHelps: your Weekly Activity survey is open. Reply STOP to opt out."}, reminder=True)
    elif name == "WeeklyVideo":
        content = {"body": "A new two-minute video is ready for you."}
        if rng.random() < 0.7:
            content = {"title": "This week's video", **content}
        send(0, "WeeklyVideoAvailable", "Push", content, reminder=False)
    elif name == "HealthHistory":
        send(2 * _MINUTE, "HealthHistoryInvite", "Email", {"subject": "Please tell us about your health history"},
             reminder=False)
    elif name == "StudyFeedback":
        send(0, "StudyFeedbackInvite", "Push",
             {"title": "How is it going?", "body": "Five quick questions about the study."}, reminder=False)
    return out


def _sends(ctx: GenContext, participant: Participant, rng: random.Random) -> list[_Send]:
    plan = survey_plan(ctx, participant)
    now = plan.now_ms
    out = [send for task in plan.tasks for send in _task_sends(task, now, rng)]
    for letter in newsletters(ctx, participant, now):
        out.append(_Send(letter.sent_ms + rng.randrange(0, 120_000, 10), "WeeklyNewsletter", "Email",
                         {"subject": letter.title}))
    days = ctx.days()
    for index in (min(29, len(days) - 1), min(69, len(days) - 1)):
        at = local_ms(days[index], rng.uniform(13, 16) * 60, participant.tz)
        if participant.enrollment_ms <= at < now:
            user = dict(_COORDINATOR) if rng.random() < 0.8 else {"email": _COORDINATOR["email"]}
            out.append(_Send(at, "StudyUpdate", "Email", {"subject": "A note from the study team"}, source_user=user))
    return out


def generate_notifications(ctx: GenContext, participant: Participant) -> list[NotificationRow]:
    """Every notification sent to the participant in the window, by (sentDate, id)."""
    rng = ctx.rng("notifications", participant.index)
    contact = _Contact(participant, rng, ctx.days())
    sends = _sends(ctx, participant, rng)
    sends.sort(key=lambda s: s.sent_ms)
    rows: list[NotificationRow] = []
    for n, send in enumerate(sends):
        if n % 50 == 0:
            ctx.pace()
        status, recipients = contact.status(send)
        if status == "Succeeded" and (rng.random() < 0.012 or (participant.index == 0 and n == 9)):
            status = "ServiceError"
        form = rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]
        record: dict[str, Any] = {"id": guid(rng), "identifier": send.identifier, "participantID": participant.id,
                                  "participantIdentifier": participant.identifier}
        version = _VERSIONS.get(send.identifier)
        if version is not None:
            record["contentVersion"] = version
        record["sentDate"] = format_instant(send.sent_ms, form, participant.tz)
        record["statusCode"] = status
        if status == "ServiceError":
            record["statusDetail"] = "The messaging provider did not accept the message (HTTP 503)."
        elif status != "Succeeded" and rng.random() < 0.3:
            record["statusDetail"] = None
        record["type"] = send.type
        record["recipients"] = recipients
        if status == "Succeeded":
            record["content"] = dict(send.content)
        elif rng.random() < 0.6:
            record["content"] = None
        if send.source_user is not None:
            record["sourceUser"] = dict(send.source_user)
        if send.schedule is not None:
            record["schedule"] = dict(send.schedule)
        rows.append(NotificationRow(record=record, sent_us=send.sent_ms * 1000, identifier=send.identifier,
                                    type=send.type, status=status))
    return rows
