"""Survey results, survey tasks, notifications and the inbox, deleting a result, inbox items and custom
events — the session against the sandbox over loopback: independent pagers, the wire's quirks
through to_frame, empty frames, scopes and arguments checked before any request, every write read
back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.errors import InvalidArgumentError, NotFoundError, ScopeError
from mdh_notebook.frames import DTYPES

MINE = ("survey_answers", "survey_results", "survey_tasks", "notifications", "inbox")
PATHS = {"survey_answers": ("surveyanswers", "surveyAnswers"), "survey_results": ("surveyresults", "surveyResults"),
         "survey_tasks": ("surveytasks", "surveyTasks"), "notifications": ("notifications", "notifications"),
         "inbox": ("inbox", "items")}
EVERY_SCOPE = ["SurveyAnswers:read", "SurveyTasks:read", "Notifications:read", "SurveyResults:write",
               "CustomEvents:write"]
PHQ = "PHQ-9"


@pytest.fixture
def pt1(client: mdh.Client) -> mdh.ParticipantSession:
    return client.connect("PT-0001", EVERY_SCOPE)


def _requests(sandbox: SandboxServer) -> int:
    return sum(sandbox.stats()["requests"].values())


def _raw(sandbox: SandboxServer, session: mdh.ParticipantSession, kind: str,
         **params: str) -> tuple[list[dict[str, Any]], int]:
    """An independent pager: limit 100, pageID from nextPageID, until it is null: (records, pages)."""
    assert session.token is not None
    path, items = PATHS[kind]
    records: list[dict[str, Any]] = []
    pages = 0
    query = {**params, "limit": "100"}
    with httpx.Client(base_url=sandbox.url + "api/v1/delegated/",
                      headers={"Authorization": f"Bearer {session.token.value}"}) as http:
        while True:
            response = http.get(path, params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            pages += 1
            records += body[items]
            if not body["nextPageID"]:
                return records, pages
            query["pageID"] = body["nextPageID"]


# -- round trips: the session returns exactly what an independent pager counts --------------------

VARIANTS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("survey_results", {}, {}),
    ("survey_results", {"survey_name": [PHQ, "WeeklyVideo"]}, {"surveyName": "PHQ-9,WeeklyVideo"}),
    ("survey_results", {"after": dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc), "before": "2026-10-01"},
     {"after": "2026-09-01T00:00:00Z", "before": "2026-10-01"}),
    ("survey_results", {"inserted_after": dt.date(2026, 10, 1)}, {"insertedAfter": "2026-10-01"}),
    ("survey_results", {"event": "Enrollment"}, {"event": "Enrollment"}),
    ("survey_tasks", {}, {}),
    ("survey_tasks", {"sort_order": "ascending"}, {"sortOrder": "ascending"}),
    ("survey_tasks", {"status": ["incomplete", "closed"]}, {"status": "incomplete,closed"}),
    ("survey_tasks", {"status": "complete", "survey_name": "DailyMood"}, {"status": "complete",
                                                                          "surveyName": "DailyMood"}),
    ("survey_tasks", {"survey_category": "Mental Health"}, {"surveyCategory": "Mental Health"}),
    ("notifications", {}, {}),
    ("notifications", {"type": "Push"}, {"type": "Push"}),
    ("notifications", {"status_code": "NoRegisteredMobileDevice"}, {"statusCode": "NoRegisteredMobileDevice"}),
    ("notifications", {"identifier": "WeeklyNewsletter"}, {"identifier": "WeeklyNewsletter"}),
    ("notifications", {"sent_after": "2026-10-01T00:00:00-04:00"}, {"sentAfter": "2026-10-01T04:00:00Z"}),
    ("inbox", {}, {}),
    ("inbox", {"type": ["message", "resource"]}, {"type": "message,resource"}),
    ("inbox", {"status": "incomplete", "sort_order": "ascending"}, {"status": "incomplete", "sortOrder": "ascending"}),
    ("inbox", {"sort_column": "dueDate"}, {"sortColumn": "dueDate"}),
    ("inbox", {"category": "Newsletter", "ends_after": "2026-09-15"}, {"category": "Newsletter",
                                                                       "endsAfter": "2026-09-15"}),
]


@pytest.mark.parametrize(("kind", "filters", "wire"), VARIANTS, ids=lambda v: repr(v) if isinstance(v, dict) else v)
def test_an_independent_pager_counts_what_the_session_returns(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                              kind: str, filters: dict[str, Any],
                                                              wire: dict[str, str]) -> None:
    records, pages = _raw(sandbox, pt1, kind, **wire)
    frame = getattr(pt1, kind)(**filters)
    assert len(frame) == len(records) and frame.attrs["pages"] == pages
    pd.testing.assert_frame_equal(frame, mdh.to_frame(kind, records))
    assert list(frame.columns[: len(mdh.KINDS[kind].columns)]) == mdh.KINDS[kind].column_names
    if not filters:
        assert pages > 1 and frame["id"].is_unique, kind  # PT-0001 has more than a page of every kind


def test_other_participants_round_trip(sandbox: SandboxServer, client: mdh.Client) -> None:
    """PT-0001, one without Fitbit, the withdrawn one and the one who enrolled inside the window."""
    sizes: dict[str, list[int]] = {kind: [] for kind in MINE[1:]}
    for number in (1, 3, 5, 7):
        session = client.connect(f"PT-{number:04d}", EVERY_SCOPE)
        for kind in sizes:
            records, _ = _raw(sandbox, session, kind)
            frame = getattr(session, kind)()
            assert len(frame) == len(records), (number, kind)
            sizes[kind].append(len(frame))
    for kind, counts in sizes.items():
        assert counts[0] > 100 and len(set(counts)) > 2, (kind, counts)  # PT-0001 pages; the others vary
        assert counts[2] < counts[0] * 0.6, (kind, counts)  # withdrawn half-way: much less


def test_results_and_tasks_agree_with_the_answers(pt1: mdh.ParticipantSession) -> None:
    answers = pt1.survey_answers()
    results = pt1.survey_results()
    tasks = pt1.survey_tasks()
    assert set(answers["survey_result_id"]) <= set(results["id"])
    assert set(results["id"]) - set(answers["survey_result_id"]) == set(
        results.loc[results["survey_name"] == "WeeklyVideo", "id"])
    first = answers.groupby("survey_result_id")["inserted_date"].first()
    joined = results.set_index("id").join(first.rename("answers_inserted"), how="inner")
    assert (joined["inserted_date"] == joined["answers_inserted"]).all()
    done = tasks[tasks["status"] == "complete"]
    assert set(done["id"]) == set(results["task_id"].dropna())
    assert set(tasks["status"]) == {"incomplete", "complete", "closed"}
    assert tasks["has_saved_progress"].any() and str(tasks["status"].dtype) == "category"
    assert set(results["user_type"]) == {"Participant", "Coordinator"}
    assert tasks["inserted_date"].is_monotonic_decreasing  # the API's default order
    up = pt1.survey_tasks(sort_order="ASCENDING")  # corrected to the canonical spelling
    assert up["inserted_date"].is_monotonic_increasing and set(up["id"]) == set(tasks["id"])


def test_notifications_flatten_their_content(pt1: mdh.ParticipantSession) -> None:
    notes = pt1.notifications()
    sent = notes[notes["status_code"] == "Succeeded"]
    by_type = {t: sent[sent["type"] == t] for t in ("Sms", "Push", "Email")}
    assert by_type["Sms"]["content_body"].notna().all() and by_type["Sms"]["content_subject"].isna().all()
    assert by_type["Push"]["content_body"].notna().all() and by_type["Push"]["content_title"].notna().any()
    assert by_type["Email"]["content_subject"].notna().all() and by_type["Email"]["content_body"].isna().all()
    failed = notes[notes["status_code"] != "Succeeded"]
    assert len(failed) and failed[["content_title", "content_body", "content_subject"]].isna().all().all()
    assert str(notes["sent_date"].dtype) == "datetime64[ns, UTC]" and notes["sent_date"].is_monotonic_increasing
    assert notes["source_user_email"].notna().any() and notes["schedule_id"].notna().any()


def test_the_inbox_in_the_participants_zone(pt1: mdh.ParticipantSession) -> None:
    inbox = pt1.inbox(tz="local")
    assert str(inbox["inserted_date"].dtype) == "datetime64[ns, America/New_York]"
    assert set(inbox["type"]) == {"message", "survey", "resource"}
    assert inbox["inserted_date"].is_monotonic_decreasing
    surveys = inbox[inbox["type"] == "survey"]
    tasks = pt1.survey_tasks().set_index("id")
    assert set(surveys["id"]) == set(tasks.index)
    assert (surveys.set_index("id")["has_restoration_data"] == tasks["has_saved_progress"]).all()
    by_due = pt1.inbox(sort_column="dueDate", sort_order="ascending")
    due = by_due["due_date"]
    assert due.notna().sum() and due.dropna().is_monotonic_increasing and due[: due.notna().sum()].notna().all()


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 89), length=st.integers(0, 30), statuses=st.sets(
    st.sampled_from(["incomplete", "complete", "closed"])))
def test_filters_select_what_the_full_frame_says(client: mdh.Client, start: int, length: int,
                                                 statuses: set[str]) -> None:
    session = client.connect("PT-0001", EVERY_SCOPE)
    lo = pd.Timestamp("2026-08-03T00:00:00Z") + pd.Timedelta(days=start)
    hi = lo + pd.Timedelta(days=length)
    notes = session.notifications()
    got = session.notifications(sent_after=lo.to_pydatetime(), sent_before=hi.to_pydatetime())
    wanted = notes[(notes["sent_date"] > lo) & (notes["sent_date"] < hi)]
    assert list(got["id"]) == list(wanted["id"]) and list(got["sent_date"]) == list(wanted["sent_date"])
    tasks = session.survey_tasks()
    chosen = session.survey_tasks(status=sorted(statuses)) if statuses else tasks
    expected = tasks[tasks["status"].isin(statuses)] if statuses else tasks
    assert list(chosen["id"]) == list(expected["id"])


# -- the wire's quirks through to_frame ------------------------------------------------------------

SCHEDULE = {"id": "s1", "name": "Every 2 weeks", "category": "Mental Health", "interval": 2, "intervalType": "weeks"}
SAME = pd.Timestamp("2026-10-01T18:00:00.120Z")
STAMPS = ["2026-10-01T18:00:00.120Z", "2026-10-01T18:00:00.12Z", "2026-10-01T18:00:00.120+00:00",
          "2026-10-01T14:00:00.120-04:00", "2026-10-01T18:00:00.12"]


def test_survey_result_records_with_the_real_apis_quirks() -> None:
    base = {"participantID": "p", "surveyID": "s", "surveyVersion": 3, "surveyName": PHQ,
            "surveyDisplayName": "PHQ-9 Depression Screener"}
    records = [
        {**base, "id": "r0", "taskID": "t0", "date": STAMPS[0], "insertedDate": STAMPS[1], "schedule": SCHEDULE,
         "userType": "Participant", "participantIdentifier": "PT-0001"},
        {**base, "id": "r1", "taskID": None, "date": STAMPS[2], "insertedDate": STAMPS[3], "userType": "Coordinator",
         "user": "studyteam", "event": "Enrollment"},
        {**base, "id": "r2", "date": STAMPS[4], "insertedDate": None, "userType": "ServiceAccount", "user": None,
         "schedule": {"id": "s2", "name": "Daily"}},
        {**base, "id": "r3", "surveyVersion": None, "userType": "Participant"},
    ]
    frame = mdh.to_frame("survey_results", records)
    assert frame["date"][:3].tolist() == [SAME] * 3 and pd.isna(frame["date"][3])
    assert frame["inserted_date"][:2].tolist() == [SAME] * 2 and frame["inserted_date"][2:].isna().all()
    assert frame["task_id"].tolist() == ["t0", pd.NA, pd.NA, pd.NA]
    assert frame["survey_version"].tolist() == [3, 3, 3, pd.NA] and str(frame["survey_version"].dtype) == "Int64"
    assert frame["schedule_interval"].tolist() == [2, pd.NA, pd.NA, pd.NA]
    assert frame["schedule_name"].tolist() == ["Every 2 weeks", pd.NA, "Daily", pd.NA]
    assert frame["user"].tolist() == [pd.NA, "studyteam", pd.NA, pd.NA]
    assert str(frame["user_type"].dtype) == "category" and frame["event"][1] == "Enrollment"


def test_survey_task_records_with_the_real_apis_quirks() -> None:
    base = {"participantID": "p", "participantIdentifier": "PT-0001", "surveyID": "s", "surveyName": "DailyMood",
            "surveyDisplayName": "Daily Mood Check-in", "modifiedDate": STAMPS[0]}
    records = [
        {**base, "id": "t0", "linkIdentifier": "l0", "surveyDescription": "", "startDate": STAMPS[3],
         "endDate": STAMPS[4], "status": "complete", "hasSavedProgress": False, "dueDate": STAMPS[2],
         "insertedDate": STAMPS[1], "schedule": SCHEDULE},
        {**base, "id": "t1", "surveyCategory": "Baseline", "surveyDescription": "Long one", "startDate": None,
         "endDate": None, "status": "incomplete", "hasSavedProgress": True, "insertedDate": STAMPS[0]},
        {**base, "id": "t2", "status": "closed", "hasSavedProgress": "false", "insertedDate": STAMPS[0],
         "dueDate": None, "event": "Enrollment"},
    ]
    frame = mdh.to_frame("survey_tasks", records)
    assert frame["start_date"].tolist()[0] == SAME and frame["start_date"][1:].isna().all()
    assert frame["end_date"][0] == SAME and frame["due_date"][0] == SAME and frame["due_date"][1:].isna().all()
    assert frame["inserted_date"].tolist() == [SAME] * 3 and frame["modified_date"].tolist() == [SAME] * 3
    assert frame["has_saved_progress"].tolist() == [False, True, False]
    assert frame["survey_description"].tolist() == ["", "Long one", pd.NA]
    assert frame["survey_category"].tolist() == [pd.NA, "Baseline", pd.NA]
    assert frame["link_identifier"].tolist() == ["l0", pd.NA, pd.NA] and frame["event"][2] == "Enrollment"
    assert str(frame["status"].dtype) == "category"


def test_notification_records_with_the_real_apis_quirks() -> None:
    base = {"participantID": "p", "identifier": "Reminder", "statusCode": "Succeeded"}
    records = [
        {**base, "id": "n0", "type": "Sms", "sentDate": STAMPS[0], "recipients": ["+1 617-555-0100"],
         "content": {"body": "Hi"}, "contentVersion": 2},
        {**base, "id": "n1", "type": "Push", "sentDate": STAMPS[3], "recipients": [],
         "content": {"title": "T", "body": "B"}, "schedule": SCHEDULE},
        {**base, "id": "n2", "type": "Email", "sentDate": STAMPS[4], "recipients": ["a@example.org"],
         "content": {"subject": "S"}, "sourceUser": {"email": "c@example.org", "name": "Dana"}},
        {**base, "id": "n3", "type": "Push", "statusCode": "serviceError", "statusDetail": "HTTP 503",
         "sentDate": STAMPS[2], "recipients": [], "content": None},
        {**base, "id": "n4", "type": "Email", "statusCode": "Unsubscribed", "statusDetail": None, "sentDate": STAMPS[1],
         "recipients": ["a@example.org"], "sourceUser": {"email": "c@example.org"}},
    ]
    frame = mdh.to_frame("notifications", records)
    assert frame["sent_date"].tolist() == [SAME] * 5
    assert frame["content_body"].tolist() == ["Hi", "B", pd.NA, pd.NA, pd.NA]
    assert frame["content_title"].tolist() == [pd.NA, "T", pd.NA, pd.NA, pd.NA]
    assert frame["content_subject"].tolist() == [pd.NA, pd.NA, "S", pd.NA, pd.NA]
    assert frame["recipients"].tolist()[:2] == [["+1 617-555-0100"], []]
    assert frame["source_user_name"].tolist() == [pd.NA, pd.NA, "Dana", pd.NA, pd.NA]
    assert frame["content_version"].tolist() == [2, pd.NA, pd.NA, pd.NA, pd.NA]
    assert frame["status_code"].tolist()[3] == "serviceError"  # as sent (iOS spells it so)
    assert frame["status_detail"].tolist() == [pd.NA, pd.NA, pd.NA, "HTTP 503", pd.NA]
    assert frame["schedule_interval_type"][1] == "weeks" and str(frame["type"].dtype) == "category"


def test_inbox_records_with_the_real_apis_quirks() -> None:
    records = [
        {"type": "message", "id": "m", "categories": ["Newsletter"], "insertedDate": STAMPS[0], "endDate": STAMPS[3],
         "status": "complete", "isNew": False, "title": "News", "content": "<p>Hi</p>",
         "relatedResources": [{"title": "Sleep", "url": "https://x.example/s"}]},
        {"type": "survey", "id": "s", "categories": [], "insertedDate": STAMPS[4], "endDate": None,
         "status": "incomplete", "isNew": True, "dueDate": STAMPS[2], "name": PHQ, "displayName": None,
         "hasRestorationData": True},
        {"type": "resource", "id": "r", "categories": ["Education", "Sleep"], "insertedDate": STAMPS[1],
         "status": "incomplete", "isNew": True, "title": "Sleep hygiene", "url": "https://x.example/r",
         "subTitle": None},
    ]
    frame = mdh.to_frame("inbox", records)
    assert frame["inserted_date"].tolist() == [SAME] * 3
    assert frame["end_date"][0] == SAME and frame["end_date"][1:].isna().all() and frame["due_date"][1] == SAME
    assert frame["is_new"].tolist() == [False, True, True]
    assert frame["has_restoration_data"].tolist() == [pd.NA, True, pd.NA]
    assert frame["categories"].tolist() == [["Newsletter"], [], ["Education", "Sleep"]]
    assert frame["related_resources"][0] == [{"title": "Sleep", "url": "https://x.example/s"}]
    assert frame["name"].tolist() == [pd.NA, PHQ, pd.NA] and frame["url"][2] == "https://x.example/r"
    assert frame["title"].tolist() == ["News", pd.NA, "Sleep hygiene"] and frame["sub_title"].isna().all()


@pytest.mark.parametrize("name", MINE)
def test_no_records_is_an_empty_frame_with_the_declared_columns(name: str) -> None:
    frame = mdh.to_frame(name, [])
    kind = mdh.KINDS[name]
    assert list(frame.columns) == kind.column_names and frame.empty
    assert {c.name: str(frame[c.name].dtype) for c in kind.columns} == {c.name: DTYPES[c.dtype] for c in kind.columns}


def test_the_inbox_decision_is_the_same_on_both_wings(sandbox: SandboxServer) -> None:
    routes = httpx.get(sandbox.url + "_sandbox/routes").json()["api"]
    scopes = {(r["method"], r["path"]): r["scope"] for r in routes}
    for method, path in (("GET", "/api/v1/delegated/inbox"), ("GET", "/api/v1/delegated/inbox/{id}"),
                         ("PUT", "/api/v1/delegated/inbox/{id}/markRead")):
        assert scopes[(method, path)] == "SurveyTasks:read"
    assert mdh.KINDS["inbox"].scope == "SurveyTasks:read"


# -- refused before any request ----------------------------------------------------------------

def test_a_missing_scope_is_refused_before_any_request(sandbox: SandboxServer, client: mdh.Client) -> None:
    session = client.connect("PT-0001", ["Participant:read"])
    some = str(uuid.uuid4())
    before = _requests(sandbox)
    calls = [session.survey_results, session.survey_tasks, session.notifications, session.inbox,
             lambda: session.delete_survey_result(some), lambda: session.inbox_item(some),
             lambda: session.mark_inbox_item_read(some), lambda: session.log_custom_event("Opened")]
    for call in calls:
        with pytest.raises(ScopeError, match="needs the scope"):
            call()
    assert _requests(sandbox) == before
    reader = client.connect("PT-0001", ["SurveyAnswers:read"])
    assert len(reader.survey_results()) > 100  # results share the answers' scope
    with pytest.raises(ScopeError, match="SurveyResults:write"):
        reader.delete_survey_result(some)
    with pytest.raises(ScopeError, match="SurveyTasks:read"):
        reader.inbox()


@pytest.mark.parametrize(("call", "match"), [
    (lambda s: s.survey_tasks(status="open"), "one of"),
    (lambda s: s.survey_tasks(status=["complete", "done"]), "one of"),
    (lambda s: s.survey_tasks(sort_order="newest"), "one of"),
    (lambda s: s.notifications(type="Fax"), "one of"),
    (lambda s: s.notifications(status_code="Failed"), "one of"),
    (lambda s: s.inbox(type="note"), "one of"),
    (lambda s: s.inbox(sort_column="title"), "one of"),
    (lambda s: s.survey_results(after="last tuesday"), "after"),
    (lambda s: s.survey_results(surveyName=PHQ), "survey_name"),
    (lambda s: s.delete_survey_result("not-a-guid"), "GUID"),
    (lambda s: s.inbox_item(""), "GUID"),
    (lambda s: s.mark_inbox_item_read("42"), "GUID"),
    (lambda s: s.log_custom_event(""), "event_type"),
    (lambda s: s.log_custom_event("Opened", properties=["a"]), "mapping"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_arguments_are_refused_before_any_request(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                      call: Any, match: str) -> None:
    before = _requests(sandbox)
    with pytest.raises(InvalidArgumentError, match=match):
        call(pt1)
    assert _requests(sandbox) == before


# -- writes ------------------------------------------------------------------------------------------

def test_delete_a_survey_result_round_trip(pt1: mdh.ParticipantSession, restored: Any) -> None:
    results = pt1.survey_results(survey_name=PHQ)
    answers = pt1.survey_answers()
    target = str(results["id"].iloc[0])
    assert (answers["survey_result_id"] == target).sum() == 9
    assert pt1.delete_survey_result(target.upper()) is None
    assert target not in set(pt1.survey_results()["id"])
    after = pt1.survey_answers()
    assert target not in set(after["survey_result_id"]) and len(after) == len(answers) - 9
    assert pt1.survey_answers(survey_result_id=target).empty
    with pytest.raises(NotFoundError, match="not found"):
        pt1.delete_survey_result(target)
    with pytest.raises(NotFoundError):
        pt1.delete_survey_result(str(uuid.uuid4()))


def test_read_and_mark_an_inbox_item_round_trip(pt1: mdh.ParticipantSession, restored: Any) -> None:
    inbox = pt1.inbox(type="message", status="incomplete")
    target = inbox[inbox["is_new"].astype(bool)].iloc[0]
    one = pt1.inbox_item(str(target["id"]))
    assert list(one.columns) == mdh.KINDS["inbox"].column_names and len(one) == 1
    pd.testing.assert_series_equal(one.iloc[0], target, check_names=False)
    assert pt1.mark_inbox_item_read(str(target["id"])) is True
    read = pt1.inbox_item(str(target["id"])).iloc[0]
    assert not read["is_new"] and read["status"] == "complete"
    assert pt1.mark_inbox_item_read(str(target["id"])) is False  # already read: no change
    listed = pt1.inbox().set_index("id").loc[target["id"]]
    assert not listed["is_new"] and listed["status"] == "complete"
    with pytest.raises(NotFoundError):
        pt1.mark_inbox_item_read(str(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        pt1.inbox_item(str(uuid.uuid4()))


def test_log_a_custom_event_round_trip(sandbox: SandboxServer, pt1: mdh.ParticipantSession, restored: Any) -> None:
    def events() -> list[dict[str, Any]]:
        view = httpx.get(sandbox.url + "_sandbox/customevents", params={"participant": "PT-0001"}).json()
        return list(view["events"])

    assert events() == []
    assert pt1.log_custom_event("OpenedReport", {"report": "sleep", "pages": 2, "flags": [True]}) is None
    assert pt1.log_custom_event("Closed") is None
    got = events()
    assert [(e["eventType"], e["properties"]) for e in got] == [
        ("OpenedReport", {"report": "sleep", "pages": 2, "flags": [True]}), ("Closed", {})]
    sandbox.reset()
    assert events() == []
