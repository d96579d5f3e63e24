"""Tokens and private keys never appear in a repr, a log line or an exception."""

from __future__ import annotations

import logging

import httpx
import pytest

import mdh_notebook as mdh
from mdh_notebook.sandbox import SandboxServer


def test_nothing_secret_in_reprs_logs_or_errors(sandbox: SandboxServer, config: mdh.Config,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with mdh.Client(config) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"], on_renew=lambda e: texts.append(repr(e)))
        session.survey_answers(survey_name="PHQ-9")
        assert session.token is not None and client.service_tokens.token is not None
        secrets = [session.token.value, client.service_tokens.token.value]
        httpx.post(sandbox.url + "_sandbox/clock", json={"advance": 7200})
        session.survey_answers(survey_name="PHQ-9")  # 401 → renewal path, logged at DEBUG
        for error_call in (lambda: session.fitbit_sleep_logs(), lambda: client.connect("PT-0404", ["api"]),
                           lambda: session.survey_answers(after="not a date")):
            with pytest.raises(mdh.MDHError) as info:
                error_call()
            texts.append(str(info.value))
        texts += [repr(session), repr(client), repr(client.config), repr(session.token), repr(session.tokens),
                  repr(session.auth), str(session.__dict__), str(client.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    secrets.append(sandbox.credentials.private_key_pem.splitlines()[1])
    secrets.append(repr(sandbox.credentials))
    blob = "\n".join(texts)
    for secret in secrets[:-1]:
        assert secret not in blob
    assert "BEGIN RSA" not in blob
    assert "BEGIN RSA" not in secrets[-1]  # the sandbox's credentials repr hides the key too
