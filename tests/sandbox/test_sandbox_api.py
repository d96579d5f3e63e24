"""Admin and delegated endpoints: auth (401/403), 404/405, RateLimit headers, 429, payload shapes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxServer

RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def _rate(response: httpx.Response) -> tuple[int, int, int]:
    limit, remaining, reset = (int(response.headers[name]) for name in RATE_HEADERS)
    return limit, remaining, reset


def _unauthorized(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert response.headers["content-type"].startswith("application/json")
    _rate(response)
    return str(response.json()["message"])


def test_401_cases(proto: Proto) -> None:
    path = "api/v1/delegated/participant"
    assert "missing" in _unauthorized(proto.http.get(path))
    _unauthorized(proto.http.get(path, headers={"Authorization": "Bearer"}))
    _unauthorized(proto.http.get(path, headers={"Authorization": "Basic dXNlcjpwdw=="}))
    _unauthorized(proto.get(path, "garbage.token.value"))
    # a token with the right shape signed by another key
    real = jwt.decode(proto.participant_token(), options={"verify_signature": False})
    forged = jwt.encode(real, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256")
    _unauthorized(proto.get(path, forged))
    _unauthorized(proto.get(f"{proto.admin}/participants", forged))


def test_403_wrong_kind_and_scope(proto: Proto) -> None:
    service = proto.service_token()
    narrow = proto.participant_token("PT-0001", "Participant:read")
    wrong_kind = proto.get("api/v1/delegated/surveyanswers", service)
    assert wrong_kind.status_code == 403 and "participant" in wrong_kind.json()["message"]
    _rate(wrong_kind)
    admin_with_participant = proto.get(f"{proto.admin}/participants", narrow)
    assert admin_with_participant.status_code == 403
    assert "service" in admin_with_participant.json()["message"]
    missing_scope = proto.get("api/v1/delegated/surveyanswers", narrow)
    assert missing_scope.status_code == 403
    assert "requires scope SurveyAnswers:read" in missing_scope.json()["message"]
    assert proto.get("api/v1/delegated/fitbit/sleepLogs", narrow).status_code == 403
    assert proto.get("api/v1/delegated/participant", narrow).status_code == 200
    read_all = proto.participant_token("PT-0001", "user/*.read")
    for path in ("participant", "surveyanswers", "fitbit/sleepLogs"):
        assert proto.get(f"api/v1/delegated/{path}", read_all).status_code == 200


def test_404_405_and_project_checks(proto: Proto) -> None:
    service = proto.service_token()
    missing = proto.get(f"{proto.admin}/participants/PT-9999", service)
    assert missing.status_code == 404 and "PT-9999" in missing.json()["message"]
    _rate(missing)
    other_project = proto.get(f"api/v1/administration/projects/{uuid.uuid4()}/participants", service)
    assert other_project.status_code == 403
    assert proto.get("api/v1/administration/projects/not-a-guid/participants", service).status_code == 404
    unknown = proto.get("api/v1/delegated/nothing-here", service)
    assert unknown.status_code == 404 and "message" in unknown.json()
    _rate(unknown)
    assert proto.http.get("nowhere").status_code == 404
    post = proto.http.post("api/v1/delegated/participant", headers={"Authorization": f"Bearer {service}"})
    assert post.status_code == 405 and "message" in post.json()
    # ASP.NET-style case-insensitive literal segments
    assert proto.get(f"{proto.admin}/PARTICIPANTS/PT-0001", service).status_code == 200


def test_rate_headers_on_every_response(proto: Proto) -> None:
    token = proto.participant_token("PT-0006", "Participant:read")
    responses = [
        proto.get("api/v1/delegated/participant", token),  # 200
        proto.get("api/v1/delegated/surveyanswers", token),  # 403
        proto.get("api/v1/delegated/participant", token, limit="x"),  # 200 (unused param)
        proto.get("api/v1/delegated/participant", token),
    ]
    states = [_rate(r) for r in responses]
    assert [s[0] for s in states] == [10000] * 4
    assert [s[1] for s in states] == [9999, 9998, 9997, 9996]
    assert all(0 < s[2] <= 3600 for s in states)
    api = proto.participant_token("PT-0006", "api")
    assert _rate(proto.get("api/v1/delegated/surveyanswers", api, limit="0"))[1] == 9995  # a 400


@pytest.fixture(scope="module")
def tiny() -> Iterator[Proto]:
    with SandboxServer(seed=0, rate_limit=3, admin_rate_limit=5, participant_token_lifetime=120,
                       service_token_lifetime=300) as server:
        proto = Proto(server)
        yield proto
        proto.http.close()


def test_429_when_budget_spent(tiny: Proto) -> None:
    tiny.server.reset()
    service = tiny.service_token()
    first = tiny.token_request(tiny.delegated_form(tiny.participant_id("PT-0001", service), service, "api"))
    assert first.json()["expires_in"] == 120
    token = first.json()["access_token"]
    remaining = [_rate(tiny.get("api/v1/delegated/participant", token))[1] for _ in range(3)]
    assert remaining == [2, 1, 0]
    limited = tiny.get("api/v1/delegated/participant", token)
    assert limited.status_code == 429
    limit, left, reset = _rate(limited)
    assert (limit, left) == (3, 0) and 0 < reset <= 3600
    assert "rate limit" in limited.json()["message"]
    assert tiny.get("api/v1/delegated/surveyanswers", token).status_code == 429
    # another participant has its own budget
    other = tiny.participant_token("PT-0002", "api")
    assert tiny.get("api/v1/delegated/participant", other).status_code == 200
    # the admin budget is per project: 5 per hour; participant_id() + participant_token() spent 2
    admin_used = [_rate(tiny.get(f"{tiny.admin}/participants", service)) for _ in range(3)]
    assert [r[1] for r in admin_used] == [2, 1, 0] and admin_used[0][0] == 5
    assert tiny.get(f"{tiny.admin}/participants", service).status_code == 429
    # a new hourly window restores the budget (the 120 s token has expired by then: fetch anew)
    tiny.server.advance_clock(3600)
    fresh = tiny.participant_token("PT-0001", "api")
    assert _rate(tiny.get("api/v1/delegated/participant", fresh))[1] == 2


def test_service_lifetime_from_config(tiny: Proto) -> None:
    tiny.server.reset()
    response = tiny.token_request(tiny.service_form())
    assert response.json()["expires_in"] == 300


def test_admin_participant_list(proto: Proto) -> None:
    service = proto.service_token()
    body = proto.get(f"{proto.admin}/participants", service).json()
    assert set(body) == {"participants", "totalParticipants", "pageNumber"}
    assert body["totalParticipants"] == 12 and body["pageNumber"] == 0
    everyone = body["participants"]
    identifiers = [p["participantIdentifier"] for p in everyone]
    assert sorted(identifiers) == [f"PT-{i:04d}" for i in range(1, 13)]
    inserted = [p["insertedDate"] for p in everyone]
    assert inserted == sorted(inserted)  # default InsertedDate ascending (same "+00:00" form)
    paged: list[str] = []
    for number in range(4):
        page = proto.get(f"{proto.admin}/participants", service, pageNumber=number, pageSize=5).json()
        assert page["pageNumber"] == number and page["totalParticipants"] == 12
        paged += [p["participantIdentifier"] for p in page["participants"]]
    assert paged == identifiers
    by_id = proto.get(f"{proto.admin}/participants", service, sortBy="ParticipantIdentifier",
                      sortAscending="false").json()["participants"]
    assert [p["participantIdentifier"] for p in by_id] == sorted(identifiers, reverse=True)
    assert len(proto.get(f"{proto.admin}/participants", service, pageSize=500).json()["participants"]) == 12
    assert proto.get(f"{proto.admin}/participants", service, pageSize=0).status_code == 400
    assert proto.get(f"{proto.admin}/participants", service, sortBy="Shoe").status_code == 400
    found = proto.get(f"{proto.admin}/participants", service, query="pt-000").json()
    assert found["totalParticipants"] == 9
    someone = next(p for p in everyone if p["demographics"])
    email = someone["demographics"]["email"]
    by_email = proto.get(f"{proto.admin}/participants", service, query=email.upper()[2:-4]).json()
    assert someone["participantIdentifier"] in [p["participantIdentifier"] for p in by_email["participants"]]
    last = someone["demographics"]["lastName"]
    by_name = proto.get(f"{proto.admin}/participants", service, query=last.lower()).json()["participants"]
    assert all(last.lower() in (p["demographics"] or {}).get("lastName", "").lower() or
               last.lower() in (p["demographics"] or {}).get("email", "") for p in by_name)


ADMIN_KEYS = {"id", "participantIdentifier", "linkIdentifier", "enrolled", "enrollmentDate", "insertedDate",
              "demographics", "customFields"}
ADMIN_OPTIONAL_KEYS = {"secondaryIdentifier", "withdrawDate", "invitationStatus"}


def test_admin_participant_objects(proto: Proto) -> None:
    service = proto.service_token()
    everyone = proto.get(f"{proto.admin}/participants", service).json()["participants"]
    assert all(ADMIN_KEYS <= set(p) <= ADMIN_KEYS | ADMIN_OPTIONAL_KEYS for p in everyone)
    assert sum(p["demographics"] is None for p in everyone) == 1
    withdrawn = [p for p in everyone if p.get("withdrawDate")]
    assert len(withdrawn) == 1 and withdrawn[0]["enrolled"] is False
    zones = set()
    for p in everyone:
        uuid.UUID(p["id"])
        assert all(isinstance(v, str) for v in p["customFields"].values())
        demo = p["demographics"]
        if demo is None:
            continue
        assert all(isinstance(v, str) and v for v in demo.values())
        assert {"email", "firstName", "lastName", "timeZone", "utcOffset"} <= set(demo)
        assert demo.get("gender", "M") in {"M", "F", "O"}
        assert re.fullmatch(r"-?\d\d:\d\d:\d\d", demo["utcOffset"])
        ZoneInfo(demo["timeZone"])
        zones.add(demo["timeZone"])
    assert len(zones) >= 5
    one = proto.get(f"{proto.admin}/participants/PT-0004", service).json()
    assert one == next(p for p in everyone if p["participantIdentifier"] == "PT-0004")


def test_delegated_participant_info(proto: Proto) -> None:
    service = proto.service_token()
    admin = proto.get(f"{proto.admin}/participants/PT-0001", service).json()
    info = proto.get("api/v1/delegated/participant", proto.participant_token("PT-0001", "Participant:read")).json()
    assert set(info) == {"participantID", "projectID", "participantIdentifier", "secondaryIdentifier",
                         "linkIdentifier", "demographics", "customFields", "enrollmentDate"}
    assert info["participantID"] == admin["id"] and info["projectID"] == proto.creds.project_id
    assert info["demographics"]["unsubscribedFromEmails"] in ("true", "false")
    assert info["demographics"]["unsubscribedFromSms"] in ("true", "false")
    assert {k: v for k, v in info["demographics"].items() if not k.startswith("unsubscribed")} == admin["demographics"]
    assert info["customFields"] == admin["customFields"]
    null_demo = next(p for p in proto.get(f"{proto.admin}/participants", service).json()["participants"]
                     if p["demographics"] is None)
    info4 = proto.get("api/v1/delegated/participant",
                      proto.participant_token(null_demo["participantIdentifier"], "api")).json()
    assert info4["demographics"] == {}



def test_unauthenticated_calls_are_401_and_spend_nothing(tiny: Proto) -> None:
    """Junk, missing or expired tokens get 401 before any rate limiting: never 429, no budget spent."""
    tiny.server.reset()
    token = tiny.participant_token("PT-0001", "api")
    service = tiny.service_token()
    tiny.server.advance_clock(121)  # the 120 s participant token has expired; the service one has not
    fresh = tiny.participant_token("PT-0001", "api")
    expired = token
    for path in ("api/v1/delegated/participant", "api/v1/delegated/surveyanswers", f"{tiny.admin}/participants"):
        for auth in (None, "junk.token.value", expired):
            for _ in range(4):  # more than the budget of 3 (delegated) and 5 (admin, 2 spent above)
                response = tiny.get(path, auth)
                _unauthorized(response)
                limit, remaining, _ = _rate(response)
                assert remaining == limit, "an unauthenticated call must not spend a budget"
    # the participant's own budget is whole
    assert [_rate(tiny.get("api/v1/delegated/participant", fresh))[1] for _ in range(3)] == [2, 1, 0]
    assert tiny.get("api/v1/delegated/participant", fresh).status_code == 429
    # once the budget is spent, a bad token is still a 401, not a 429
    _unauthorized(tiny.get("api/v1/delegated/participant", "junk"))
    assert tiny.get(f"{tiny.admin}/participants", service).status_code == 200
    # unknown paths: 404 with the (untouched) anonymous budget's headers
    unknown = tiny.get("api/v1/delegated/nothing-here")
    assert unknown.status_code == 404 and _rate(unknown)[1] == _rate(unknown)[0]


def test_trailing_slashes_and_encoded_slashes_are_404(proto: Proto) -> None:
    service = proto.service_token()
    participant = proto.participant_token("PT-0001", "api")
    cases = [
        (f"{proto.admin}/participants/%2F", service, "participant '/' not found"),
        (f"{proto.admin}/participants/PT%2F0001", service, "participant 'PT/0001' not found"),
        (f"{proto.admin}/participants/PT-0001%2F", service, "participant 'PT-0001/' not found"),
        (f"{proto.admin}/participants/", service, "no such endpoint"),
        (f"{proto.admin}/participants/PT-0001/", service, "no such endpoint"),
        (f"{proto.admin}/participants/PT-0001/extra", service, "no such endpoint"),
        ("api/v1/delegated/surveyanswers/", participant, "no such endpoint"),
        ("api/v1/delegated/participant/", participant, "no such endpoint"),
    ]
    for path, token, message in cases:
        response = proto.get(path, token)
        assert response.status_code == 404, (path, response.status_code)
        assert "location" not in response.headers
        assert message in response.json()["message"], (path, response.json())
        _rate(response)
    # percent-encoded ordinary characters still name the participant
    assert proto.get(f"{proto.admin}/participants/PT%2D0001", service).json()["participantIdentifier"] == "PT-0001"


def test_repeated_slashes_count_as_one(proto: Proto) -> None:
    """The official Python quickstart sends ``//api/v1/administration/...``: a run of slashes is one,
    on every route (the token endpoint too); encoded slashes are data and stay as they are."""
    base = proto.creds.base_url  # ends with "/": base + "/api/..." starts the path with "//"
    token = proto.http.post(base + "/identityserver//connect/token", data=proto.service_form())
    assert token.status_code == 200, token.text
    service = token.json()["access_token"]
    headers = {"Authorization": f"Bearer {service}"}
    listed = proto.http.get(f"{base}/{proto.admin}/participants", headers=headers)
    assert listed.status_code == 200 and listed.json()["totalParticipants"] == 12
    assert listed.request.url.raw_path.startswith(b"//api/v1/administration/")
    one = proto.http.get(f"{base}//{proto.admin.replace('/', '//')}//participants///PT-0002", headers=headers)
    assert one.status_code == 200 and one.json()["participantIdentifier"] == "PT-0002"
    participant = proto.participant_token("PT-0001", "Participant:read")
    info = proto.http.get(base + "/api/v1//delegated/participant", headers={"Authorization": f"Bearer {participant}"})
    assert info.status_code == 200 and info.json()["participantIdentifier"] == "PT-0001"
    kept = proto.http.get(f"{base}/{proto.admin}/participants/PT%2F%2F0001", headers=headers)
    assert kept.status_code == 404 and "'PT//0001' not found" in kept.json()["message"]
    assert proto.http.get(f"{base}/{proto.admin}/participants//", headers=headers).status_code == 404  # one "/" left
    assert proto.http.get(base + "//_sandbox/health").json() == {"status": "ok"}
    counted = proto.server.stats()["requests"]
    assert counted["GET /api/v1/administration/projects/{projectId}/participants/{participantIdentifier}"] >= 2
    assert counted["POST /identityserver/connect/token"] >= 1


def test_stray_percent_signs_in_paths(proto: Proto) -> None:
    service = proto.service_token()
    base = proto.creds.base_url + proto.admin
    for raw, expected in (("PT%25-1", "PT%-1"), ("PT%-1", "PT%-1"), ("%25%32F", "%2F"), ("%C3%A9", "é")):
        response = proto.http.get(f"{base}/participants/{raw}", headers={"Authorization": f"Bearer {service}"})
        assert response.status_code == 404, raw
        assert f"participant {expected!r} not found" in response.json()["message"], (raw, response.json())
