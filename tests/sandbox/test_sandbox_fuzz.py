"""No request, however malformed, gets a 500: form fields, query parameters, headers, paths and
control-plane bodies drawn by hypothesis, against a sandbox of this module's own."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sandbox_protocol import JWT_BEARER, Proto

from mdh_notebook.emulator import SandboxServer

FUZZ = settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])

TOKEN_FIELDS = ["scope", "grant_type", "client_assertion_type", "client_assertion", "client_id", "client_secret",
                "participant_id", "token"]
QUERY_NAMES = ["limit", "pageID", "pageSize", "pageNumber", "sortBy", "sortAscending", "query", "surveyName",
               "surveyID", "surveyResultID", "stepIdentifier", "resultIdentifier", "answer", "event", "after",
               "before", "insertedAfter", "insertedBefore", "startDate", "endDate", "LIMIT", "PageId"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[Proto, dict[str, str]]]:
    with SandboxServer(seed=0, participants=3, days=20) as server:
        proto = Proto(server)
        service = proto.service_token()
        tokens = {
            "service": service,
            "participant": proto.participant_token("PT-0001", "api"),
            "narrow": proto.participant_token("PT-0002", "Participant:read"),
        }
        yield proto, tokens
        proto.http.close()


printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
nesting = st.one_of(st.integers(0, 6000), st.integers(1000, 6000), st.sampled_from([999, 1000, 3000, 5000]))
jwt_like = st.one_of(
    st.builds(lambda h, p, s: f"{_b64(h)}.{_b64(p)}.{s}", st.binary(max_size=80), st.binary(max_size=200),
              st.one_of(printable, st.binary(max_size=40).map(_b64))),
    nesting.map(lambda n: _b64(b'{"alg":"RS256"}') + "." + _b64(b"[" * n) + ".c2ln"),
    nesting.map(lambda n: _b64(b"[" * n) + "." + _b64(b"{}") + ".c2ln"),
    st.integers(0, 60_000).map(lambda n: "x" * n),
    st.builds(lambda claims: _b64(b'{"alg":"RS256","typ":"JWT"}') + "." + _b64(json.dumps(claims).encode()) + ".c2ln",
              st.dictionaries(st.sampled_from(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]),
                              st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                                        st.lists(st.integers(), max_size=3)))),
)
field_value = st.one_of(st.text(max_size=200), jwt_like,
                        st.sampled_from(["client_credentials", "delegated_participant", JWT_BEARER, "api", "secret",
                                         "MyDataHelps.DelegatedParticipant", "Participant:read", ""]))


NESTED_PAYLOAD = _b64(b'{"alg":"RS256"}') + "." + _b64(b"[" * 5000) + ".c2ln"
NESTED_HEADER = _b64(b"[" * 5000) + "." + _b64(b"{}") + ".c2ln"


@FUZZ
@example(grant="client_credentials", credential=NESTED_PAYLOAD, changes={}, dropped=set())
@example(grant="client_credentials", credential=NESTED_HEADER, changes={}, dropped=set())
@example(grant="client_credentials", credential="x" * 60_000, changes={}, dropped=set())
@example(grant="delegated_participant", credential=NESTED_PAYLOAD, changes={}, dropped=set())
@given(grant=st.sampled_from(["client_credentials", "delegated_participant"]),
       credential=st.one_of(st.none(), jwt_like, printable),
       changes=st.dictionaries(st.one_of(st.sampled_from(TOKEN_FIELDS), st.text(max_size=20)), field_value,
                               max_size=3),
       dropped=st.sets(st.sampled_from(TOKEN_FIELDS), max_size=2))
def test_token_endpoint_never_500(fuzzed: tuple[Proto, dict[str, str]], grant: str, credential: str | None,
                                  changes: dict[str, str], dropped: set[str]) -> None:
    """A valid form of either grant, its credential (assertion or service token) and a few other
    fields replaced by junk or left out."""
    proto, tokens = fuzzed
    if grant == "client_credentials":
        form = proto.service_form(credential)
    else:
        form = proto.delegated_form(proto.participant_id("PT-0001", tokens["service"]), credential or tokens["service"],
                                    "api")
    form = {k: v for k, v in {**form, **changes}.items() if k not in dropped}
    response = proto.token_request(form)
    assert response.status_code < 500, response.text


@FUZZ
@given(body=st.binary(max_size=3000),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", "",
                                     "application/x-www-form-urlencoded; charset=latin-1"]))
def test_token_endpoint_raw_bodies_never_500(fuzzed: tuple[Proto, dict[str, str]], body: bytes,
                                             content_type: str) -> None:
    proto, _ = fuzzed
    response = proto.http.post("identityserver/connect/token", content=body, headers={"Content-Type": content_type})
    assert response.status_code < 500, response.text


def _paths(project_id: str) -> list[str]:
    admin = f"api/v1/administration/projects/{project_id}"
    return [f"{admin}/participants", f"{admin}/participants/PT-0001", "api/v1/delegated/participant",
            "api/v1/delegated/surveyanswers", "api/v1/delegated/fitbit/sleepLogs", "api/v1/delegated/nothing",
            "api/v1/administration/projects/x/participants", "identityserver/connect/token", "_sandbox/stats"]


segment = st.one_of(st.text(max_size=12).map(lambda s: quote(s, safe="")),
                    st.sampled_from(["%2F", "%2f", "", "..", "%", "%ZZ", "PT-0001", "%00"]))


@FUZZ
@given(data=st.data(),
       params=st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=10)),
                                 st.one_of(st.text(max_size=80), printable, st.integers().map(str))), max_size=6),
       auth=st.one_of(st.none(), st.sampled_from(["service", "participant", "narrow"]), printable, jwt_like),
       extra=st.lists(segment, max_size=3), trailing=st.booleans(), method=st.sampled_from(["GET", "GET", "POST",
                                                                                             "DELETE", "HEAD"]))
def test_api_never_500(fuzzed: tuple[Proto, dict[str, str]], data: Any, params: list[tuple[str, str]],
                       auth: str | None, extra: list[str], trailing: bool, method: str) -> None:
    proto, tokens = fuzzed
    path = data.draw(st.sampled_from(_paths(proto.creds.project_id)))
    path = "/".join([path, *extra]) + ("/" if trailing else "")
    headers = {"Accept": "application/json"}
    if auth is not None:
        headers["Authorization"] = f"Bearer {tokens.get(auth, auth)}".strip()  # h11 sends no edge spaces
    response = proto.http.request(method, proto.creds.base_url + path, params=params, headers=headers)
    assert response.status_code < 500, (method, path, response.text[:300])


@FUZZ
@given(authorization=printable, host=st.one_of(st.none(), printable.filter(lambda h: h.strip() != "")))
def test_headers_never_500(fuzzed: tuple[Proto, dict[str, str]], authorization: str, host: str | None) -> None:
    proto, _ = fuzzed
    headers = {"Authorization": authorization}
    if host is not None:
        headers["Host"] = host
    try:
        response = proto.http.get("api/v1/delegated/surveyanswers", headers=headers)
        assert response.status_code < 500, response.text
        token = proto.token_request(proto.service_form(), headers=headers)
        assert token.status_code < 500, token.text
    except httpx.LocalProtocolError:  # a header value httpx itself refuses to send
        return


clock_body = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["advance", "x"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                              st.lists(st.integers(), max_size=2)),
                    max_size=2).map(lambda d: json.dumps(d).encode()),
)


@FUZZ
@example(bodies=[b'{"advance": 1e308}', b'{"advance": 1e308}'])
@given(bodies=st.lists(clock_body, min_size=1, max_size=3))
def test_clock_never_500(fuzzed: tuple[Proto, dict[str, str]], bodies: list[bytes]) -> None:
    proto, tokens = fuzzed
    try:
        for body in bodies:
            response = proto.http.post("_sandbox/clock", content=body)
            assert response.status_code < 500, response.text
        for path, token in (("api/v1/delegated/surveyanswers", tokens["participant"]),
                            (f"{proto.admin}/participants", tokens["service"]), ("api/v1/delegated/x", None)):
            after = proto.get(path, token)
            assert after.status_code < 500, after.text
        assert proto.token_request(proto.service_form()).status_code < 500
    finally:
        proto.server.reset()
