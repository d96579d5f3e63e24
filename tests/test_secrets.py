"""Tokens and private keys never appear in a repr, a log line or an exception."""

from __future__ import annotations

import logging

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


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
        assert session.token is not None and client.service_tokens.token is not None
        secrets += [session.token.value, client.service_tokens.token.value]  # the renewed ones too
        assert len(set(secrets)) == 4
        for error_call in (lambda: session.fitbit_sleep_logs(), lambda: client.connect("PT-0404", ["api"]),
                           lambda: session.survey_answers(after="not a date")):
            with pytest.raises(mdh.MDHError) as info:
                error_call()
            texts.append(str(info.value))
        wrong_key = mdh.Config.from_values(base_url=config.base_url, service_account=config.service_account,
                                           project_id=config.project_id, private_key=OTHER_KEY)
        with pytest.raises(mdh.TokenRequestError) as refused:
            mdh.connect("PT-0001", ["api"], config=wrong_key)
        texts.append(str(refused.value))
        assert refused.value.error == "invalid_client"
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
