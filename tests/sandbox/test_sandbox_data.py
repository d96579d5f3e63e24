"""The synthetic data: shapes and consistency, the required variety, and determinism by seed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.cohort import DATA_SOURCES, NO_FITBIT_INDEX
from mdh_notebook.emulator.models import SandboxBackend

ANSWER_KEYS = {"id", "participantID", "participantIdentifier", "surveyResultID", "surveyID", "surveyVersion",
               "surveyName", "surveyDisplayName", "stepIdentifier", "resultIdentifier", "answers", "insertedDate"}
OPTIONAL_ANSWER_KEYS = {"taskID", "date", "schedule", "type", "event"}
SLEEP_KEYS = {"startTimestamp", "endTimestamp", "duration", "efficiency", "timeInBed", "infoCode", "type",
              "minutesAfterWakeup", "minutesAsleep", "minutesAwake"}
SLEEP_OPTIONAL = {"minutesToFallAsleep", "sleepLevelAwake", "sleepLevelAsleep", "sleepLevelRestless",
                  "sleepLevelDeep", "sleepLevelLight", "sleepLevelRem", "sleepLevelWake"}


def _form(text: str) -> str:
    if text.endswith("Z"):
        return f"Z{len(text.split('.')[1]) - 1}" if "." in text else "Z0"
    if text.endswith("+00:00"):
        return "+00:00"
    if re.search(r"[+-]\d\d:\d\d$", text):
        return "local"
    return "naive"


def test_survey_answers_shape_and_variety(everything: dict[str, tuple[list[Any], list[Any]]]) -> None:
    all_answers = [a for answers, _ in everything.values() for a in answers]
    forms: Counter[str] = Counter()
    task_states: Counter[str] = Counter()
    for a in all_answers:
        assert ANSWER_KEYS <= set(a) <= ANSWER_KEYS | OPTIONAL_ANSWER_KEYS, set(a)
        assert all(isinstance(x, str) for x in a["answers"])
        assert isinstance(a["surveyVersion"], int)
        forms[_form(a["insertedDate"])] += 1
        task_states["absent" if "taskID" not in a else "null" if a["taskID"] is None else "guid"] += 1
        if a["surveyName"] == "PHQ-9":
            assert a["stepIdentifier"] == "PHQ9" and re.fullmatch(r"PHQ9_[1-9]", a["resultIdentifier"])
            assert a["answers"][0] in {"0", "1", "2", "3"} and a["surveyDisplayName"] == "PHQ-9 Depression Screener"
    assert {"Z3", "Z2", "+00:00", "local", "naive"} <= set(forms)
    assert set(task_states) == {"absent", "null", "guid"}
    assert any("date" not in a for a in all_answers) and any("schedule" not in a for a in all_answers)
    assert any(a.get("event") == "Enrollment" for a in all_answers)
    notes = [a["answers"] for a in all_answers if a["stepIdentifier"] == "Note"]
    assert [] in notes and any(any(not n.isascii() for n in note) for note in notes)
    assert any("," in n for note in notes for n in note) and any('"' in n for note in notes for n in note)
    activities = [a["answers"] for a in all_answers if a["stepIdentifier"] == "Activities"]
    assert [] in activities and any(len(x) > 1 for x in activities)
    # answers of one result share their result-level fields
    by_result: dict[str, list[dict[str, Any]]] = {}
    for a in all_answers:
        by_result.setdefault(a["surveyResultID"], []).append(a)
    for group in by_result.values():
        assert len({(g["surveyID"], g["surveyName"], g["participantID"]) for g in group}) == 1
        assert len({instant(g["insertedDate"]) for g in group}) == 1
        assert len({instant(g["date"]) if "date" in g else None for g in group}) == 1
    # each survey has one surveyID
    assert len({(a["surveyName"], a["surveyID"]) for a in all_answers}) == 3


def test_sleep_log_consistency(everything: dict[str, tuple[list[Any], list[Any]]]) -> None:
    logs = [log for _, sleep in everything.values() for log in sleep]
    kinds = Counter(log["type"] for log in logs)
    assert kinds["stages"] > kinds["classic"] > 0
    nulls = absents = 0
    for log in logs:
        assert SLEEP_KEYS <= set(log) <= SLEEP_KEYS | SLEEP_OPTIONAL
        assert log["minutesAsleep"] + log["minutesAwake"] == log["timeInBed"]
        assert log["duration"] == log["timeInBed"] * 60_000
        span = instant(log["endTimestamp"]) - instant(log["startTimestamp"])
        assert span == dt.timedelta(milliseconds=log["duration"])
        assert isinstance(log["infoCode"], str)
        if log["type"] == "stages":
            stages = log["sleepLevelDeep"] + log["sleepLevelLight"] + log["sleepLevelRem"]
            assert stages == log["minutesAsleep"] and log["sleepLevelWake"] == log["minutesAwake"]
            other = "sleepLevelRestless"
        else:
            assert log["sleepLevelAsleep"] == log["minutesAsleep"]
            assert log["sleepLevelAwake"] + log["sleepLevelRestless"] == log["minutesAwake"]
            other = "sleepLevelDeep"
        nulls += other in log and log[other] is None
        absents += other not in log
    assert nulls and absents


def test_special_participants(everything: dict[str, tuple[list[Any], list[Any]]], proto: Proto) -> None:
    assert sum(1 for _, sleep in everything.values() if not sleep) >= 1
    answers, sleep = everything["PT-0001"]
    assert len(answers) > 100 and len(sleep) > 25
    service = proto.service_token()
    people = proto.get(f"{proto.admin}/participants", service).json()["participants"]
    withdrawn = next(p for p in people if p.get("withdrawDate"))
    cutoff = instant(withdrawn["withdrawDate"])
    w_answers, w_sleep = everything[withdrawn["participantIdentifier"]]
    assert all(instant(a["date"]) < cutoff for a in w_answers if "date" in a)
    assert all(instant(s["startTimestamp"]) < cutoff for s in w_sleep)
    window_start = dt.datetime(2026, 8, 3, tzinfo=dt.timezone.utc)
    late = [p["participantIdentifier"] for p in people if instant(p["enrollmentDate"]) >= window_start]
    assert late == ["PT-0007"]  # everyone else enrolled before the data window


def _fingerprint(backend: SandboxBackend) -> list[Any]:
    out: list[Any] = [backend.project.id]
    for participant in backend.participants:
        out.append(participant.admin_json())
        out.append([row.record for row in backend.rows(participant, "survey_answers")])
        out.append([row.record for row in backend.rows(participant, "sleep_logs")])
    return out


def test_determinism_by_seed(proto: Proto) -> None:
    first = _fingerprint(SandboxBackend(SandboxConfig(seed=0)))
    again = _fingerprint(SandboxBackend(SandboxConfig(seed=0)))
    other = _fingerprint(SandboxBackend(SandboxConfig(seed=1)))
    assert first == again
    assert first[0] != other[0] and first[1] != other[1] and first[2] != other[2]
    # the running server (seed 0) serves exactly that data
    service = proto.service_token()
    served = proto.get(f"{proto.admin}/participants/PT-0001", service).json()
    assert served == first[1]
    assert proto.creds.project_id == first[0]


@pytest.mark.parametrize("days", [1, 30])
def test_other_windows(days: int) -> None:
    backend = SandboxBackend(SandboxConfig(seed=3, participants=2, days=days))
    rows = backend.rows(backend.participants[0], "sleep_logs")
    assert len(rows) <= 2 * days


def test_fitbit_info_code_matches_type(everything: dict[str, tuple[list[Any], list[Any]]]) -> None:
    """Fitbit: "0" stages data, "1" classic for want of heart-rate data, "2" classic because under 3 h."""
    codes: Counter[str] = Counter()
    for _, sleep in everything.values():
        for log in sleep:
            expected = "0" if log["type"] == "stages" else "2" if log["timeInBed"] < 180 else "1"
            assert log["infoCode"] == expected, log
            assert log["type"] == "stages" or log["timeInBed"] >= 180 or log["infoCode"] == "2"
            codes[log["infoCode"]] += 1
    assert set(codes) == {"0", "1", "2"}
    naps = [log for _, sleep in everything.values() for log in sleep if log["timeInBed"] < 180]
    assert naps and all(log["type"] == "classic" and log["infoCode"] == "2" for log in naps)


def test_missing_versus_null(everything: dict[str, tuple[list[Any], list[Any]]], proto: Proto) -> None:
    service = proto.service_token()
    listed = proto.get(f"{proto.admin}/participants", service).json()["participants"]
    people = {p["participantIdentifier"]: p for p in listed}
    nulls = 0
    for key in ("secondaryIdentifier", "withdrawDate", "invitationStatus"):
        assert any(key not in p for p in people.values()), key  # left out altogether...
        nulls += sum(key in p and p[key] is None for p in people.values())
    assert nulls  # ... or present as null: both forms of "no value" are served
    sparse = [p for p in people.values() if "withdrawDate" not in p]
    assert 0 < len(sparse) < len(people) - 1
    assert people["PT-0006"]["customFields"] == {}
    assert any(p["customFields"] for p in people.values())
    assert people["PT-0004"]["demographics"] is None and people["PT-0005"]["withdrawDate"]
    # the JS SDK's optional "type" on survey answers: present on some results, absent on others
    answers = [a for answers, _ in everything.values() for a in answers]
    kinds = Counter(a.get("type", "(absent)") for a in answers)
    assert set(kinds) == {"Form", "Question", "(absent)"}, kinds
    for a in answers:
        if "type" in a:
            assert a["type"] == ("Question" if a["stepIdentifier"] == a["resultIdentifier"] else "Form")
    by_result: dict[str, set[bool]] = {}
    for a in answers:
        by_result.setdefault(a["surveyResultID"], set()).add("type" in a)
    assert all(len(v) == 1 for v in by_result.values())  # one result is typed throughout or not at all
    # the participants with roles keep them
    pt1_answers, pt1_sleep = everything["PT-0001"]
    assert len(pt1_answers) > 100 and len(pt1_sleep) > 25
    assert everything["PT-0003"][1] == []


def test_enrollment_event_only_near_enrollment(everything: dict[str, tuple[list[Any], list[Any]]],
                                               proto: Proto) -> None:
    service = proto.service_token()
    people = proto.get(f"{proto.admin}/participants", service).json()["participants"]
    window_start = dt.datetime(2026, 8, 3, tzinfo=dt.timezone.utc)
    for person in people:
        enrolled = instant(person["enrollmentDate"])
        answers, sleep = everything[person["participantIdentifier"]]
        flagged = [a for a in answers if a.get("event") == "Enrollment"]
        assert all(instant(a["insertedDate"]) >= enrolled for a in answers)
        assert all(instant(a["date"]) >= enrolled for a in answers if "date" in a)
        assert all(instant(s["startTimestamp"]) >= enrolled for s in sleep)
        if enrolled < window_start - dt.timedelta(days=3):
            assert flagged == [], person["participantIdentifier"]
            continue
        # enrolled inside the window: one PHQ-9 taken right after enrolling, unscheduled
        assert {a["surveyResultID"] for a in flagged} and len({a["surveyResultID"] for a in flagged}) == 1
        assert len(flagged) == 9 and all(a["surveyName"] == "PHQ-9" and "schedule" not in a for a in flagged)
        taken = instant(flagged[0]["insertedDate"])
        assert enrolled <= taken <= enrolled + dt.timedelta(days=1)
        first = min(instant(a["insertedDate"]) for a in answers)
        assert first >= enrolled
    assert any(a.get("event") == "Enrollment" for answers, _ in everything.values() for a in answers)


def test_participant_sources() -> None:
    """PT-0001 has every data source, PT-0003 neither Fitbit nor GoogleHealth, the others a seeded mix
    (each source missing for someone); ``has_fitbit`` is "Fitbit" in ``sources``."""
    people = SandboxBackend(SandboxConfig(seed=0)).participants
    assert people[0].sources == frozenset(DATA_SOURCES)
    assert not {"Fitbit", "GoogleHealth"} & people[NO_FITBIT_INDEX].sources
    for person in people:
        assert person.sources <= frozenset(DATA_SOURCES)
        assert person.has_fitbit == ("Fitbit" in person.sources)
        assert person.has_fitbit == (person.index != NO_FITBIT_INDEX)
    for source in DATA_SOURCES:
        assert any(source not in p.sources for p in people), source
        assert any(source in p.sources for p in people[1:]), source
    assert [p.sources for p in SandboxBackend(SandboxConfig(seed=0)).participants] == [p.sources for p in people]
    assert [p.sources for p in SandboxBackend(SandboxConfig(seed=1)).participants] != [p.sources for p in people]
