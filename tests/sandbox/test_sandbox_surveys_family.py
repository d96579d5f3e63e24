"""The sandbox's survey results, survey tasks, notifications, inbox, result deletion and custom
events, spoken to in raw HTTP (nothing from the client wing)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.cohort import RECENT_ENROLLMENT_INDEX, WITHDRAWN_INDEX
from mdh_notebook.emulator.models import SandboxBackend

D = "api/v1/delegated/"
ANSWERS, RESULTS, TASKS, NOTES, INBOX = (D + p for p in ("surveyanswers", "surveyresults", "surveytasks",
                                                          "notifications", "inbox"))
ITEMS = {ANSWERS: "surveyAnswers", RESULTS: "surveyResults", TASKS: "surveyTasks", NOTES: "notifications",
         INBOX: "items"}
SCOPES = "SurveyAnswers:read SurveyTasks:read Notifications:read"
RESULT_KEYS = {"id", "participantID", "participantIdentifier", "surveyID", "surveyVersion", "surveyName",
               "surveyDisplayName", "date", "insertedDate", "userType"}
TASK_KEYS = {"id", "participantID", "participantIdentifier", "linkIdentifier", "surveyID", "surveyName",
             "surveyDisplayName", "surveyDescription", "status", "hasSavedProgress", "insertedDate", "modifiedDate"}
NOTE_KEYS = {"id", "identifier", "participantID", "participantIdentifier", "sentDate", "statusCode", "type",
             "recipients"}
WINDOW_START = dt.datetime(2026, 8, 3, tzinfo=dt.timezone.utc)
WINDOW_END = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)  # the last local midnight, anywhere


def everything_of(proto: Proto, path: str, token: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    items, cursors = proto.all_pages(path, token, ITEMS[path], **params)
    return items, len(cursors) + 1


@pytest.fixture(scope="module")
def cohort(proto_session: Proto) -> dict[str, dict[str, Any]]:
    """identifier -> {"person": admin record, path: every record of that endpoint}, fetched once."""
    proto_session.server.reset()
    service = proto_session.service_token()
    people = proto_session.get(f"{proto_session.admin}/participants", service).json()["participants"]
    out: dict[str, dict[str, Any]] = {}
    for person in people:
        token = proto_session.participant_token(person["participantIdentifier"], SCOPES)
        data: dict[str, Any] = {"person": person}
        for path in ITEMS:
            data[path], _ = everything_of(proto_session, path, token)
        out[person["participantIdentifier"]] = data
    return out


def _count(records: list[dict[str, Any]], key: str) -> Counter[Any]:
    return Counter(r.get(key, "(absent)") for r in records)


# -- PT-0001 has more than a page of every kind ---------------------------------------------------

@pytest.mark.parametrize("path", [RESULTS, TASKS, NOTES, INBOX])
def test_pt0001_has_more_than_one_page(proto: Proto, path: str) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    items, pages = everything_of(proto, path, token)
    assert pages >= 2 and len(items) > 100
    assert len({r["id"] for r in items}) == len(items)
    assert len(proto.get(path, token, limit=1000).json()[ITEMS[path]]) == 100  # the maximum
    first = proto.get(path, token).json()
    assert len(first[ITEMS[path]]) == 100 and first["nextPageID"]  # the default is the maximum
    assert proto.get(path, token, limit=0).status_code == 400


# -- results come from the answers ------------------------------------------------------------------

def test_every_result_is_the_one_its_answers_belong_to(cohort: dict[str, dict[str, Any]]) -> None:
    kinds = Counter()
    for data in cohort.values():
        results = {r["id"]: r for r in data[RESULTS]}
        by_result: dict[str, list[dict[str, Any]]] = {}
        for answer in data[ANSWERS]:
            by_result.setdefault(answer["surveyResultID"], []).append(answer)
        assert set(by_result) <= set(results)
        for rid, result in results.items():
            assert set(result) >= RESULT_KEYS, result
            answers = by_result.get(rid, [])
            if not answers:
                assert result["surveyName"] == "WeeklyVideo", result  # instruction and video steps only
                kinds["video"] += 1
                continue
            kinds["answered"] += 1
            for key in ("surveyID", "surveyVersion", "surveyName", "surveyDisplayName", "participantID",
                        "participantIdentifier"):
                assert {a[key] for a in answers} == {result[key]}, key
            for key in ("taskID", "schedule", "event"):  # present, null or absent alike
                assert all(a.get(key, "(absent)") == result.get(key, "(absent)") for a in answers), key
            assert {instant(a["insertedDate"]) for a in answers} == {instant(result["insertedDate"])}
            assert {instant(a["date"]) for a in answers if "date" in a} <= {instant(result["date"])}
    assert kinds["video"] and kinds["answered"]


def test_result_user_types(cohort: dict[str, dict[str, Any]]) -> None:
    results = [r for data in cohort.values() for r in data[RESULTS]]
    users = _count(results, "userType")
    assert set(users) == {"Participant", "Coordinator"} and users["Coordinator"] < 0.1 * len(results)
    for r in results:
        if r["userType"] == "Coordinator":
            assert isinstance(r["user"], str) and r["user"] and r["surveyName"] == "PHQ-9"
        else:
            assert r.get("user") is None
    assert {"(absent)", None} <= set(_count([r for r in results if r["userType"] == "Participant"], "user"))
    pt1 = cohort["PT-0001"][RESULTS]
    assert "Coordinator" in {r["userType"] for r in pt1}
    assert set(_count(pt1, "taskID")) > {None, "(absent)"}  # a GUID, null, absent


# -- tasks ---------------------------------------------------------------------------------------------

def test_tasks_match_the_results(cohort: dict[str, dict[str, Any]]) -> None:
    statuses: Counter[str] = Counter()
    saved: Counter[str] = Counter()
    for name, data in cohort.items():
        tasks = {t["id"]: t for t in data[TASKS]}
        assert len(tasks) == len(data[TASKS])
        for task in tasks.values():
            assert set(task) >= TASK_KEYS, task
            assert task["status"] in ("incomplete", "complete", "closed")
            statuses[task["status"]] += 1
            saved[task["status"]] += task["hasSavedProgress"]
            if task["status"] == "incomplete":
                assert task.get("endDate") is None
            else:
                assert instant(task["endDate"]) >= instant(task["insertedDate"])
            if task["status"] == "closed" and task.get("dueDate"):
                assert instant(task["endDate"]) <= instant(task["dueDate"])
            assert instant(task["modifiedDate"]) >= instant(task["insertedDate"])
        linked = {r["taskID"]: r for r in data[RESULTS] if r.get("taskID")}
        complete = {i for i, t in tasks.items() if t["status"] == "complete"}
        assert complete == set(linked), name  # complete tasks are exactly those the results name
        for task_id in complete:
            task, result = tasks[task_id], linked[task_id]
            assert (task["surveyID"], task["surveyName"]) == (result["surveyID"], result["surveyName"])
            assert instant(task["endDate"]) == instant(result["date"]) and not task["hasSavedProgress"]
            assert task.get("event") == result.get("event")
        assert len({t["linkIdentifier"] for t in tasks.values()}) == len(tasks)
    assert min(statuses.values()) > 10 and saved["incomplete"] and saved["closed"]
    assert saved["complete"] == 0
    pt1 = cohort["PT-0001"][TASKS]
    assert {t["status"] for t in pt1} == {"incomplete", "complete", "closed"}
    assert any(t["hasSavedProgress"] for t in pt1 if t["status"] == "incomplete")


def test_tasks_keep_to_enrollment_and_withdrawal(cohort: dict[str, dict[str, Any]]) -> None:
    for data in cohort.values():
        person = data["person"]
        enrolled = instant(person["enrollmentDate"])
        gone = instant(person["withdrawDate"]) if person.get("withdrawDate") else None
        for task in data[TASKS]:
            assert instant(task["insertedDate"]) >= enrolled
            assert WINDOW_START - dt.timedelta(days=1) <= instant(task["insertedDate"]) <= WINDOW_END
            if gone is not None:
                assert instant(task["insertedDate"]) < gone
                assert task["status"] != "incomplete" and instant(task["endDate"]) <= gone
        for note in data[NOTES]:
            assert enrolled <= instant(note["sentDate"]) <= WINDOW_END
            assert gone is None or instant(note["sentDate"]) < gone
        for item in data[INBOX]:
            assert instant(item["insertedDate"]) >= enrolled
    recent = f"PT-{RECENT_ENROLLMENT_INDEX + 1:04d}"
    flagged = [t for t in cohort[recent][TASKS] if t.get("event") == "Enrollment"]
    assert len(flagged) == 1 and "schedule" not in flagged[0] and flagged[0]["status"] == "complete"
    withdrawn = f"PT-{WITHDRAWN_INDEX + 1:04d}"
    assert cohort[withdrawn][TASKS] and len(cohort[withdrawn][TASKS]) < len(cohort["PT-0001"][TASKS])


def test_task_optional_keys_are_missing_or_null(cohort: dict[str, dict[str, Any]]) -> None:
    tasks = [t for data in cohort.values() for t in data[TASKS]]
    for key in ("startDate", "dueDate"):
        forms = _count(tasks, key)
        assert forms["(absent)"] and forms[None], key
    assert _count([t for t in tasks if t["status"] == "incomplete"], "endDate").keys() == {None, "(absent)"}
    assert "" in {t["surveyDescription"] for t in tasks}
    assert "(absent)" in _count(tasks, "surveyCategory") and any("schedule" not in t for t in tasks)


def test_task_order_default_descending_any_case_ascending(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    down, pages = everything_of(proto, TASKS, token)
    keys = [(instant(t["insertedDate"]), t["id"]) for t in down]
    assert pages > 1 and [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    for spelling in ("ascending", "Ascending", "ASCENDING"):
        up, _ = everything_of(proto, TASKS, token, sortOrder=spelling)
        assert [instant(t["insertedDate"]) for t in up] == sorted(instant(t["insertedDate"]) for t in up)
        assert {t["id"] for t in up} == {t["id"] for t in down}
    explicit, _ = everything_of(proto, TASKS, token, sortOrder="Descending")
    assert explicit == down
    first = proto.get(TASKS, token).json()
    refused = proto.get(TASKS, token, sortOrder="ascending", pageID=first["nextPageID"])
    assert refused.status_code == 400 and "different query" in refused.json()["message"]
    assert proto.get(TASKS, token, sortOrder="sideways").status_code == 400


def test_task_filters(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    tasks, _ = everything_of(proto, TASKS, token)
    for status in ("incomplete", "closed", "complete", "Closed,INCOMPLETE"):
        got, _ = everything_of(proto, TASKS, token, status=status)
        wanted = {s.lower() for s in status.split(",")}
        assert got == [t for t in tasks if t["status"] in wanted], status
    assert proto.get(TASKS, token, status="open").status_code == 400
    mood = next(t for t in tasks if t["surveyName"] == "DailyMood")
    got, _ = everything_of(proto, TASKS, token, surveyID=mood["surveyID"].upper())
    assert got == [t for t in tasks if t["surveyID"] == mood["surveyID"]]
    got, _ = everything_of(proto, TASKS, token, surveyName="PHQ-9,WeeklyVideo")
    assert got == [t for t in tasks if t["surveyName"] in ("PHQ-9", "WeeklyVideo")]
    got, _ = everything_of(proto, TASKS, token, surveyCategory="mental HEALTH")
    assert got and got == [t for t in tasks if t.get("surveyCategory") == "Mental Health"]
    got, _ = everything_of(proto, TASKS, token, linkIdentifier=mood["linkIdentifier"])
    assert got == [mood]
    assert proto.get(TASKS, token, linkIdentifier="not-a-guid").status_code == 400
    assert proto.get(TASKS, token, surveyID="nope").status_code == 400
    recent = proto.participant_token(f"PT-{RECENT_ENROLLMENT_INDEX + 1:04d}", SCOPES)
    got, _ = everything_of(proto, TASKS, recent, event="Enrollment")
    assert len(got) == 1 and got[0]["event"] == "Enrollment"
    assert everything_of(proto, TASKS, token, event="Enrollment")[0] == []


# -- results filters --------------------------------------------------------------------------------

def test_result_filters(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    results, _ = everything_of(proto, RESULTS, token)
    assert [(instant(r["insertedDate"]), r["id"]) for r in results] == sorted(
        (instant(r["insertedDate"]), r["id"]) for r in results)
    phq = next(r for r in results if r["surveyName"] == "PHQ-9")
    got, _ = everything_of(proto, RESULTS, token, surveyID=phq["surveyID"])
    assert got == [r for r in results if r["surveyName"] == "PHQ-9"]
    got, _ = everything_of(proto, RESULTS, token, surveyName="PHQ-9,WeeklyActivity")
    assert got == [r for r in results if r["surveyName"] in ("PHQ-9", "WeeklyActivity")]
    middle = instant(results[len(results) // 2]["date"])
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    got, _ = everything_of(proto, RESULTS, token, after=stamp)
    assert got == [r for r in results if instant(r["date"]) > middle]
    got, _ = everything_of(proto, RESULTS, token, before=stamp, insertedAfter="2026-09-01")
    assert got == [r for r in results if instant(r["date"]) < middle
                   and instant(r["insertedDate"]) > dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)]
    got, _ = everything_of(proto, RESULTS, token, insertedBefore="2026-09-01T00:00:00-04:00")
    assert got == [r for r in results if instant(r["insertedDate"]) < dt.datetime(2026, 9, 1, 4,
                                                                                   tzinfo=dt.timezone.utc)]
    assert everything_of(proto, RESULTS, token, event="Enrollment")[0] == []
    assert proto.get(RESULTS, token, after="last week").status_code == 400


# -- notifications --------------------------------------------------------------------------------

def test_notification_shapes_and_statuses(cohort: dict[str, dict[str, Any]]) -> None:
    notes = [n for data in cohort.values() for n in data[NOTES]]
    assert set(_count(notes, "type")) == {"Sms", "Push", "Email"}
    statuses = _count(notes, "statusCode")
    assert set(statuses) == {"Succeeded", "Unsubscribed", "MissingContactInfo", "NoRegisteredMobileDevice",
                             "NoAssociatedUser", "ServiceError"}
    assert statuses["Succeeded"] > sum(statuses.values()) / 2
    fields = {"Sms": {"body"}, "Push": {"title", "body"}, "Email": {"subject"}}
    content_forms: Counter[str] = Counter()
    for n in notes:
        assert set(n) >= NOTE_KEYS, n
        assert isinstance(n["recipients"], list)
        if n["statusCode"] == "Succeeded":
            assert set(n["content"]) <= fields[n["type"]] and n["content"].get("body" if n["type"] != "Email"
                                                                              else "subject")
            content_forms["content"] += 1
        else:
            assert n.get("content") is None
            content_forms["null" if "content" in n else "absent"] += 1
        if n["type"] == "Push":
            assert n["recipients"] == []
        if n["statusCode"] == "ServiceError":
            assert n["statusDetail"]
    assert set(content_forms) == {"content", "null", "absent"}
    assert {n["content"].get("title") is None for n in notes if n["type"] == "Push" and n.get("content")} == {
        True, False}
    assert any("sourceUser" in n for n in notes) and any("schedule" in n for n in notes)
    assert "(absent)" in _count(notes, "contentVersion")
    pt1 = _count(cohort["PT-0001"][NOTES], "statusCode")
    assert pt1["Succeeded"] > 100 and pt1["ServiceError"] and pt1["NoRegisteredMobileDevice"]


def test_notifications_follow_the_tasks(cohort: dict[str, dict[str, Any]]) -> None:
    """A reminder goes out while its task is open, before its survey was done."""
    data = cohort["PT-0001"]
    moods = {instant(t["startDate"]).date(): t for t in data[TASKS] if t["surveyName"] == "DailyMood"}
    reminders = [n for n in data[NOTES] if n["identifier"] == "DailyMoodReminder"]
    assert len(reminders) >= len(moods) - 2
    for note in reminders:
        sent = instant(note["sentDate"])
        task = moods[sent.date()] if sent.date() in moods else moods[(sent - dt.timedelta(hours=12)).date()]
        assert instant(task["startDate"]) < sent
        if task.get("endDate"):
            assert sent < instant(task["endDate"])
    letters = [n for n in data[NOTES] if n["identifier"] == "WeeklyNewsletter"]
    titles = {i["title"] for i in data[INBOX] if i["type"] == "message" and "Newsletter" in i["categories"]}
    assert len(letters) == len(titles) >= 12
    assert {n["content"]["subject"] for n in letters if n.get("content")} <= titles


def test_notification_filters(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    notes, _ = everything_of(proto, NOTES, token)
    sent = [instant(n["sentDate"]) for n in notes]
    assert sent == sorted(sent)
    for spelling in ("Push", "push", "EMAIL", "Sms"):
        got, _ = everything_of(proto, NOTES, token, type=spelling)
        assert got == [n for n in notes if n["type"].lower() == spelling.lower()], spelling
    for spelling in ("NoRegisteredMobileDevice", "serviceError", "SUCCEEDED"):
        got, _ = everything_of(proto, NOTES, token, statusCode=spelling)
        assert got and got == [n for n in notes if n["statusCode"].lower() == spelling.lower()], spelling
    got, _ = everything_of(proto, NOTES, token, identifier="WeeklyNewsletter")
    assert got == [n for n in notes if n["identifier"] == "WeeklyNewsletter"]
    assert everything_of(proto, NOTES, token, identifier="weeklynewsletter")[0] == []
    got, _ = everything_of(proto, NOTES, token, sentAfter="2026-10-01T00:00:00+02:00", sentBefore="2026-10-15")
    lo, hi = dt.datetime(2026, 9, 30, 22, tzinfo=dt.timezone.utc), dt.datetime(2026, 10, 15, tzinfo=dt.timezone.utc)
    assert got and got == [n for n, s in zip(notes, sent, strict=True) if lo < s < hi]
    for bad in ({"type": "Fax"}, {"statusCode": "Failed"}, {"sentAfter": "soon"}):
        assert proto.get(NOTES, token, **bad).status_code == 400, bad


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.integers(0, 90 * 24), b=st.integers(0, 90 * 24))
def test_sent_bounds_are_exclusive(proto_session: Proto, a: int, b: int) -> None:
    token = proto_session.participant_token("PT-0001", "Notifications:read")
    everything, _ = everything_of(proto_session, NOTES, token)
    lo, hi = (WINDOW_START + dt.timedelta(hours=h) for h in sorted((a, b)))
    got, _ = everything_of(proto_session, NOTES, token, sentAfter=lo.isoformat(), sentBefore=hi.isoformat())
    assert got == [n for n in everything if lo < instant(n["sentDate"]) < hi]


# -- inbox ---------------------------------------------------------------------------------------------

def test_inbox_items_by_type(cohort: dict[str, dict[str, Any]]) -> None:
    for name, data in cohort.items():
        items = data[INBOX]
        tasks = {t["id"]: t for t in data[TASKS]}
        surveys = {i["id"]: i for i in items if i["type"] == "survey"}
        assert set(surveys) == set(tasks), name  # one survey item per task, same id
        for item_id, item in surveys.items():
            task = tasks[item_id]
            assert item["status"] == task["status"] and item["name"] == task["surveyName"]
            assert item["hasRestorationData"] == task["hasSavedProgress"]
            assert instant(item["insertedDate"]) == instant(task["insertedDate"])
            if item["status"] == "complete":
                assert item["isNew"] is False
    items = [i for data in cohort.values() for i in data[INBOX]]
    assert set(_count(items, "type")) == {"message", "survey", "resource"}
    for item in items:
        assert {"type", "id", "categories", "insertedDate", "status", "isNew"} <= set(item)
        assert item["status"] in ("incomplete", "complete", "closed") and isinstance(item["categories"], list)
        if item["type"] == "message":
            assert item["title"] and item["content"] and isinstance(item["relatedResources"], list)
        if item["type"] == "resource":
            assert item["title"] and item["url"].startswith("https://")
        if item["type"] != "survey" and item["status"] == "complete":
            assert item["isNew"] is False
    assert {True, False} == {i["isNew"] for i in items}
    for key in ("endDate", "subTitle", "imageUrl", "title", "displayName"):
        assert "(absent)" in _count(items, key), key
    pt1 = Counter(i["type"] for i in cohort["PT-0001"][INBOX])
    assert sum(pt1.values()) > 100 and pt1["message"] >= 12 and pt1["resource"] >= 8


def test_inbox_filters_and_orders(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "SurveyTasks:read")
    items, pages = everything_of(proto, INBOX, token)
    inserted = [instant(i["insertedDate"]) for i in items]
    assert pages > 1 and inserted == sorted(inserted, reverse=True)  # newest first by default
    got, _ = everything_of(proto, INBOX, token, type="Message,resource")
    assert got == [i for i in items if i["type"] in ("message", "resource")]
    got, _ = everything_of(proto, INBOX, token, status="closed", type="survey")
    assert got and got == [i for i in items if i["status"] == "closed" and i["type"] == "survey"]
    got, _ = everything_of(proto, INBOX, token, category="newsletter")
    assert got and got == [i for i in items if "Newsletter" in i["categories"]]
    for column in ("dueDate", "endDate", "insertedDate"):
        for order, reverse in (("ascending", False), ("DESCENDING", True)):
            got, _ = everything_of(proto, INBOX, token, sortColumn=column, sortOrder=order)
            dated = [instant(i[column]) for i in got if i.get(column)]
            assert dated == sorted(dated, reverse=reverse), (column, order)
            assert all(i.get(column) for i in got[: len(dated)])  # undated ones last
            assert sorted(i["id"] for i in got) == sorted(i["id"] for i in items)
    got, _ = everything_of(proto, INBOX, token, endsAfter="2026-10-01", endsBefore="2026-10-15T00:00:00Z")
    lo, hi = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 10, 15, tzinfo=dt.timezone.utc)
    assert got and got == [i for i in items if i.get("endDate") and lo < instant(i["endDate"]) < hi]
    for bad in ({"type": "note"}, {"status": "read"}, {"sortColumn": "title"}, {"sortOrder": "up"},
                {"endsAfter": "tomorrow"}):
        assert proto.get(INBOX, token, **bad).status_code == 400, bad


def test_inbox_item_by_id_and_mark_read(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "SurveyTasks:read")
    items, _ = everything_of(proto, INBOX, token)
    message = next(i for i in items if i["type"] == "message" and i["isNew"] and i["status"] == "incomplete")
    survey = next(i for i in items if i["type"] == "survey" and i["isNew"])
    got = proto.get(f"{INBOX}/{message['id'].upper()}", token)
    assert got.status_code == 200 and got.json() == message
    headers = {"Authorization": f"Bearer {token}"}
    put = proto.http.put(f"{INBOX}/{message['id']}/markRead", headers=headers)
    assert put.status_code == 200 and put.json() == {"update": "markRead", "status": "success"}
    after = proto.get(f"{INBOX}/{message['id']}", token).json()
    assert after["isNew"] is False and after["status"] == "complete"
    assert proto.http.put(f"{INBOX}/{message['id']}/markread", headers=headers).json()["status"] == "noChange"
    assert proto.http.put(f"{INBOX}/{survey['id']}/markRead", headers=headers).json()["status"] == "success"
    seen = {i["id"]: i for i in everything_of(proto, INBOX, token)[0]}
    assert seen[survey["id"]]["isNew"] is False and seen[survey["id"]]["status"] == survey["status"]
    assert seen[message["id"]] == after
    assert len(seen) == len(items)
    unknown = str(uuid.uuid4())
    assert proto.get(f"{INBOX}/{unknown}", token).status_code == 404
    assert proto.http.put(f"{INBOX}/{unknown}/markRead", headers=headers).status_code == 404
    assert proto.get(f"{INBOX}/not-a-guid", token).status_code == 400
    other = proto.participant_token("PT-0001", "Notifications:read")
    assert proto.http.put(f"{INBOX}/{message['id']}/markRead",
                          headers={"Authorization": f"Bearer {other}"}).status_code == 403
    proto.server.reset()
    assert proto.get(f"{INBOX}/{message['id']}", token).json() == message


# -- deleting a result --------------------------------------------------------------------------------

def test_delete_a_result_and_its_answers(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "SurveyAnswers:read SurveyResults:write")
    writer = {"Authorization": f"Bearer {token}"}
    results, _ = everything_of(proto, RESULTS, token)
    answers, _ = everything_of(proto, ANSWERS, token)
    phq = next(r for r in results if r["surveyName"] == "PHQ-9")
    assert len([a for a in answers if a["surveyResultID"] == phq["id"]]) == 9
    assert proto.http.delete(f"{RESULTS}/not-a-guid", headers=writer).status_code == 400
    assert proto.http.delete(f"{RESULTS}/{uuid.uuid4()}", headers=writer).status_code == 404
    gone = proto.http.delete(f"{RESULTS}/{phq['id'].upper()}", headers=writer)
    assert gone.status_code == 200 and gone.content == b""
    assert everything_of(proto, RESULTS, token)[0] == [r for r in results if r["id"] != phq["id"]]
    assert everything_of(proto, ANSWERS, token)[0] == [a for a in answers if a["surveyResultID"] != phq["id"]]
    assert everything_of(proto, ANSWERS, token, surveyResultID=phq["id"])[0] == []
    again = proto.http.delete(f"{RESULTS}/{phq['id']}", headers=writer)
    assert again.status_code == 404 and "not found" in again.json()["message"]
    reader = proto.participant_token("PT-0001", "SurveyAnswers:read")
    assert proto.http.delete(f"{RESULTS}/{results[0]['id']}",
                             headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    proto.server.reset()
    assert everything_of(proto, RESULTS, token)[0] == results
    assert everything_of(proto, ANSWERS, token)[0] == answers


# -- custom events ------------------------------------------------------------------------------------

def test_custom_events_are_kept_and_shown_on_the_control_plane(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "CustomEvents:write")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent = [{"eventType": "OpenUploadedFile", "properties": {"file": "a.pdf", "n": 2, "nested": {"x": [1]}}},
            {"EventType": "Viewed", "Properties": None}, {"eventType": "Bare"}]
    for body in sent:
        response = proto.http.post(D + "customevents", headers=headers, content=json.dumps(body))
        assert response.status_code == 200 and response.content == b""
    for bad in ({}, {"eventType": ""}, {"eventType": 3}, {"eventType": "x", "properties": [1]}, []):
        assert proto.http.post(D + "customevents", headers=headers, content=json.dumps(bad)).status_code == 400
    assert proto.http.post(D + "customevents", headers=headers, content=b"{not json").status_code == 400
    other = proto.participant_token("PT-0002", "SurveyAnswers:read")
    assert proto.http.post(D + "customevents", headers={"Authorization": f"Bearer {other}"},
                           content=b'{"eventType": "x"}').status_code == 403
    view = proto.http.get("_sandbox/customevents", params={"participant": "PT-0002"}).json()["events"]
    assert [(e["eventType"], e["properties"]) for e in view] == [
        ("OpenUploadedFile", sent[0]["properties"]), ("Viewed", {}), ("Bare", {})]
    assert all(e["participantIdentifier"] == "PT-0002" for e in view) and len({e["id"] for e in view}) == 3
    assert proto.http.get("_sandbox/customevents").json()["events"] == view
    assert proto.http.get("_sandbox/customevents", params={"participant": "PT-0001"}).json() == {"events": []}
    assert proto.http.get("_sandbox/customevents", params={"participant": "PT-9999"}).status_code == 404
    proto.server.reset()
    assert proto.http.get("_sandbox/customevents").json() == {"events": []}


# -- scopes, determinism, other windows ---------------------------------------------------------------

def test_scopes(proto: Proto) -> None:
    answers_only = proto.participant_token("PT-0001", "SurveyAnswers:read")
    assert proto.get(RESULTS, answers_only).status_code == 200  # results share the answers' scope
    for path in (TASKS, NOTES, INBOX):
        assert proto.get(path, answers_only).status_code == 403
    tasks_only = proto.participant_token("PT-0001", "SurveyTasks:read")
    assert proto.get(TASKS, tasks_only).status_code == 200 and proto.get(INBOX, tasks_only).status_code == 200
    assert proto.get(NOTES, tasks_only).status_code == 403
    read_all = proto.participant_token("PT-0001", "user/*.read")
    assert all(proto.get(path, read_all).status_code == 200 for path in (RESULTS, TASKS, NOTES, INBOX))


def _fingerprint(backend: SandboxBackend) -> list[Any]:
    return [[row.record for row in backend.rows(p, name)] for p in backend.participants
            for name in ("survey_results", "survey_tasks", "notifications", "inbox")]


def test_determinism_by_seed() -> None:
    first = _fingerprint(SandboxBackend(SandboxConfig(seed=5, participants=3)))
    assert first == _fingerprint(SandboxBackend(SandboxConfig(seed=5, participants=3)))
    assert first != _fingerprint(SandboxBackend(SandboxConfig(seed=6, participants=3)))


@pytest.mark.parametrize("days", [1, 30, 400])
def test_other_windows(days: int) -> None:
    backend = SandboxBackend(SandboxConfig(seed=2, participants=2, days=days))
    person = backend.participants[0]
    results = backend.rows(person, "survey_results")
    tasks = backend.rows(person, "survey_tasks")
    answers = backend.rows(person, "survey_answers")
    assert {r.record["id"] for r in results} >= {a.survey_result_id for a in answers}
    assert len(tasks) >= days  # a DailyMood task every day, and more
    assert backend.rows(person, "notifications") and backend.rows(person, "inbox")
