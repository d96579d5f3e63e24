"""The cache through an authenticator (no service key, no project id in the process): the site is
the API the authenticator's tokens are for; a warm re-run is one data request and the cold frame;
neither the API key nor a token reaches the cache files."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pandas as pd
from suite import SUITE_BUDGETS, config_for, one_grant

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, TokenService
from mdh_notebook.emulator import SandboxServer

API_KEY = "notebook-" + secrets.token_urlsafe(24)
ANSWERS = "GET /api/v1/delegated/surveyanswers"


def test_a_session_through_an_authenticator_keeps_its_cache_without_the_key(tmp_path: Path) -> None:
    with SandboxServer(participants=2, days=60, **SUITE_BUDGETS).start() as sandbox:
        service = TokenService(mdh.Client(config_for(sandbox), rate_limit_wait=0),
                               one_grant(API_KEY, ["SurveyAnswers:read"]), owns_client=True)
        with AuthenticatorServer(service).start() as server:
            def count() -> int:
                return int(httpx.get(sandbox.url + "_sandbox/stats").json()["requests"].get(ANSWERS, 0))

            with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config_for(sandbox)) as plain:
                expected = plain.survey_answers(progress=False)
            with mdh.connect("PT-0001", ["SurveyAnswers:read"], authenticator=server.url, api_key=API_KEY,
                             cache_dir=tmp_path, parallel=1) as session:
                assert session.client.parallel == 1
                cold = session.survey_answers(progress=False)
                before = count()
                warm = session.survey_answers(progress=False)
                assert count() - before == 1
                token = session.token
        service.close()
    assert (cold.attrs["cache"], warm.attrs["cache"]) == ("cold", "warm") and cold.attrs["pages"] > 1
    pd.testing.assert_frame_equal(warm, expected)
    assert token is not None
    for file in (p for p in tmp_path.rglob("*") if p.is_file()):
        data = file.read_bytes()
        assert API_KEY.encode() not in data and token.value.encode() not in data, file
