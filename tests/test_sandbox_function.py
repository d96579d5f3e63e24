"""mdh.sandbox(...): a sandbox of one's own with chosen options, whose Config connect() takes."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import mdh_notebook as mdh


def test_short_tokens_renew_visibly_and_options_shape_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    config = mdh.sandbox(participant_token_lifetime=4, participants=3, days=20, seed=5)
    announced = capsys.readouterr().err  # a terminal: the information line goes to stderr, stdout stays clean
    assert "sandbox started at " + config.base_url in announced and "participant_token_lifetime=4" in announced
    assert config.source == "sandbox at " + config.base_url and "PRIVATE" not in repr(config)
    with mdh.open_client(config) as client:
        assert sorted(client.participants()["participant_identifier"]) == ["PT-0001", "PT-0002", "PT-0003"]
    events: list[mdh.RenewalEvent] = []
    with mdh.connect("PT-0002", ["SurveyAnswers:read"], config=config, on_renew=events.append) as session:
        assert session.token is not None and session.token.lifetime == pytest.approx(4, abs=1)
        first = session.survey_answers()
        time.sleep(4.2)  # past the token's expiry: the next call renews before it sends
        again = session.survey_answers()
        assert session.renewals >= 1 and events and events[-1].kind == "participant"
    assert len(first) == len(again) > 0
    mdh.stop_sandbox(config)
    with pytest.raises(mdh.TransportError), mdh.open_client(config) as client:
        client.participants()
    with pytest.raises(mdh.ConfigurationError, match="stop_sandbox takes the Config"):
        mdh.stop_sandbox(config)
    assert again["date"].max() - again["date"].min() <= pd.Timedelta(days=21)  # days=20 shaped the data


def test_same_seed_same_data_and_a_new_server_each_call() -> None:
    one, two = mdh.sandbox(seed=9, days=10, participants=2), mdh.sandbox(seed=9, days=10, participants=2)
    assert one.base_url != two.base_url
    frames = []
    for config in (one, two):
        with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config) as session:
            frames.append(session.survey_answers().drop(columns=["participant_id", "survey_result_id", "id"]))
    assert frames[0].equals(frames[1])
    mdh.stop_sandbox(one)
    mdh.stop_sandbox(two)


@pytest.mark.parametrize(("options", "names"), [
    ({"seeed": 1}, ["'seeed'", "choose from seed"]),
    ({"days": -1}, ["days must be", "-1"]),
    ({"participant_token_lifetime": "soon"}, ["participant_token_lifetime"]),
])
def test_bad_options_name_the_fix(options: dict[str, object], names: list[str]) -> None:
    with pytest.raises(mdh.ConfigurationError) as caught:
        mdh.sandbox(**options)
    assert all(name in str(caught.value) for name in names), str(caught.value)
