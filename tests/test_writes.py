"""Writes as catalogue operations: bodies, filled paths, scope before any request, never retried."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fakes import client as fake_client
from fakes import query

import mdh_notebook as mdh
from mdh_notebook.kinds import Operation, Param
from mdh_notebook.methods import write_method

PERSIST = Operation(name="persist_points", method="POST", path="api/v1/delegated/devicedata", token="participant",
                    scope="DeviceData:write", body="json", doc="Store device data points.")
DELETE = Operation(name="delete_point", method="DELETE", path="api/v1/delegated/devicedata/{id}",
                   token="participant", scope="DeviceData:write", doc="Delete one point.")
UPLOAD = Operation(name="put_bytes", method="PUT", path="api/v1/delegated/files/{category}/{key}",
                   token="participant", scope="File:write", body="bytes",
                   params=(Param("file_name", "fileName", "str", "the file's name", required=True),))
CONNECT = Operation(name="connect_provider", method="POST",
                    path="api/v1/delegated/externalaccountproviders/{id}/connect", token="participant",
                    scope="ExternalAccounts:connect",
                    params=(Param("final_redirect", "finalRedirectPath", "str", "where to land"),))


class Recorder:
    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.status, self.body = status, body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.body is None:
            return httpx.Response(self.status)
        return httpx.Response(self.status, json=self.body)


def test_a_json_body_goes_out_and_an_empty_answer_is_none() -> None:
    app = Recorder()
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:write"])
        points = [{"type": "Weight", "value": "70", "units": "kg"}]
        assert session.call(PERSIST, json=points) is None
    sent = app.requests[-1]
    assert sent.method == "POST" and sent.url.path == "/api/v1/delegated/devicedata"
    assert json.loads(sent.content) == points and sent.headers["content-type"] == "application/json"
    assert sent.headers["authorization"] == "Bearer t"


def test_path_placeholders_are_percent_encoded_and_the_json_answer_decoded() -> None:
    app = Recorder(body="https://provider.example/authorize?x=1")
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["ExternalAccounts:connect"])
        url = session.call(CONNECT, path={"id": "a/b c"}, params={"final_redirect": "https://app/done"})
    assert url == "https://provider.example/authorize?x=1"
    assert app.requests[-1].url.raw_path.startswith(b"/api/v1/delegated/externalaccountproviders/a%2Fb%20c/connect?")
    assert query(app.requests[-1]) == {"finalRedirectPath": "https://app/done"}


@pytest.mark.parametrize("kwargs, message", [
    ({}, r"needs id= \(a non-empty string or an integer\)"),
    ({"path": {"id": ""}}, "needs id="),
    ({"path": {"id": 1, "other": 2}}, "unknown path argument"),
    ({"path": {"id": 1}, "json": {"a": 1}}, "sends no body; leave out json="),
])
def test_bad_calls_are_refused_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    app = Recorder()
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:write"])
        before = len(app.requests)
        with pytest.raises(mdh.InvalidArgumentError, match=message):
            session.call(DELETE, **kwargs)
        with pytest.raises(mdh.ScopeError, match="File:write"):
            session.call(UPLOAD, path={"category": "c", "key": "k"}, params={"file_name": "a.txt"}, content=b"x")
        with pytest.raises(mdh.InvalidArgumentError, match="JSON body"):
            session.call(PERSIST)
        assert len(app.requests) == before


def test_writes_are_sent_once_on_a_5xx_and_reads_are_retried() -> None:
    app = Recorder(status=503)
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:write", "SurveyAnswers:read"])
        before = len(app.requests)
        with pytest.raises(mdh.ServerError):
            session.call(PERSIST, json=[])
        assert len(app.requests) - before == 1, "a write is never retried"
        before = len(app.requests)
        with pytest.raises(mdh.ServerError):
            session.survey_answers()
        assert len(app.requests) - before == 3, "a GET is retried twice"


def test_a_generated_write_method_takes_placeholders_body_and_filters() -> None:
    app = Recorder(status=204)
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:write", "File:write"])
        delete = write_method(DELETE).__get__(session)
        assert delete("1234") is None
        assert app.requests[-1].method == "DELETE" and app.requests[-1].url.path.endswith("/devicedata/1234")
        put = write_method(UPLOAD).__get__(session)
        put("notes", "k 1", b"\x00bytes", file_name="a.txt")
        sent = app.requests[-1]
        assert sent.content == b"\x00bytes" and sent.url.raw_path.startswith(b"/api/v1/delegated/files/notes/k%201?")
        assert query(sent) == {"fileName": "a.txt"}
        with pytest.raises(mdh.InvalidArgumentError, match="needs file_name="):
            put("notes", "k", b"")
        with pytest.raises(mdh.InvalidArgumentError, match="needs key, content"):
            put("notes")
    import inspect

    assert str(inspect.signature(write_method(UPLOAD))) == \
        "(self, category: 'str | int', key: 'str | int', content: 'bytes', *, file_name: 'str') -> 'Any'"


def test_the_generated_stub_of_a_write() -> None:
    from mdh_notebook._stubgen import render_method

    stub = render_method(UPLOAD)
    assert stub.startswith("    def put_bytes(\n        self,\n        category: str | int,\n        key: str | int,\n"
                           "        content: bytes,\n        *,\n        file_name: str,\n    ) -> Any:\n")
    assert "Needs scope ``File:write``" in stub


def test_writes_need_a_participant_token_entry_to_be_called_on_a_session() -> None:
    admin = Operation(name="update_participants", method="PUT",
                      path="api/v1/administration/projects/{project_id}/participants", token="service", scope="",
                      body="json")
    app = Recorder(body={"actionTaken": "Update"})
    with fake_client(app) as client:
        session = client.connect("PT-0001", ["api"])
        with pytest.raises(mdh.InvalidArgumentError, match="service account"):
            session.call(admin, json={"participantIdentifier": "PT-0001"})
        assert client.call(admin, json={"participantIdentifier": "PT-0001"}) == {"actionTaken": "Update"}
    assert app.requests[-1].url.path == "/api/v1/administration/projects/proj/participants"
