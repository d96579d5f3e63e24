"""Delegated collections: cursor paging, clamping, and every survey-answer / sleep-log filter.

Filters are checked against an independent client-side filter of the unfiltered listing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.declarations import Collection, CursorPages
from mdh_notebook.emulator.kinds.surveys import SURVEY_ANSWERS
from mdh_notebook.emulator.models import SandboxBackend
from mdh_notebook.emulator.paging import Cursor, CursorCodec, Params, fingerprint
from mdh_notebook.emulator.shapes import Query
from mdh_notebook.emulator.storage import Store

ANSWERS = "api/v1/delegated/surveyanswers"
SLEEP = "api/v1/delegated/fitbit/sleepLogs"
Record = dict[str, Any]
Everything = dict[str, tuple[list[Record], list[Record]]]
TINY = SandboxBackend(SandboxConfig(participants=1, days=1))
SOMEONE = TINY.participants[0]


def _token(proto: Proto, identifier: str = "PT-0001") -> str:
    return proto.participant_token(identifier, "SurveyAnswers:read FitbitSleepLogs:read")


def test_cursor_paging_of_answers(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    assert len(answers) > 100
    items, cursors = proto.all_pages(ANSWERS, token, "surveyAnswers")
    assert items == answers
    assert len(cursors) == (len(answers) - 1) // 100
    assert len(set(cursors)) == len(cursors)
    assert len({a["id"] for a in items}) == len(items)
    small, small_cursors = proto.all_pages(ANSWERS, token, "surveyAnswers", limit=7)
    assert small == answers and len(set(small_cursors)) == len(small_cursors) == (len(answers) - 1) // 7
    assert not set(small_cursors) & set(cursors)
    order = [(instant(a["insertedDate"]), a["id"]) for a in answers]
    assert order == sorted(order)


def test_page_ending_exactly_at_end_has_null_cursor(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    phq = [a for a in answers if a["surveyName"] == "PHQ-9"]
    assert len(phq) % 9 == 0 and len(phq) >= 18
    pages = []
    params: dict[str, Any] = {"surveyName": "PHQ-9", "limit": 9}
    while True:
        body = proto.get(ANSWERS, token, **params).json()
        pages.append(body["surveyAnswers"])
        if body["nextPageID"] is None:
            break
        params["pageID"] = body["nextPageID"]
    assert [len(p) for p in pages] == [9] * (len(phq) // 9)
    assert [a for p in pages for a in p] == phq


def test_limits_and_bad_cursors(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    assert len(proto.get(ANSWERS, token, limit=1000).json()["surveyAnswers"]) == 100
    for bad in ("0", "-3", "ten", "1.5"):
        response = proto.get(ANSWERS, token, limit=bad)
        assert response.status_code == 400 and "limit" in response.json()["message"]
    first = proto.get(ANSWERS, token, limit=5).json()
    cursor = first["nextPageID"]
    changed = proto.get(ANSWERS, token, limit=5, pageID=cursor, surveyName="PHQ-9")
    assert changed.status_code == 400 and "pageID" in changed.json()["message"]
    tampered = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    for broken in ("nonsense", cursor[:-2], tampered, cursor + "AAAA"):
        response = proto.get(ANSWERS, token, pageID=broken)
        assert response.status_code == 400 and "pageID" in response.json()["message"]
    # another participant's cursor is refused too
    other = _token(proto, "PT-0002")
    assert proto.get(ANSWERS, other, limit=5, pageID=cursor).status_code == 400
    # the limit may change between pages
    second = proto.get(ANSWERS, token, limit=10, pageID=cursor).json()["surveyAnswers"]
    assert second == answers[5:15]


def test_a_cursor_cannot_be_forged_from_the_seed_nor_shaped_unlike_the_keys(proto: Proto) -> None:
    """The cursor secret is not derived from the seed (anyone may know it); and even a cursor that
    passes its MAC is refused (400, not a 500 from bisect) unless its keys are shaped like the
    collection's: answers sort by (insertedDate µs, id)."""
    token = _token(proto)
    backend = proto.server.backend
    someone = backend.participants[0]
    key, _ = SURVEY_ANSWERS.filters(Params([]))
    query = fingerprint(SURVEY_ANSWERS.path, someone.id, key)
    rows, stamp = backend.store.snapshot(someone, SURVEY_ANSWERS)
    real = rows[3].sort_key
    from_seed = CursorCodec(hashlib.sha256(b"mdh-sandbox-cursor/0").digest())
    response = proto.get(ANSWERS, token, pageID=from_seed.encode(Cursor(after=real, skip_to=None, stamp=stamp), query))
    assert response.status_code == 400 and "pageID is not valid" in response.json()["message"]
    for after, skip_to in [(("x", "y"), None), ((real[1], real[0]), None), ((real[0],), None),
                           ((*real, 1), None), (real, ("x", "y")), (real, (real[0],))]:
        forged = backend.cursors.encode(Cursor(after=after, skip_to=skip_to, stamp=stamp), query)
        response = proto.get(ANSWERS, token, pageID=forged)
        assert response.status_code == 400 and "pageID is not valid" in response.json()["message"], (after, skip_to)
    # the same codec with keys of the right shape is a cursor like any other
    fair = backend.cursors.encode(Cursor(after=real, skip_to=None, stamp=stamp), query)
    page = proto.get(ANSWERS, token, limit=2, pageID=fair).json()["surveyAnswers"]
    assert [a["id"] for a in page] == [r.record["id"] for r in rows[4:6]]


def _check(proto: Proto, token: str, answers: list[Record], keep: Callable[[Record], bool], **params: Any) -> int:
    got, _ = proto.all_pages(ANSWERS, token, "surveyAnswers", **params)
    expected = [a for a in answers if keep(a)]
    assert got == expected, params
    return len(expected)


def test_list_filters(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    assert 0 < _check(proto, token, answers, lambda a: a["surveyName"] in ("PHQ-9", "WeeklyActivity"),
                      surveyName="PHQ-9,WeeklyActivity") < len(answers)
    assert _check(proto, token, answers, lambda a: a["stepIdentifier"] == "PHQ9", stepIdentifier="PHQ9") > 0
    assert _check(proto, token, answers, lambda a: a["resultIdentifier"] in ("PHQ9_1", "Mood"),
                  resultIdentifier="PHQ9_1,Mood") > 0
    assert _check(proto, token, answers, lambda a: a["stepIdentifier"] == "PHQ9_1", stepIdentifier="PHQ9_1") == 0
    # PT-0001 enrolled long before the window: no survey of its carries the enrollment event
    assert _check(proto, token, answers, lambda a: a.get("event") == "Enrollment", event="Enrollment") == 0
    recent, _ = everything["PT-0007"]
    assert _check(proto, _token(proto, "PT-0007"), recent, lambda a: a.get("event") == "Enrollment",
                  event="Enrollment,Other") == 9
    assert _check(proto, token, answers, lambda a: "3" in a["answers"] or "Yoga" in a["answers"],
                  answer="3,Yoga") > 0
    result_id = answers[0]["surveyResultID"]
    assert _check(proto, token, answers, lambda a: a["surveyResultID"] == result_id,
                  surveyResultID=result_id.upper()) >= 1
    survey_id = next(a["surveyID"] for a in answers if a["surveyName"] == "DailyMood")
    assert _check(proto, token, answers, lambda a: a["surveyID"] == survey_id, surveyID=survey_id) > 0
    assert proto.get(ANSWERS, token, surveyID="not-a-guid").status_code == 400
    # several filters at once
    _check(proto, token, answers, lambda a: a["surveyName"] == "DailyMood" and a["stepIdentifier"] == "Mood"
           and a["answers"] in (["4"], ["5"]), surveyName="DailyMood", stepIdentifier="Mood", answer="4,5")


@pytest.mark.parametrize("literal", ["Tired, but OK", "a\\b, c"])
def test_comma_and_backslash_escaping(proto: Proto, everything: Everything, literal: str) -> None:
    owner = next(k for k, (answers, _) in everything.items() if any(literal in a["answers"] for a in answers))
    answers, _ = everything[owner]
    token = _token(proto, owner)
    escaped = literal.replace("\\", "\\\\").replace(",", "\\,")
    n = _check(proto, token, answers, lambda a: literal in a["answers"] or "ok" in a["answers"],
               answer=escaped + ",ok")
    assert n >= 1
    # unescaped, the comma splits the value into two answers that match nothing of the literal
    got, _ = proto.all_pages(ANSWERS, token, "surveyAnswers", answer=literal)
    assert all(literal not in a["answers"] for a in got)


def test_date_filters(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    dated = [a for a in answers if "date" in a]
    pivot = dated[len(dated) // 2]
    at = instant(pivot["date"])
    iso = at.isoformat().replace("+00:00", "Z")
    after = _check(proto, token, answers, lambda a: "date" in a and instant(a["date"]) > at, after=iso)
    before = _check(proto, token, answers, lambda a: "date" in a and instant(a["date"]) < at, before=iso)
    same = sum(1 for a in dated if instant(a["date"]) == at)
    assert after + before + same == len(dated)  # exclusive on both ends; undated answers excluded
    ins = instant(pivot["insertedDate"])
    _check(proto, token, answers, lambda a: instant(a["insertedDate"]) > ins,
           insertedAfter=ins.isoformat())
    _check(proto, token, answers, lambda a: instant(a["insertedDate"]) < ins,
           insertedBefore=ins.isoformat())
    # one instant, every accepted spelling
    forms = ["2026-10-01", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00.000+00:00", "2026-09-30T19:00:00-05:00",
             "2026-09-30T19:00:00-0500", "2026-10-01T00:00:00", "2026-10-01T05:30:00.0000000+05:30"]
    results = [proto.all_pages(ANSWERS, token, "surveyAnswers", after=f)[0] for f in forms]
    assert all(r == results[0] for r in results) and 0 < len(results[0]) < len(answers)
    bad = proto.get(ANSWERS, token, before="yesterday")
    assert bad.status_code == 400 and "before" in bad.json()["message"]


def test_sleep_paging_and_filters(proto: Proto, everything: Everything) -> None:
    _, logs = everything["PT-0001"]
    token = _token(proto)
    assert len(logs) > 25
    items, cursors = proto.all_pages(SLEEP, token, "results", pageSize=100)
    assert items == logs and len(cursors) == (len(logs) - 1) // 25 and len(set(cursors)) == len(cursors)
    assert proto.get(SLEEP, token, pageSize=0).status_code == 400
    starts = [instant(log["startTimestamp"]) for log in logs]
    assert starts == sorted(starts)
    pivot = starts[len(starts) // 2]
    later, _ = proto.all_pages(SLEEP, token, "results", startDate=pivot.isoformat())
    assert later == [log for log, s in zip(logs, starts, strict=True) if s >= pivot]  # startDate inclusive
    earlier, _ = proto.all_pages(SLEEP, token, "results", endDate=pivot.isoformat())
    assert earlier == [log for log, s in zip(logs, starts, strict=True) if s < pivot]  # endDate exclusive
    window, _ = proto.all_pages(SLEEP, token, "results", startDate="2026-10-01", endDate="2026-10-08")
    assert 0 < len(window) <= 8 * 2
    no_fitbit = [k for k, (_, sleep) in everything.items() if not sleep]
    assert no_fitbit
    body = proto.get(SLEEP, _token(proto, no_fitbit[0])).json()
    assert body == {"results": [], "nextPageID": None}
    changed = proto.get(SLEEP, token, pageID=cursors[0], startDate="2026-09-01")
    assert changed.status_code == 400


def _numbers(rows: list[int], keep: Callable[[int], bool], limit: int = 100) -> Collection[int]:
    """A test collection of integers (sort key: the number), filtered by ``keep``."""

    def filters(params: Params) -> tuple[Any, list[Callable[[int], bool]]]:
        return ("kept",), [keep]

    return Collection(
        name="numbers", path="api/v1/delegated/numbers", scope="x",
        shape=CursorPages(items_key="items", size_param="limit", default_size=10, max_size=limit),
        generate=lambda ctx, participant: rows, sort_key=lambda row: (row,), render=lambda row: {"n": row},
        filters=filters, row_id=str,
    )


def _page(store: Store, collection: Collection[int], params: dict[str, str], codec: CursorCodec) -> dict[str, Any]:
    rows, stamp = store.snapshot(SOMEONE, collection)
    body = collection.shape.serve(Query(collection, rows, stamp, Params(params.items()), codec, SOMEONE.id))
    assert isinstance(body, dict)
    return body


def test_filtered_paging_scans_each_row_once() -> None:
    """Paging through a filtered collection looks at every row once in all (not once per page)."""
    looked_at: Counter[int] = Counter()
    rows = list(range(2000))

    def keep(row: int) -> bool:
        looked_at[row] += 1
        return row % 7 == 3 or row in (1998, 1999)

    numbers = _numbers(rows, keep)
    codec = CursorCodec(b"k" * 32)
    store = Store(TINY.generate)
    for limit in ("1", "3", "100"):
        looked_at.clear()
        got: list[int] = []
        params = {"limit": limit}
        pages = 0
        while True:
            body = _page(store, numbers, params, codec)
            pages += 1
            got += [item["n"] for item in body["items"]]
            if body["nextPageID"] is None:
                break
            assert body["items"]
            params["pageID"] = body["nextPageID"]
        assert got == [r for r in rows if r % 7 == 3 or r in (1998, 1999)]
        # every row once, plus the first row of each next page (found by the look-ahead): O(N + pages)
        assert pages > 1 and sum(looked_at.values()) <= len(rows) + pages and max(looked_at.values()) <= 2, limit


@pytest.mark.parametrize("keep", [lambda n: True, lambda n: n % 3 == 0], ids=["unfiltered", "filtered"])
def test_keyset_paging_survives_writes_between_pages(keep: Callable[[int], bool]) -> None:
    """Rows inserted or deleted between two pages: every row that stands after the last row served
    when its page is read comes exactly once; nothing served is repeated."""
    rows = list(range(0, 3000, 10))
    numbers = _numbers(rows, keep, limit=100)
    codec = CursorCodec(b"k" * 32)
    store = Store(TINY.generate)
    served: list[int] = []
    params = {"limit": "25"}
    inserted_ahead: set[int] = set()
    inserted_behind: set[int] = set()
    deleted_ahead: set[int] = set()
    step = 0
    while True:
        body = _page(store, numbers, params, codec)
        served += [item["n"] for item in body["items"]]
        if body["nextPageID"] is None:
            break
        params["pageID"] = body["nextPageID"]
        last = served[-1]
        step += 1
        # ahead of the cursor: just after the last row served, in the gap the look-ahead skipped, far ahead
        ahead = [last + 1, last + 2, last + 5 + step % 4, last + 700 + step]
        ahead = [n for n in ahead if n % 10 and n not in inserted_ahead]
        store.insert(SOMEONE, numbers, ahead)
        inserted_ahead.update(ahead)
        # behind the cursor (never served afterwards) and ahead (gone before it is reached)
        behind = last - 3 - step % 5
        if behind % 10 and behind > 0 and behind not in inserted_ahead | inserted_behind:
            store.insert(SOMEONE, numbers, [behind])
            inserted_behind.add(behind)
        victim = last + 30 - (last + 30) % 10
        if store.delete(SOMEONE, numbers, str(victim)) is not None:
            deleted_ahead.add(victim)
        assert store.delete(SOMEONE, numbers, "no-such-row") is None
    assert len(served) == len(set(served)), "a row was served twice"
    expected = sorted(n for n in {*rows, *inserted_ahead} - deleted_ahead if keep(n))
    assert served == expected
    assert deleted_ahead and inserted_ahead and inserted_behind
    assert sorted(store.rows(SOMEONE, numbers)) == list(store.rows(SOMEONE, numbers))  # kept in sort order
    assert {*rows, *inserted_ahead, *inserted_behind} - deleted_ahead == set(store.rows(SOMEONE, numbers))


def test_filtered_paging_with_changing_limit(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    mood = [a for a in answers if a["surveyName"] == "DailyMood" and a["stepIdentifier"] == "Note"]
    first = proto.get(ANSWERS, token, surveyName="DailyMood", stepIdentifier="Note", limit=5).json()
    assert first["surveyAnswers"] == mood[:5]
    second = proto.get(ANSWERS, token, surveyName="DailyMood", stepIdentifier="Note", limit=11,
                       pageID=first["nextPageID"]).json()
    assert second["surveyAnswers"] == mood[5:16]


def test_integers_are_plain_ascii(proto: Proto, everything: Everything) -> None:
    answers, _ = everything["PT-0001"]
    token = _token(proto, "PT-0001")
    for bad in ("１０", "1_0", "٣", "10.0", "1e2", "0x10", "--1", "+-1", "1 0", "\u00a010", "10\n"):
        response = proto.get(ANSWERS, token, limit=bad)
        assert response.status_code == 400 and "limit" in response.json()["message"], repr(bad)
    for good, n in (("+5", 5), (" 7 ", 7), ("007", 7), ("", 100)):
        assert proto.get(ANSWERS, token, limit=good).json()["surveyAnswers"] == answers[:n], repr(good)
    assert proto.get(SLEEP, token, pageSize="２５").status_code == 400
    service = proto.service_token()
    for name, bad in (("pageSize", "２"), ("pageNumber", "1_0"), ("pageNumber", "-1"), ("pageSize", "-0")):
        response = proto.get(f"{proto.admin}/participants", service, **{name: bad})
        assert response.status_code == 400 and name in response.json()["message"], (name, bad)
    long_number = "-" + "9" * 5000
    message = proto.get(ANSWERS, token, limit=long_number).json()["message"]
    assert len(message) < 250  # the echo is cut


def test_only_the_exact_cursor_is_accepted(proto: Proto) -> None:
    token = _token(proto, "PT-0001")
    cursors: list[str] = []
    params: dict[str, Any] = {"limit": 5}
    while len(cursors) < 40:
        cursor = proto.get(ANSWERS, token, **params).json()["nextPageID"]
        cursors.append(cursor)
        params["pageID"] = cursor
    cursor = cursors[0]
    variants = [cursor + "=", cursor + "==", cursor + "===", " " + cursor, cursor + " ", cursor + "\n",
                cursor + "\t", cursor.lower() if cursor.lower() != cursor else cursor.upper()]
    alphabet = next(c for c in cursors if "-" in c or "_" in c)  # the standard-alphabet spelling of one
    variants.append(alphabet.replace("-", "+").replace("_", "/"))
    for variant in variants:
        response = proto.get(ANSWERS, token, limit=5, pageID=variant)
        assert response.status_code == 400 and "pageID" in response.json()["message"], repr(variant)
    assert proto.get(ANSWERS, token, limit=5, pageID=alphabet).status_code == 200
    assert proto.get(ANSWERS, token, limit=5, pageID="").status_code == 200  # empty = the first page
