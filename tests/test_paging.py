"""The pager against every response shape, and servers that misbehave in ways the reference allows:
fakes at the transport."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fakes import CONFIG, no_wait, query, token_or
from fakes import client as fake_client

import mdh_notebook as mdh
from mdh_notebook.kinds import CURSOR, SINGLE, Column, Kind, Paging
from mdh_notebook.paging import query_hash


def test_page_number_paging_trusts_the_total_over_a_short_page() -> None:
    """A server that caps pageSize at 50 (the admin maximum is unconfirmed) still yields everyone."""
    people = [{"id": f"00000000-0000-4000-8000-{i:012d}", "participantIdentifier": f"PT-{i:04d}"} for i in range(120)]
    asked: list[dict[str, list[str]]] = []

    def admin(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/participants"):
            return httpx.Response(404, json={"message": "no participant with that identifier"})
        params = parse_qs(request.url.query.decode())
        asked.append(params)
        number, size = int(params["pageNumber"][0]), min(50, int(params["pageSize"][0]))
        return httpx.Response(200, json={"participants": people[number * size:(number + 1) * size],
                                         "totalParticipants": len(people), "pageNumber": number})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(admin))) as client:
        frame = client.participants()
        assert len(frame) == 120 and frame["participant_identifier"].is_unique
        assert [p["pageSize"] for p in asked] == [["100"]] * 3  # always the maximum
        # lookup by internal id: a 404 by identifier, then the listing, which must reach page 3
        assert client.find_participant(people[110]["id"])["participantIdentifier"] == "PT-0110"


def test_a_repeated_cursor_is_an_error_not_an_endless_loop() -> None:
    def looping(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"surveyAnswers": [{"id": "a"}], "nextPageID": "same"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(looping))) as client:
        pager = client.pager("survey_answers")
        with pytest.raises(mdh.TransportError, match="repeated page cursor"):
            list(pager)
        assert pager.pages_fetched == 2


def test_a_body_without_the_items_key_is_named() -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": []})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(wrong))) as client, \
            pytest.raises(mdh.TransportError, match="no list 'surveyAnswers'"):
        client.frame("survey_answers")


def test_server_errors_are_retried_then_raised_and_tokens_in_bodies_redacted() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(503, text="busy")
        return httpx.Response(400, json={"message": "bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln echoed"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(flaky)), sleep=no_wait) as client, \
            pytest.raises(mdh.BadRequestError) as info:
        client.frame("survey_answers")
    assert len(calls) == 3
    assert "eyJ" not in str(info.value) and "<redacted>" in str(info.value)


def test_a_429_is_waited_out_through_the_injected_sleep_and_5xx_backoff_is_staminas() -> None:
    """A 429 that resets within rate_limit_wait is waited out through ``sleep=`` (no real time
    passes in the tests); the backoff after a 5xx is stamina's (zero in its test mode), not ``sleep``."""
    empty = {"surveyAnswers": []}
    answers = iter([httpx.Response(503), httpx.Response(503), httpx.Response(200, json=empty),
                    httpx.Response(429, headers={"RateLimit-Reset": "2"}), httpx.Response(200, json=empty),
                    httpx.Response(429, headers={"RateLimit-Reset": "9"})])
    waits: list[float] = []
    transport = httpx.MockTransport(token_or(lambda request: next(answers)))
    with mdh.Client(CONFIG, transport=transport, rate_limit_wait=5, sleep=waits.append) as client:
        assert client.frame("survey_answers").empty
        assert waits == []
        assert client.frame("survey_answers").empty
        assert waits == [2.0]
        with pytest.raises(mdh.RateLimitError, match="later than rate_limit_wait=5 s"):  # raised, not waited
            client.frame("survey_answers")
        assert waits == [2.0]


def test_an_unreachable_server_is_named_with_the_fix() -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = mdh.Config.from_values(base_url=f"http://127.0.0.1:{port}/", service_account="a", project_id="p",
                                    private_key=CONFIG.private_key)
    with pytest.raises(mdh.TransportError) as info:
        mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config)
    assert f"127.0.0.1:{port}" in str(info.value) and "MDH_BASE_URL" in str(info.value)


# -- every response shape, page numbers from 1, state and resume ----------------------------

COLUMNS = (Column("id", "string"),)


def _kind(**fields: object) -> Kind:
    base: dict[str, object] = {"name": "things", "path": "api/v1/delegated/things", "token": "participant",
                               "scope": "Participant:read", "columns": COLUMNS}
    return Kind(**{**base, **fields})  # type: ignore[arg-type]


def test_a_bare_array_is_one_page_of_records() -> None:
    array = _kind(shape="array", paging=SINGLE)
    with fake_client(lambda r: httpx.Response(200, json=[{"id": "1"}, {"id": "2"}])) as client:
        frame = client.frame(array)
        assert list(frame["id"]) == ["1", "2"] and frame.attrs["pages"] == 1
    with fake_client(lambda r: httpx.Response(200, json={"id": "1"})) as client, \
            pytest.raises(mdh.TransportError, match="not a JSON array"):
        client.frame(array)


def test_a_single_object_and_records_that_are_not_objects() -> None:
    single = _kind(shape="object", paging=SINGLE)
    with fake_client(lambda r: httpx.Response(200, json={"id": "only"})) as client:
        assert list(client.frame(single)["id"]) == ["only"]
    with fake_client(lambda r: httpx.Response(200, json=[1, 2])) as client, \
            pytest.raises(mdh.TransportError, match="not a JSON object"):
        client.frame(single)
    keyed = _kind(shape="keyed", items_key="things", paging=CURSOR)
    with fake_client(lambda r: httpx.Response(200, json={"things": [{"id": "a"}, "b"]})) as client, \
            pytest.raises(mdh.TransportError, match="not JSON objects"):
        client.frame(keyed)


PROVIDERS = [{"id": str(i)} for i in range(23)]


def providers(request: httpx.Request) -> httpx.Response:
    """Page numbers from 1, pages capped at 10 whatever is asked, a total beside them."""
    q = query(request)
    number, size = int(q["pageNumber"]), min(10, int(q["pageSize"]))
    assert number >= 1, "the first page is 1"
    return httpx.Response(200, json={"things": PROVIDERS[(number - 1) * size:number * size],
                                     "totalThings": len(PROVIDERS)})


PAGED = _kind(shape="keyed", items_key="things",
              paging=Paging(style="page_number", size_param="pageSize", max_size=100, first_page=1,
                            total_key="totalThings"))


def test_page_numbers_from_one_trust_the_total_and_report_state() -> None:
    with fake_client(providers) as client:
        pager = client.pager(PAGED)
        start = mdh.PagerState(kind="things", query=query_hash("api/v1/delegated/things", {}))
        assert pager.state == start
        pages = iter(pager.pages)
        assert len(next(pages)) == 10
        assert pager.state == replace(start, page_number=2, pages=1, records=10, total=23, done=False)
        assert [len(p) for p in pages] == [10, 3]
        assert pager.state == replace(start, page_number=4, pages=3, records=23, total=23, done=True)
        assert list(client.frame(PAGED)["id"]) == [p["id"] for p in PROVIDERS]


def test_a_pager_resumes_from_its_state_with_page_numbers() -> None:
    with fake_client(providers) as client:
        first = client.pager(PAGED)
        head = next(iter(first.pages))
        rest = client.pager(PAGED, resume=first.state)
        assert [r["id"] for r in head + list(rest)] == [p["id"] for p in PROVIDERS]
        assert rest.state.records == 23 and rest.state.pages == 3 and rest.state.done
        assert list(client.pager(PAGED, resume=rest.state)) == []  # a done state fetches nothing


def test_a_pager_resumes_after_an_error_at_the_page_that_failed() -> None:
    """Cursor paging with a total (Apple Health's totalResults); the server fails once on page 2."""
    records = [{"id": f"r{i}"} for i in range(7)]
    failures = {"left": 1}

    def app(request: httpx.Request) -> httpx.Response:
        q = query(request)
        start = int(q.get("pageID", "0"))
        if start and failures["left"]:
            failures["left"] -= 1
            return httpx.Response(400, json={"message": "try later"})
        nxt = start + 3 if start + 3 < len(records) else None
        return httpx.Response(200, json={"results": records[start:start + 3], "nextPageID": nxt and str(nxt),
                                         "totalResults": len(records)})

    kind = _kind(shape="keyed", items_key="results",
                 paging=Paging(style="cursor", size_param="pageSize", max_size=3, total_key="totalResults"))
    got: list[dict[str, object]] = []
    with fake_client(app) as client:
        pager = client.pager(kind)
        with pytest.raises(mdh.BadRequestError):
            for record in pager:
                got.append(record)
        assert pager.state == mdh.PagerState(kind="things", query=pager.state.query, cursor="3", pages=1, records=3,
                                             total=7, done=False)
        got += list(client.pager(kind, resume=pager.state))
    assert got == records


def test_entries_that_contradict_themselves_fail_at_import() -> None:
    from mdh_notebook.kinds import CatalogueError

    with pytest.raises(CatalogueError, match="no next cursor"):
        _kind(shape="array", paging=CURSOR)
    with pytest.raises(CatalogueError, match="items_key"):
        _kind(shape="keyed", paging=CURSOR)
    with pytest.raises(CatalogueError, match="does not page"):
        _kind(shape="object", paging=CURSOR)
    with pytest.raises(CatalogueError, match="first_page"):
        Paging(style="page_number", size_param="pageSize", max_size=10, first_page=2)  # type: ignore[arg-type]
    with pytest.raises(CatalogueError, match="dtype"):
        Column("id", "text")  # type: ignore[arg-type]
    with pytest.raises(CatalogueError, match="scope"):
        _kind(shape="object", scope="Participants:read")
    with pytest.raises(CatalogueError, match="repeat"):
        _kind(shape="object", columns=(Column("value", "string"), Column("value", "Float64")))


def test_a_filter_may_not_be_a_paging_parameter_nor_named_kind() -> None:
    """The pager sets its size / cursor / page number itself (a filter sent under one of those names
    would be overwritten without a word); ``kind`` is fetch()'s first argument."""
    from mdh_notebook.kinds import CatalogueError, Param

    keyed = {"shape": "keyed", "items_key": "things"}
    for paging, wire in [(CURSOR, "limit"), (CURSOR, "pageID"), (CURSOR, "PAGEid"),
                         (Paging(style="page_number", size_param="pageSize", max_size=10), "pageNumber"),
                         (Paging(style="page_number", size_param="pageSize", max_size=10), "pagesize")]:
        with pytest.raises(CatalogueError, match=f"filters sent as \\['{wire}'\\] clash with the parameters"):
            _kind(**keyed, paging=paging, params=(Param("how_many", wire, "int"),))
    _kind(**keyed, paging=CURSOR, params=(Param("page_number", "pageNumber", "int"),))  # not this pager's
    _kind(shape="object", params=(Param("limit", "limit", "int"),))  # one request: nothing is paged
    for name in ("kind", "resume"):
        with pytest.raises(CatalogueError, match="name must be an identifier other than"):
            Param(name, "kind", "str")


# -- resuming through the session: a state names its pull; a failed fetch says where it stopped --

ANSWERS = [{"id": f"a{i}", "surveyName": "PHQ-9"} for i in range(7)]


def answers_failing_once_at(start_failing: int) -> tuple[list[dict[str, str]], Any]:
    """Survey answers 3 a page (cursors are offsets); the page at ``start_failing`` fails once (400)."""
    asked: list[dict[str, str]] = []
    left = {"failures": 1}

    def app(request: httpx.Request) -> httpx.Response:
        q = query(request)
        asked.append(q)
        start = int(q.get("pageID", "0"))
        if start == start_failing and left["failures"]:
            left["failures"] -= 1
            return httpx.Response(400, json={"message": "try later"})
        nxt = start + 3 if start + 3 < len(ANSWERS) else None
        return httpx.Response(200, json={"surveyAnswers": ANSWERS[start:start + 3], "nextPageID": nxt and str(nxt)})

    return asked, app


def test_a_fetch_that_fails_part_way_says_where_to_resume() -> None:
    asked, app = answers_failing_once_at(6)
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        with pytest.raises(mdh.BadRequestError) as info:
            session.survey_answers(survey_name="PHQ-9")
        state = info.value.pager_state
        assert state is not None and (state.kind, state.cursor, state.pages, state.records) == \
            ("survey_answers", "6", 2, 6)
        before = len(asked)
        rest = list(session.pager("survey_answers", resume=state, survey_name="PHQ-9"))
        assert rest == ANSWERS[6:]
        assert [q.get("pageID") for q in asked[before:]] == ["6"] and asked[-1]["surveyName"] == "PHQ-9"
    assert mdh.InvalidArgumentError("x").pager_state is None  # only a read that stopped part-way has one


def test_a_state_resumes_only_its_own_kind_and_filters() -> None:
    asked, app = answers_failing_once_at(3)
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read", "SurveyTasks:read"])
        pager = session.pager("survey_answers", survey_name="PHQ-9")
        with pytest.raises(mdh.BadRequestError):
            list(pager)
        before = len(asked)
        with pytest.raises(mdh.InvalidArgumentError, match="belongs to survey_answers with other filters; resume "
                           "with the kind and the filters the state came from"):
            session.pager("survey_answers", resume=pager.state, survey_name="GAD-7")
        with pytest.raises(mdh.InvalidArgumentError, match="survey_tasks: this PagerState belongs to survey_answers"):
            session.pager("survey_tasks", resume=pager.state)
        with pytest.raises(mdh.InvalidArgumentError, match="belongs to no pull"):
            session.pager("survey_answers", resume=mdh.PagerState(cursor="3"), survey_name="PHQ-9")
        assert len(asked) == before  # refused before any request
        assert list(session.pager("survey_answers", resume=pager.state, survey_name="PHQ-9")) == ANSWERS[3:]


def test_the_session_pager_checks_scope_token_and_filters_like_fetch() -> None:
    asked, app = answers_failing_once_at(-1)
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["SurveyTasks:read"])
        before = len(asked)
        with pytest.raises(mdh.ScopeError, match="SurveyAnswers:read"):
            session.pager("survey_answers")
        with pytest.raises(mdh.InvalidArgumentError, match="service account"):
            session.pager("participants")
        with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'survey_name'"):
            session.pager("survey_tasks", survey_nme="x")
        assert len(asked) == before


def test_the_session_pager_over_the_sandbox(config: mdh.Config) -> None:
    with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config) as session:
        whole = session.survey_answers(survey_name=["PHQ-9", "DailyMood"])
        first = session.pager("survey_answers", survey_name=["PHQ-9", "DailyMood"])
        head = next(iter(first.pages))
        rest = session.pager("survey_answers", resume=first.state, survey_name=["PHQ-9", "DailyMood"])
        ids = [r["id"] for r in head] + [r["id"] for r in rest]
    assert first.state.pages == 1 and rest.state.done and rest.state.pages > 1
    assert ids == list(whole["id"])
