"""One participant's survey plan: every survey task and every survey result, so that results,
tasks, inbox items and notifications tell one story with the answers.

The plan starts from the answers' own pass (``surveys.survey_history``: one ``Completion`` per
completed survey, one ``Occurrence`` per scheduled day) and adds the surveys that have no answers:
``WeeklyVideo`` (instruction and video steps only, so a completed one is a survey result without
answer records) and two one-time surveys nobody has finished yet. Its own draws come from RNGs of
their own, so nothing the answers generator makes moves.

"Now" is the end of the window's last local day (the participant's midnight), or the withdrawal
when that is earlier: a task still open then is ``incomplete``; one whose due date has passed is
``closed``. Tasks, by survey (the participant's local times):

=================  ===================  =============  ==================================
survey             when                 opens          due
=================  ===================  =============  ==================================
DailyMood          every day            07:00          midnight
PHQ-9              every two weeks      00:00          3 days later
WeeklyActivity     weekly               00:00          2 days later
WeeklyVideo        weekly               09:00          7 days later
HealthHistory      once, day 10         09:30          never (no due date)
StudyFeedback      once, 15 days before the end   12:00  21 days later
=================  ===================  =============  ==================================

A task of a day that began before enrollment opens at enrollment if it is still due after it;
no task opens after withdrawal, and one still open then closes at withdrawal. The enrollment
PHQ-9 (event ``Enrollment``) has no schedule. A completed survey whose answers carry a taskID
completes that task (same id; ``endDate`` = when it was completed); one whose answers carry none
(taskID null or absent: started from a link rather than the task) leaves its day's task to close.
Every instant lies on a 10 ms grid, so that each rendered form (two fraction digits too) is exact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from .cohort import Participant, Project, guid, rng_for
from .declarations import GenContext
from .isotime import to_ms
from .kept import Kept
from .surveys import AnswerRow, Completion, scheduled_surveys, survey_history

__all__ = ["PlannedResult", "PlannedTask", "SurveyInfo", "SurveyPlan", "local_ms", "plan_answers",
           "survey_catalogue", "survey_plan"]

_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


@dataclasses.dataclass(frozen=True)
class SurveyInfo:
    """A survey as tasks and results name it."""

    name: str
    display: str
    description: str
    category: str | None
    survey_id: str
    version: int
    schedule: dict[str, Any] | None


@dataclasses.dataclass(frozen=True, slots=True)
class PlannedResult:
    """One survey result. ``task_mode`` says how it carries ``taskID`` ("guid", "null", "absent")."""

    result_id: str
    task_id: str
    task_mode: str
    survey: SurveyInfo
    version: int
    schedule: dict[str, Any] | None
    when_ms: int
    inserted_ms: int
    event: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class PlannedTask:
    """One survey task as it stands "now". ``start_ms`` is None for a task without a start date."""

    id: str
    link_id: str
    survey: SurveyInfo
    inserted_ms: int
    start_ms: int | None
    due_ms: int | None
    end_ms: int | None
    status: str
    saved_progress: bool
    modified_ms: int
    schedule: dict[str, Any] | None
    event: str | None
    result: PlannedResult | None


@dataclasses.dataclass(frozen=True)
class SurveyPlan:
    now_ms: int
    tasks: list[PlannedTask]  # by insertedDate
    results: list[PlannedResult]  # by insertedDate
    answers: list[AnswerRow]


_DESCRIPTIONS = {
    "PHQ-9": ("Nine questions about how you have been feeling over the last two weeks.", "Mental Health"),
    "DailyMood": ("", None),
    "WeeklyActivity": ("Which activities did you do this week?", "Lifestyle"),
}


def survey_catalogue(seed: int, project: Project) -> dict[str, SurveyInfo]:
    """Every survey of the project: the three answered ones, the video and the one-time surveys."""
    out: dict[str, SurveyInfo] = {}
    for name, survey in scheduled_surveys(project).items():
        description, category = _DESCRIPTIONS[name]
        out[name] = SurveyInfo(name, survey.display, description, category, project.survey_ids[name],
                               survey.version, dict(survey.schedule))
    rng = rng_for(seed, "survey-catalogue")
    video_id, video_schedule, history_id, feedback_id = guid(rng), guid(rng), guid(rng), guid(rng)
    out["WeeklyVideo"] = SurveyInfo(
        "WeeklyVideo", "This Week's Video", "A two-minute video on this week's study topic.", "Education",
        video_id, 2, {"id": video_schedule, "name": "Weekly video", "category": "Education", "interval": 1,
                      "intervalType": "weeks"})
    out["HealthHistory"] = SurveyInfo(
        "HealthHistory", "Health History", "Conditions, medications and family history. Save and come back "
        "any time.", "Baseline", history_id, 1, None)
    out["StudyFeedback"] = SurveyInfo(
        "StudyFeedback", "Tell Us How It's Going", "", "Feedback", feedback_id, 1, None)
    return out


def _ceil10(ms: int) -> int:
    return -(-ms // 10) * 10


def local_ms(day: dt.date, minute_of_day: float, tz: ZoneInfo) -> int:
    """The instant of a local wall-clock time (whole seconds)."""
    local = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(minutes=minute_of_day)
    return to_ms(local.astimezone(dt.timezone.utc)) // 1000 * 1000


# survey -> (opening minute of the day, days until due, due minute of the day)
_RULES = {"DailyMood": (7 * 60, 1, 0), "PHQ-9": (0, 3, 0), "WeeklyActivity": (0, 2, 0),
          "WeeklyVideo": (9 * 60, 7, 9 * 60)}


class _Planner:
    def __init__(self, ctx: GenContext, participant: Participant) -> None:
        self.rng = ctx.rng("survey-plan", participant.index)
        self.participant = participant
        self.tz = participant.tz
        self.first = participant.enrollment_ms
        self.last = participant.withdraw_ms
        end_of_window = local_ms(ctx.end + dt.timedelta(days=1), 0, self.tz)
        self.now = end_of_window if self.last is None else min(end_of_window, self.last)
        self.tasks: list[PlannedTask] = []

    def opening(self, open_ms: int, due_ms: int | None) -> tuple[int, int] | None:
        """(insertedDate, startDate) of a task opening at ``open_ms``, or None when there is none."""
        rng = self.rng
        if open_ms < self.first:
            if due_ms is not None and due_ms <= self.first:
                return None
            start = _ceil10(self.first) + rng.randrange(1_000, 30_000, 10)
            return (start, start) if start < self.now else None
        if open_ms >= self.now:
            return None
        return max(_ceil10(self.first), open_ms - rng.randrange(0, 90_000, 10)), open_ms

    def add(self, info: SurveyInfo, inserted: int, start: int | None, due: int | None,
            completion: PlannedResult | None, *, schedule: dict[str, Any] | None, event: str | None = None,
            task_id: str | None = None, saved_share: float = 0.35) -> None:
        rng = self.rng
        link_id = guid(rng)
        saved = False
        end: int | None
        if completion is not None:
            status, end = "complete", completion.when_ms
            modified = completion.inserted_ms + rng.randrange(20, 900, 10)
            task_id = completion.task_id
        else:
            close_at = due if self.last is None or (due is not None and due < self.last) else self.last
            if close_at is not None and close_at <= self.now:
                status, end = "closed", close_at
                saved = rng.random() < 0.08
                modified = close_at + rng.randrange(1_000, 90_000, 10)
            else:
                status, end = "incomplete", None
                saved = rng.random() < saved_share
                modified = inserted + int(rng.random() * (self.now - inserted)) // 10 * 10 if saved else inserted
        self.tasks.append(PlannedTask(
            id=task_id or guid(rng), link_id=link_id, survey=info, inserted_ms=inserted, start_ms=start,
            due_ms=due, end_ms=end, status=status, saved_progress=saved, modified_ms=modified,
            schedule=schedule, event=event, result=completion))


def _result(completion: Completion, info: SurveyInfo) -> PlannedResult:
    return PlannedResult(result_id=completion.result_id, task_id=completion.task_id,
                         task_mode=completion.task_mode, survey=info, version=completion.survey.version,
                         schedule=completion.schedule, when_ms=completion.when_ms,
                         inserted_ms=completion.inserted_ms, event=completion.event)


def _insert_delay_ms(rng: random.Random) -> int:
    if rng.random() < 0.1:  # synced later
        return rng.randrange(60_000, 20 * _HOUR, 10)
    return rng.randrange(300, 20_000, 10)


#: Plans recently built, by what they depend on: a plan is a pure function of the seed, the project,
#: the window and the participant, and five collections derive from it (answers, results, tasks,
#: inbox, notifications), so each participant's plan is built once rather than five times. A few
#: are kept: the collections of one participant are generated one after another (``warm`` goes
#: participant by participant), and a plan of a long window is large.
_PLANS: Kept[SurveyPlan] = Kept(4)


def survey_plan(ctx: GenContext, participant: Participant) -> SurveyPlan:
    """The participant's tasks and results (see the module docstring), built once and kept while
    recently used. ``ctx.pace`` is called once per day while it is built."""
    key = (ctx.seed, ctx.project.id, ctx.start, ctx.end, participant.index, participant.id)
    return _PLANS.get(key, lambda: _build_plan(ctx, participant))


def plan_answers(ctx: GenContext, participant: Participant) -> list[AnswerRow]:
    """The survey answers (exactly ``surveys.generate_survey_answers``'), from the kept plan. Two
    sandboxes of one seed and window may share these rows: like every stored row, they are never
    changed in place (a write replaces a row)."""
    return list(survey_plan(ctx, participant).answers)


def _build_plan(ctx: GenContext, participant: Participant) -> SurveyPlan:
    history = survey_history(ctx, participant)
    catalogue = survey_catalogue(ctx.seed, ctx.project)
    p = _Planner(ctx, participant)
    rng, tz = p.rng, p.tz
    results: list[PlannedResult] = []
    for occurrence in history.occurrences:
        info = catalogue[occurrence.survey]
        open_minute, due_days, due_minute = _RULES[occurrence.survey]
        open_ms = local_ms(occurrence.day, open_minute, tz)
        due_ms = local_ms(occurrence.day + dt.timedelta(days=due_days), due_minute, tz)
        done = occurrence.completion
        result = None if done is None else _result(done, info)
        if result is not None:
            results.append(result)
        opened = p.opening(open_ms, due_ms)
        if opened is None:
            continue
        inserted, start = opened
        if result is not None and result.when_ms <= start:  # never: answers come after opening
            inserted = start = max(_ceil10(p.first), result.when_ms - 60_000)
        event = done.event if done is not None else None
        p.add(info, inserted, start, due_ms, result if result is not None and result.task_mode == "guid" else None,
              schedule=None if event else info.schedule, event=event)

    # the weekly video: instruction and video steps only, so its results have no answers
    video = catalogue["WeeklyVideo"]
    weekday = rng.randrange(7)
    adherence = 0.85 if participant.index == 0 else rng.uniform(0.3, 0.9)
    for day in ctx.days():
        if day.weekday() != weekday:
            continue
        open_ms = local_ms(day, _RULES["WeeklyVideo"][0], tz)
        due_ms = local_ms(day + dt.timedelta(days=7), _RULES["WeeklyVideo"][2], tz)
        watched = rng.random() < adherence
        when = open_ms + rng.randrange(30 * _MINUTE, 72 * _HOUR) // 10 * 10
        delay = _insert_delay_ms(rng)
        opened = p.opening(open_ms, due_ms)
        if opened is None:
            continue
        inserted, start = opened
        result = None
        if watched and start < when < min(due_ms, p.now):
            task_id = guid(rng)
            result = PlannedResult(result_id=guid(rng), task_id=task_id, task_mode="guid", survey=video,
                                   version=video.version, schedule=dict(video.schedule or {}), when_ms=when,
                                   inserted_ms=min(when + delay, p.now), event=None)
            results.append(result)
        p.add(video, inserted, start, due_ms, result, schedule=video.schedule)

    # two one-time surveys, open "now" (unless the participant withdrew first)
    days = ctx.days()
    once: tuple[tuple[str, int, int, int | None], ...] = (
        ("HealthHistory", min(10, len(days) - 1), 9 * 60 + 30, None),
        ("StudyFeedback", max(0, len(days) - 15), 12 * 60, 21),
    )
    for name, index, minute, lasts_days in once:
        day = days[index]
        open_ms = local_ms(day, minute, tz)
        due = None if lasts_days is None else local_ms(day + dt.timedelta(days=lasts_days), minute, tz)
        opened = p.opening(open_ms, due)
        if opened is None:
            continue
        inserted, _ = opened
        share = 1.0 if participant.index == 0 and name == "HealthHistory" else 0.4
        p.add(catalogue[name], inserted, None, due, None, schedule=None, saved_share=share)

    results.sort(key=lambda r: (r.inserted_ms, r.result_id))
    tasks = sorted(p.tasks, key=lambda t: (t.inserted_ms, t.id))
    return SurveyPlan(now_ms=p.now, tasks=tasks, results=results, answers=history.answers)
