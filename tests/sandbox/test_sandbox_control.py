"""The control plane: health, stats, reset, clock."""

from __future__ import annotations

import pytest
from sandbox_protocol import Proto


def test_health(proto: Proto) -> None:
    response = proto.http.get("_sandbox/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "RateLimit-Limit" not in response.headers


def test_stats_count_requests_by_template(proto: Proto) -> None:
    proto.http.post("_sandbox/reset")
    service = proto.service_token()  # 1 token request
    pid = proto.participant_id("PT-0002", service)  # 1 admin GET
    proto.get(f"{proto.admin}/participants/PT-0404", service)  # 404
    delegated = proto.token_request(proto.delegated_form(pid, service, "SurveyAnswers:read"))
    token = delegated.json()["access_token"]
    proto.get("api/v1/delegated/surveyanswers", token, limit=2)
    proto.get("api/v1/delegated/participant", token)  # 403 (scope)
    proto.get("api/v1/delegated/nope", token)  # 404 unmatched
    proto.token_request({"grant_type": "nope"})  # 400
    proto.http.get("_sandbox/health")  # not counted
    stats = proto.http.get("_sandbox/stats").json()
    assert stats == {
        "requests": {
            "GET (unmatched)": 1,
            "GET /api/v1/administration/projects/{projectId}/participants/{participantIdentifier}": 2,
            "GET /api/v1/delegated/participant": 1,
            "GET /api/v1/delegated/surveyanswers": 1,
            "POST /identityserver/connect/token": 3,
        },
        "responses": {"200": 4, "400": 1, "403": 1, "404": 2},
        "tokens_issued": {"client_credentials": 1, "delegated_participant": 1},
        "faults_injected": {"error": 0, "drop": 0, "throttle": 0, "expire": 0, "latency": 0},
        "cors": {"preflights": 0, "preflights_refused": 0, "cross_origin": 0},
    }
    assert proto.server.stats() == stats
    proto.http.post("_sandbox/reset")
    assert proto.http.get("_sandbox/stats").json() == {
        "requests": {},
        "responses": {},
        "tokens_issued": {"client_credentials": 0, "delegated_participant": 0},
        "faults_injected": {"error": 0, "drop": 0, "throttle": 0, "expire": 0, "latency": 0},
        "cors": {"preflights": 0, "preflights_refused": 0, "cross_origin": 0},
    }


def test_clock_advances_and_resets(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert proto.http.get("_sandbox/clock").json() == {"offset": 0.0}
    moved = proto.http.post("_sandbox/clock", json={"advance": 1800})
    assert moved.status_code == 200 and moved.json() == {"offset": 1800.0}
    assert proto.get("api/v1/delegated/participant", token).status_code == 200
    assert proto.http.post("_sandbox/clock", json={"advance": 1800.5}).json() == {"offset": 3600.5}
    assert proto.get("api/v1/delegated/participant", token).status_code == 401
    for bad in ({"advance": -1}, {"advance": "soon"}, {}, [1]):
        response = proto.http.post("_sandbox/clock", json=bad)
        assert response.status_code == 400 and "message" in response.json()
    assert proto.http.post("_sandbox/clock", content=b"{not json").status_code == 400
    # tokens issued on the shifted clock carry that time; expires_in is still the full lifetime
    fresh = proto.token_request(proto.service_form()).json()
    assert fresh["expires_in"] == 3600
    proto.http.post("_sandbox/reset")
    assert proto.http.get("_sandbox/clock").json() == {"offset": 0.0}


def test_reset_restores_rate_budget_and_jti_cache(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    proto.get("api/v1/delegated/participant", token)
    second = proto.get("api/v1/delegated/participant", token)
    assert second.headers["RateLimit-Remaining"] == "9998"
    assertion = proto.assertion()
    assert proto.token_request(proto.service_form(assertion)).status_code == 200
    assert proto.token_request(proto.service_form(assertion)).status_code == 400
    assert proto.http.post("_sandbox/reset").json() == {"status": "reset"}
    assert proto.get("api/v1/delegated/participant", token).headers["RateLimit-Remaining"] == "9999"
    assert proto.token_request(proto.service_form(assertion)).status_code == 200


def test_routes_listing(proto: Proto) -> None:
    routes = proto.http.get("_sandbox/routes").json()
    assert routes["token"] == {"method": "POST", "path": "/identityserver/connect/token"}
    table = {(r["method"], r["path"]): (r["token"], r["scope"]) for r in routes["api"]}
    assert table[("GET", "/api/v1/delegated/surveyanswers")] == ("participant", "SurveyAnswers:read")
    assert table[("GET", "/api/v1/delegated/fitbit/sleepLogs")] == ("participant", "FitbitSleepLogs:read")
    assert table[("GET", "/api/v1/administration/projects/{projectId}/participants")] == ("service", "api")


def test_clock_refuses_absurd_jumps(proto: Proto) -> None:
    """Only a finite, non-negative advance keeping the total offset within 100 years is taken;
    anything else is a 400 that leaves the clock (and every later call) intact."""
    century = 100 * 365.25 * 86400
    for body in (b'{"advance": 1e308}', b'{"advance": 1e308}', b'{"advance": 1e999}', b'{"advance": -1e999}',
                 b'{"advance": NaN}', b'{"advance": Infinity}', b'{"advance": 1' + b"0" * 400 + b"}",
                 b'{"advance": true}', b"[" * 100_000, b"\xff\xfe", b'{"advance": ' + str(century + 1).encode() + b"}"):
        response = proto.http.post("_sandbox/clock", content=body)
        assert response.status_code in (400, 413), (body[:30], response.status_code)
        assert "message" in response.json()
    assert proto.http.get("_sandbox/clock").json() == {"offset": 0.0}
    assert proto.http.post("_sandbox/clock", json={"advance": century - 10}).status_code == 200
    over = proto.http.post("_sandbox/clock", json={"advance": 11})
    assert over.status_code == 400 and "100 years" in over.json()["message"]
    assert proto.http.post("_sandbox/clock", json={"advance": 10}).json() == {"offset": century}
    # the API still answers (the clock far ahead expires tokens; that is all)
    assert proto.token_request(proto.service_form()).status_code == 200
    assert proto.get("api/v1/delegated/participant", "junk").status_code == 401
    with pytest.raises(ValueError, match="100 years"):
        proto.server.advance_clock(1e308)
    with pytest.raises(ValueError):
        proto.server.advance_clock(float("nan"))
    proto.http.post("_sandbox/reset")
    big = proto.http.post("_sandbox/clock", content=b'{"advance": 1, "pad": "' + b"x" * 8000 + b'"}')
    assert big.status_code == 413
