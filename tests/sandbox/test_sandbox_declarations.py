"""Declarations: collections in each response shape and operations with every kind of result,
served by a sandbox whose registry has test-only kinds of its own beside the real ones; lazy,
mutable storage and ``reset``; keyset cursors over HTTP while rows are written between pages."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxConfig, SandboxServer
from mdh_notebook.emulator.cohort import Participant
from mdh_notebook.emulator.declarations import (
    BareArray,
    Call,
    Collection,
    CursorPages,
    Empty,
    GenContext,
    Json,
    NumberedPages,
    Operation,
    Params,
    Raw,
    Registry,
    Result,
    SingleObject,
    not_found,
    total,
)
from mdh_notebook.emulator.kinds import REGISTRY
from mdh_notebook.emulator.kinds.surveys import SURVEY_ANSWERS
from mdh_notebook.emulator.models import SandboxBackend
from mdh_notebook.emulator.surveys import AnswerRow

BASE = "api/v1/delegated/test"


@dataclasses.dataclass(frozen=True)
class Note:
    id: str
    at: int
    text: str


def _notes(ctx: GenContext, participant: Participant) -> list[Note]:
    rng = ctx.rng("notes", participant.index)
    return [Note(id=str(uuid.UUID(int=rng.getrandbits(128))), at=rng.randrange(10**6), text=f"note {i}")
            for i in range(30)]


def _note_filters(params: Params) -> tuple[Any, list[Callable[[Note], bool]]]:
    text = params.get("text")
    return (text,), ([lambda n: text in n.text] if text else [])


def _note(**shape: Any) -> dict[str, Any]:
    return {"generate": _notes, "sort_key": lambda n: (n.at, n.id), "render": dataclasses.asdict,
            "filters": _note_filters, "row_id": lambda n: n.id, **shape}


NOTES: Collection[Note] = Collection(name="test_notes", path=f"{BASE}/notes", scope="SurveyAnswers:read",
                                     shape=CursorPages("notes", default_size=10, max_size=10,
                                                       extra=total("totalNotes")),
                                     **_note())
NUMBERED: Collection[Note] = Collection(name="test_numbered", path=f"{BASE}/numbered", scope="SurveyAnswers:read",
                                        shape=NumberedPages("notes", "totalNotes", first_page=1, default_size=7,
                                                            max_size=7),
                                        **_note())
BARE: Collection[Note] = Collection(name="test_bare", path=f"{BASE}/bare", scope="SurveyAnswers:read",
                                    shape=BareArray(), **_note())
SINGLE: Collection[Note] = Collection(name="test_single", path=f"{BASE}/single", scope="SurveyAnswers:read",
                                      shape=SingleObject("no note for this participant"), source="Oura", **_note())


def _add(call: Call) -> Result:
    items = call.json_array()
    call.backend.store.insert(call.participant, NOTES, [Note(str(uuid.uuid4()), int(i["at"]), str(i["text"]))
                                                        for i in items])
    return Empty(status=201)


def _change(call: Call) -> Result:
    body = call.json_object()
    new = call.backend.store.update(call.participant, NOTES, call.path["noteID"],
                                    lambda n: dataclasses.replace(n, text=str(body["text"])))
    if new is None:
        raise not_found("note", call.path["noteID"])
    return Json(dataclasses.asdict(new), status=202)


def _delete(call: Call) -> Result:
    call.delete(NOTES, call.path["noteID"], "note")
    return Empty()


OPERATIONS = (
    Operation("test_add_notes", "POST", f"{BASE}/notes", "DeviceData:write", _add),
    Operation("test_note", "GET", f"{BASE}/notes/{{noteID}}", "SurveyAnswers:read",
              lambda call: dataclasses.asdict(call.find(NOTES, call.path["noteID"], "note"))),
    Operation("test_delete_note", "DELETE", f"{BASE}/notes/{{noteID}}", "DeviceData:write", _delete),
    Operation("test_change_note", "PUT", f"{BASE}/notes/{{noteID}}", "DeviceData:write", _change),
    # declared after notes/{noteID}: a literal segment still wins over a placeholder
    Operation("test_all_notes", "GET", f"{BASE}/notes/allNotes", "SurveyAnswers:read",
              lambda call: [dataclasses.asdict(n) for n in call.backend.store.rows(call.participant, NOTES)]),
    Operation("test_echo", "POST", f"{BASE}/echo", "DeviceData:write",
              lambda call: Raw(call.body[::-1], "application/x-test", headers={"X-Media": call.media_type}),
              max_body=16),
    Operation("test_link", "POST", f"{BASE}/link/{{providerID}}", "DeviceData:write",
              lambda call: f"https://example.org/connect/{call.path['providerID']}?to={call.params.get('to')}"),
)
TEST_REGISTRY = REGISTRY.extended((NOTES, NUMBERED, BARE, SINGLE), OPERATIONS)


@pytest.fixture(scope="module")
def tested() -> Iterator[tuple[Proto, str]]:
    backend = SandboxBackend(SandboxConfig(seed=0, participants=3, days=5), registry=TEST_REGISTRY)
    with SandboxServer(backend=backend) as server:
        proto = Proto(server)
        yield proto, proto.participant_token("PT-0001", "api")
        proto.http.close()


def _send(proto: Proto, method: str, path: str, token: str, headers: dict[str, str] | None = None,
          **kwargs: Any) -> httpx.Response:
    return proto.http.request(method, path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kwargs)


def test_the_four_shapes(tested: tuple[Proto, str]) -> None:
    proto, token = tested
    proto.server.reset()
    first = proto.get(f"{BASE}/notes", token).json()
    assert set(first) == {"notes", "nextPageID", "totalNotes"} and first["totalNotes"] == 30
    assert list(first) == ["notes", "nextPageID", "totalNotes"] and len(first["notes"]) == 10
    filtered = proto.get(f"{BASE}/notes", token, text="note 1").json()  # note 1, note 10..19
    assert filtered["totalNotes"] == 11 and len(filtered["notes"]) == 10
    notes: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        body = proto.get(f"{BASE}/notes", token, **params).json()
        notes += body["notes"]
        if body["nextPageID"] is None:
            break
        params["pageID"] = body["nextPageID"]
    assert [(n["at"], n["id"]) for n in notes] == sorted((n["at"], n["id"]) for n in notes) and len(notes) == 30
    # numbered pages: 1-based here, with a total; clamped size; past the end is empty
    page1 = proto.get(f"{BASE}/numbered", token, pageSize=100).json()
    assert page1 == {"notes": notes[:7], "totalNotes": 30}
    assert proto.get(f"{BASE}/numbered", token, pageSize=7, pageNumber=2).json()["notes"] == notes[7:14]
    assert proto.get(f"{BASE}/numbered", token, pageNumber=9).json() == {"notes": [], "totalNotes": 30}
    zero = proto.get(f"{BASE}/numbered", token, pageNumber=0)
    assert zero.status_code == 400 and "pageNumber" in zero.json()["message"]
    # a bare array; a single object, a 404 where the participant lacks the collection's source
    assert proto.get(f"{BASE}/bare", token).json() == notes
    assert proto.get(f"{BASE}/bare", token, text="note 2").json() == [n for n in notes if "note 2" in n["text"]]
    assert proto.get(f"{BASE}/single", token).json() == notes[0]
    lacking = proto.get(f"{BASE}/single", proto.participant_token("PT-0002", "api"))  # PT-0002 has no Oura
    assert lacking.status_code == 404 and lacking.json() == {"message": "no note for this participant"}
    assert "RateLimit-Remaining" in lacking.headers


def test_operations_and_their_results(tested: tuple[Proto, str]) -> None:
    proto, token = tested
    proto.server.reset()
    before = proto.get(f"{BASE}/notes/allNotes", token).json()
    assert before == proto.get(f"{BASE}/bare", token).json()  # another collection, the same seeded rows
    new = [{"at": -1, "text": "first"}, {"at": 10**7, "text": "last"}]
    added = _send(proto, "POST", f"{BASE}/notes", token, json=new)
    assert added.status_code == 201 and added.content == b"" and "content-type" not in added.headers
    assert "RateLimit-Remaining" in added.headers
    after = proto.get(f"{BASE}/notes/allNotes", token).json()
    assert proto.get(f"{BASE}/bare", token).json() == before  # its rows are its own
    assert [n["text"] for n in after] == ["first", *(n["text"] for n in before), "last"]
    ident = after[0]["id"]
    assert proto.get(f"{BASE}/notes/{ident}", token).json() == after[0]
    changed = _send(proto, "PUT", f"{BASE}/notes/{ident}", token, json={"text": "changed"})
    assert changed.status_code == 202 and changed.json() == {**after[0], "text": "changed"}
    gone = _send(proto, "DELETE", f"{BASE}/notes/{ident}", token)
    assert gone.status_code == 200 and gone.content == b""
    for method in ("GET", "DELETE"):
        missing = _send(proto, method, f"{BASE}/notes/{ident}", token)
        assert missing.status_code == 404 and missing.json() == {"message": f"note {ident!r} not found"}
        assert "RateLimit-Remaining" in missing.headers
    assert _send(proto, "PUT", f"{BASE}/notes/{ident}", token, json={"text": "x"}).status_code == 404
    # bodies: bad JSON, the wrong JSON type, empty, too large
    for body, message in ((b"{not json", "not valid JSON"), (b'{"at": 1}', "JSON array"), (b"", "needs a JSON body"),
                          (b"[" * 100_000, "not valid JSON")):
        response = _send(proto, "POST", f"{BASE}/notes", token, content=body)
        assert response.status_code in (400, 413), body[:10]
        if response.status_code == 400:
            assert message in response.json()["message"]
    assert _send(proto, "PUT", f"{BASE}/notes/{after[1]['id']}", token, json=[1]).status_code == 400
    echo = _send(proto, "POST", f"{BASE}/echo", token, content=b"abc", headers={"Content-Type": "Text/Plain; x=1"})
    assert echo.status_code == 200 and echo.content == b"cba"
    assert echo.headers["content-type"] == "application/x-test" and echo.headers["x-media"] == "text/plain"
    large = _send(proto, "POST", f"{BASE}/echo", token, content=b"x" * 17)
    assert large.status_code == 413 and "16 bytes" in large.json()["message"] and "RateLimit-Limit" in large.headers
    link = _send(proto, "POST", f"{BASE}/link/P%2F7", token, params={"to": "/home"})
    assert link.json() == "https://example.org/connect/P/7?to=/home"
    assert link.headers["content-type"].startswith("application/json")
    # reset restores the seeded rows
    proto.server.reset()
    assert proto.get(f"{BASE}/notes/allNotes", token).json() == before


def test_operations_are_authorized_like_collections(tested: tuple[Proto, str]) -> None:
    proto, _ = tested
    proto.server.reset()
    reader = proto.participant_token("PT-0001", "user/*.read")
    assert proto.get(f"{BASE}/notes", reader).status_code == 200
    refused = _send(proto, "POST", f"{BASE}/notes", reader, json=[])
    assert refused.status_code == 403 and "requires scope DeviceData:write" in refused.json()["message"]
    assert _send(proto, "POST", f"{BASE}/notes", proto.participant_token("PT-0001", "DeviceData:write"),
                 json=[]).status_code == 201
    assert _send(proto, "POST", f"{BASE}/notes", proto.service_token(), json=[]).status_code == 403
    unauthenticated = proto.http.post(f"{BASE}/echo", content=b"x" * 100)
    assert unauthenticated.status_code == 401  # before the body is looked at
    routes = {(r["method"], r["path"]): r for r in proto.http.get("_sandbox/routes").json()["api"]}
    assert routes[("DELETE", f"/{BASE}/notes/{{noteID}}")] == {
        "method": "DELETE", "path": f"/{BASE}/notes/{{noteID}}", "token": "participant", "scope": "DeviceData:write",
        "name": "test_delete_note"}
    assert {(m, "/" + p) for m, p, _ in TEST_REGISTRY.routes()} == set(routes)
    stats = proto.server.stats()["requests"]
    assert stats["POST /api/v1/delegated/test/notes"] == 3


def test_every_declaration_is_a_route(proto: Proto) -> None:
    listed = proto.http.get("_sandbox/routes").json()["api"]
    assert [(r["method"], r["path"], r["name"]) for r in listed] == [(m, "/" + p, n) for m, p, n in REGISTRY.routes()]
    assert {r["name"] for r in listed} >= {"survey_answers", "sleep_logs", "participant_info", "participants"}


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="two declarations named"):
        REGISTRY.extended((dataclasses.replace(NOTES, path=f"{BASE}/other"), NOTES))
    with pytest.raises(ValueError, match="two declarations for GET"):
        Registry((NOTES,), (Operation("other", "GET", f"{BASE}/NOTES", "x", lambda call: {}),))
    with pytest.raises(ValueError, match="two declarations for DELETE"):
        Registry((), (Operation("a", "DELETE", f"{BASE}/{{x}}", "x", lambda c: {}),
                      Operation("b", "DELETE", f"{BASE}/{{y}}", "x", lambda c: {})))
    for bad in ("/api/v1/delegated/x", "api/v1/delegated/x/", "api//x", "delegated/x", "api/v1/x?y=1"):
        with pytest.raises(ValueError, match="path"):
            dataclasses.replace(NOTES, path=bad)
    with pytest.raises(ValueError, match="placeholders"):
        dataclasses.replace(NOTES, path=f"{BASE}/{{id}}")
    with pytest.raises(ValueError, match="GET Operation"):
        dataclasses.replace(NOTES, token="service")
    with pytest.raises(ValueError, match="snake_case"):
        dataclasses.replace(NOTES, name="Notes")
    with pytest.raises(ValueError, match="default_size"):
        CursorPages("x", default_size=100, max_size=25)


def test_data_is_generated_per_kind_on_first_use_and_kept() -> None:
    backend = SandboxBackend(SandboxConfig(seed=0, participants=3, days=10), registry=TEST_REGISTRY)
    first, second = backend.participants[:2]
    assert not any(backend.store.generated(p, c) for p in backend.participants for c in TEST_REGISTRY.collections)
    rows = backend.rows(first, SURVEY_ANSWERS)
    assert backend.store.generated(first, SURVEY_ANSWERS)
    assert [c.name for c in TEST_REGISTRY.collections if backend.store.generated(first, c)] == ["survey_answers"]
    assert not backend.store.generated(second, SURVEY_ANSWERS)
    assert backend.rows(first, "survey_answers") is rows  # kept, not regenerated
    backend.rows(first, NOTES)
    backend.reset()  # nothing written: everything generated stays
    assert backend.rows(first, SURVEY_ANSWERS) is rows and backend.store.generated(first, NOTES)
    backend.store.insert(first, NOTES, [Note("x", 5, "new")])
    assert backend.rows(first, SURVEY_ANSWERS) is rows
    backend.reset()  # written: forgotten, then regenerated as seeded
    assert not backend.store.generated(first, NOTES) and backend.store.generated(first, SURVEY_ANSWERS)
    assert "x" not in [n.id for n in backend.rows(first, NOTES)] and len(backend.rows(first, NOTES)) == 30
    with pytest.raises(ValueError, match="already stored"):
        backend.store.insert(first, NOTES, [backend.rows(first, NOTES)[3]])
    with pytest.raises(ValueError, match="share the sort key"):
        backend.store.insert(first, NOTES, [Note("a", 1, ""), Note("a", 1, "")])
    assert backend.warm() and all(backend.store.generated(p, c) for p in backend.participants
                                  for c in TEST_REGISTRY.collections)


def _answer(template: AnswerRow, inserted_us: int, ident: str) -> AnswerRow:
    record = {**template.record, "id": ident, "insertedDate": f"{inserted_us // 1000}ms"}
    return dataclasses.replace(template, record=record, inserted_us=inserted_us)


def test_cursor_paging_over_http_while_rows_are_written(proto: Proto) -> None:
    """Answers inserted after the last row served and deleted ahead of it between pages: each row
    standing ahead of the cursor is served exactly once; rows inserted behind it are not."""
    token = proto.participant_token("PT-0001", "SurveyAnswers:read")
    backend = proto.server.backend
    pt1 = backend.participants[0]
    seeded = list(backend.rows(pt1, SURVEY_ANSWERS))
    served: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 40, "surveyName": "DailyMood,PHQ-9"}
    added: list[str] = []
    removed: list[str] = []
    try:
        for step in range(1000):
            body = proto.get("api/v1/delegated/surveyanswers", token, **params).json()
            served += body["surveyAnswers"]
            if body["nextPageID"] is None:
                break
            params["pageID"] = body["nextPageID"]
            last = next(r for r in backend.rows(pt1, SURVEY_ANSWERS) if r.record["id"] == served[-1]["id"])
            template = next(r for r in seeded if r.survey_name == "DailyMood")
            ahead = _answer(template, last.inserted_us + 1, f"ahead-{step}")
            behind = _answer(template, last.inserted_us - 1, f"behind-{step}")
            backend.store.insert(pt1, SURVEY_ANSWERS, [ahead, behind])
            added.append(ahead.record["id"])
            rows = backend.rows(pt1, SURVEY_ANSWERS)
            victim = next((r for r in rows[rows.index(last) + 5 :] if r.survey_name == "PHQ-9"), None)
            if victim is not None:  # one not served yet, ahead of the cursor
                assert backend.store.delete(pt1, SURVEY_ANSWERS, victim.record["id"]) is victim
                removed.append(victim.record["id"])
        ids = [a["id"] for a in served]
        assert len(ids) == len(set(ids))
        expected = [r.record["id"] for r in seeded if r.survey_name in ("DailyMood", "PHQ-9")
                    and r.record["id"] not in removed]
        assert [i for i in ids if not i.startswith("ahead-")] == expected
        assert [i for i in ids if i.startswith("ahead-")] == added and len(added) > 5
        assert not [i for i in ids if i.startswith("behind-")] and len(removed) > 5
    finally:
        proto.http.post("_sandbox/reset")
    assert [r.record for r in backend.rows(pt1, SURVEY_ANSWERS)] == [r.record for r in seeded]
    assert instant(seeded[0].record["insertedDate"]) <= instant(seeded[-1].record["insertedDate"])
