"""Cohorts against the real sandbox: the same rows as reading each participant one after another,
one admin listing for the lookup, identifiers in any form, repeats, the call's own mistakes."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cohort_helpers import joined, one_after_another, with_identifier
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import mdh_notebook as mdh
from mdh_notebook import _cohort_stubgen
from mdh_notebook._cohort_methods import read_kinds
from mdh_notebook.emulator import SandboxServer

LISTING = "GET /api/v1/administration/projects/{projectId}/participants"
ANSWERS = ["SurveyAnswers:read"]


def requests(server: SandboxServer) -> dict[str, int]:
    return dict(server.stats()["requests"])


def delegated_tokens(server: SandboxServer) -> int:
    return int(server.stats()["tokens_issued"]["delegated_participant"])


@pytest.fixture(scope="module")
def ids(config: mdh.Config) -> dict[str, str]:
    """participantIdentifier → internal id, for the shared sandbox's participants."""
    with mdh.Client(config) as client:
        frame = client.participants()
    return dict(zip(frame["participant_identifier"], frame["id"], strict=True))


def test_a_cohort_returns_the_rows_of_each_participant_read_one_after_another(config: mdh.Config) -> None:
    order = ["PT-0003", "PT-0001", "PT-0007", "PT-0002"]  # not sorted: rows come in the order given
    with mdh.cohort(order, ANSWERS, config=config, workers=3) as group:
        frame = group.survey_answers(survey_name="PHQ-9")
        assert group.failures == {}
    expected = one_after_another(config, order, "survey_answers", ANSWERS, survey_name="PHQ-9")
    assert frame.columns[0] == "participant_identifier"
    assert list(dict.fromkeys(frame["participant_identifier"])) == order
    assert len(frame) > 0
    assert_frame_equal(frame, expected, check_like=False)


def test_a_kind_without_its_own_participant_column_gets_one_first(config: mdh.Config) -> None:
    order = ["PT-0002", "PT-0001"]
    scopes = ["FitbitSleepLogs:read"]
    with mdh.cohort(order, scopes, config=config) as group:
        frame = group.fitbit_sleep_logs()
    kind_columns = list(mdh.to_frame("fitbit_sleep_logs", []).columns)
    assert "participant_identifier" not in kind_columns
    assert list(frame.columns) == ["participant_identifier", *kind_columns]
    assert_frame_equal(frame, one_after_another(config, order, "fitbit_sleep_logs", scopes))


def test_the_lookup_is_one_admin_listing_however_many_participants(sandbox: SandboxServer,
                                                                   config: mdh.Config) -> None:
    before = requests(sandbox)
    group = mdh.cohort([f"PT-{n:04d}" for n in range(1, 9)], ANSWERS, config=config)
    after = requests(sandbox)
    group.close()
    spent = {key: after.get(key, 0) - before.get(key, 0) for key in after}
    assert spent[LISTING] == 1
    assert not any(key.startswith("GET /api/v1/administration/projects/{projectId}/participants/")
                   for key, n in spent.items() if n)  # no lookup one participant at a time
    assert len(group) == 8


def test_a_listing_of_several_pages_is_still_one_listing() -> None:
    with SandboxServer(participants=130, days=1).start() as server:  # 130 participants: 2 pages of 100
        config = mdh.Config.from_values(base_url=server.credentials.base_url,
                                        service_account=server.credentials.service_account,
                                        project_id=server.credentials.project_id,
                                        private_key=server.credentials.private_key_pem)
        with mdh.cohort(["PT-0130", "PT-0001", "PT-0101"], ["Participant:read"], config=config) as group:
            assert requests(server)[LISTING] == 2  # every page of the one listing, not one per participant
            frame = group.participant_info()
        assert list(frame["participant_identifier"]) == ["PT-0130", "PT-0001", "PT-0101"]


def test_internal_ids_in_any_form_find_the_same_participants(config: mdh.Config, ids: dict[str, str]) -> None:
    given = [ids["PT-0004"].upper(), "{" + ids["PT-0002"] + "}", "PT-0001", ids["PT-0005"].replace("-", "")]
    with mdh.cohort(given, ["Participant:read"], config=config) as group:
        assert group.identifiers == ("PT-0004", "PT-0002", "PT-0001", "PT-0005")
        assert set(group.participants) == set(group.sessions) == set(group.identifiers)
        assert group.participants["PT-0002"]["id"] == ids["PT-0002"]
        frame = group.participant_info()
    assert list(frame["participant_identifier"]) == list(group.identifiers)
    assert list(frame["participant_id"]) == [ids[i] for i in group.identifiers]


def test_unknown_identifiers_are_all_named_before_any_participant_token(sandbox: SandboxServer,
                                                                        config: mdh.Config) -> None:
    tokens = delegated_tokens(sandbox)
    with pytest.raises(mdh.ParticipantNotFound) as caught:
        mdh.cohort(["PT-0001", "pt-0002", "PT-9999", "00000000-0000-0000-0000-000000000000"], ANSWERS,
                   config=config)
    message = str(caught.value)
    assert "'pt-0002'" in message and "did you mean 'PT-0002'" in message and "case-sensitive" in message
    assert "'PT-9999'" in message and "'00000000-0000-0000-0000-000000000000'" in message
    assert message.startswith("no 3 participants 'pt-0002'")  # PT-0001 is found: not named
    assert delegated_tokens(sandbox) == tokens


def test_a_participant_given_twice_is_read_once_with_a_warning(config: mdh.Config, ids: dict[str, str]) -> None:
    with pytest.warns(mdh.CohortWarning, match=r"more than once: PT-0002, .*PT-0001\)") as caught:
        group = mdh.cohort(["PT-0001", "PT-0002", "PT-0002", ids["PT-0001"]], ["Participant:read"], config=config)
    assert len(caught) == 1
    with group:
        assert group.identifiers == ("PT-0001", "PT-0002")
        assert list(group.participant_info()["participant_identifier"]) == ["PT-0001", "PT-0002"]


# one frame per participant read once, for the property below (the sandbox's data does not change)
_SINGLE: dict[str, pd.DataFrame] = {}


def _single(config: mdh.Config, identifier: str) -> pd.DataFrame:
    if identifier not in _SINGLE:
        _SINGLE[identifier] = one_after_another(config, [identifier], "survey_results", ANSWERS)
    return _SINGLE[identifier]


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.sampled_from([f"PT-{n:04d}" for n in range(1, 7)]), min_size=1, max_size=8),
       as_id=st.lists(st.booleans(), min_size=8, max_size=8), workers=st.integers(1, 4))
def test_any_list_of_identifiers_gives_each_participant_once_in_first_given_order(
        config: mdh.Config, ids: dict[str, str], picks: list[str], as_id: list[bool], workers: int) -> None:
    given = [ids[p] if flag else p for p, flag in zip(picks, as_id, strict=False)]
    order = list(dict.fromkeys(picks))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mdh.CohortWarning)  # repeats: their warning is tested above
        group = mdh.cohort(given, ANSWERS, config=config, workers=workers)
    with group:
        frame = group.survey_results()
    assert group.identifiers == tuple(order)
    expected = joined("survey_results", [_single(config, p) for p in order])
    assert_frame_equal(frame, expected)


def test_no_data_for_a_participant_is_not_a_failure(config: mdh.Config) -> None:
    order = ["PT-0001", "PT-0003", "PT-0002"]  # PT-0003 (index 2) has no Fitbit
    scopes = ["FitbitSleepLogs:read"]
    with mdh.cohort(order, scopes, config=config) as group:
        frame = group.fitbit_sleep_logs()
        assert group.failures == {}
    assert "PT-0003" not in set(frame["participant_identifier"])
    assert list(dict.fromkeys(frame["participant_identifier"])) == ["PT-0001", "PT-0002"]


def test_every_participant_without_data_is_an_empty_frame_with_the_columns(config: mdh.Config) -> None:
    with mdh.cohort(["PT-0001", "PT-0002"], ANSWERS, config=config) as group:
        frame = group.survey_answers(survey_name="No Such Survey")
    assert frame.empty
    assert list(frame.columns) == list(with_identifier(mdh.to_frame("survey_answers", []), "x").columns)


def test_the_calls_own_mistakes_are_raised_once_as_they_are(sandbox: SandboxServer, config: mdh.Config) -> None:
    with mdh.cohort(["PT-0001", "PT-0002"], ANSWERS, config=config) as group:
        before = requests(sandbox)
        with pytest.raises(mdh.ScopeError, match="FitbitSleepLogs:read"):
            group.fitbit_sleep_logs()
        with pytest.raises(mdh.InvalidArgumentError, match="survey_nme"):
            group.fetch("survey_answers", survey_nme="PHQ-9")
        with pytest.raises(mdh.InvalidArgumentError, match="several zones in one column"):
            group.survey_answers(tz="local")
        with pytest.raises(mdh.InvalidArgumentError, match=r"cohort.sessions\[identifier\].survey_answers"):
            group.survey_answers(resume=object())
        assert group.failures == {}
        assert requests(sandbox) == before  # none of them sent anything


@pytest.mark.parametrize(("identifiers", "match"), [
    ([], "at least one participant"),
    ({"PT-0001": 1}, "must be a list"),
    (["PT-0001", 7], "each identifier"),
    (["PT-0001", "  "], "each identifier"),
])
def test_bad_identifiers_are_refused_before_any_request(config: mdh.Config, identifiers: Any, match: str) -> None:
    with pytest.raises(mdh.InvalidArgumentError, match=match):
        mdh.cohort(identifiers, ANSWERS, config=config)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "8"])
def test_workers_must_be_a_whole_number_of_threads(config: mdh.Config, workers: Any) -> None:
    with pytest.raises(mdh.InvalidArgumentError, match="workers must be a whole number"):
        mdh.cohort(["PT-0001"], ANSWERS, config=config, workers=workers)


def test_one_identifier_as_a_string_is_a_cohort_of_one(config: mdh.Config) -> None:
    with mdh.cohort("PT-0002", ["Participant:read"], config=config) as group:
        assert group.identifiers == ("PT-0002",)


def test_the_context_manager_closes_the_one_client(config: mdh.Config) -> None:
    with mdh.cohort(["PT-0001", "PT-0002"], ANSWERS, config=config) as group:
        group.survey_results()
        clients = {id(session.client) for session in group.sessions.values()}
        assert clients == {id(group.client)}  # one client (one service token) for everyone
    assert group.client.closed
    with pytest.raises(mdh.ClosedError):
        group.survey_results()


def test_the_repr_names_the_cohort_and_no_secret(sandbox: SandboxServer, config: mdh.Config) -> None:
    with mdh.cohort([f"PT-{n:04d}" for n in range(1, 6)], ANSWERS, config=config) as group:
        group.survey_results()
        text = repr(group)
        tokens = [s.token.value for s in group.sessions.values() if s.token is not None]
        tokens.append(group.client.service_tokens.token.value)  # type: ignore[union-attr]
    assert text.startswith("Cohort(5 participants ['PT-0001', 'PT-0002', 'PT-0003', …]")
    assert len(tokens) == 6
    assert not any(token in text for token in tokens)
    key_lines = sandbox.credentials.private_key_pem.splitlines()[1:-1]
    assert "PRIVATE KEY" not in text and not any(line in text for line in key_lines)


def test_with_nothing_configured_a_cohort_reads_the_embedded_sandbox(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("MDH_", "RKS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with mdh.cohort(["PT-0001", "PT-0002"], ["Participant:read"]) as group:
        assert group.client.base_url == mdh.embedded_sandbox().url
        assert len(group.participant_info()) == 2


# -- the generated methods and their stub -------------------------------------------------------


def test_the_committed_cohort_stub_is_what_the_catalogue_generates() -> None:
    assert _cohort_stubgen.STUB.read_text() == _cohort_stubgen.render(), \
        "mdh_notebook/_cohort_methods.pyi is out of date: run `python -m mdh_notebook._cohort_stubgen`"


def test_a_cohort_has_every_read_method_of_a_session_with_its_signature() -> None:
    kinds = read_kinds()
    assert kinds and all(kind.token == "participant" for kind in kinds)
    for kind in kinds:
        cohort_method = getattr(mdh.Cohort, kind.name)
        assert inspect.signature(cohort_method) == inspect.signature(getattr(mdh.ParticipantSession, kind.name))
        assert cohort_method.__doc__.startswith("Over the whole cohort")
    writes = [name for name in dir(mdh.ParticipantSession) if name.startswith(("add_", "update_", "delete_"))]
    assert not any(hasattr(mdh.Cohort, name) for name in writes)


def test_with_a_cache_a_warm_rerun_asks_each_participant_once_and_returns_the_same_frame(
        sandbox: SandboxServer, config: mdh.Config, tmp_path: Path) -> None:
    order = ["PT-0002", "PT-0001", "PT-0004"]
    path = "GET /api/v1/delegated/surveyanswers"
    with mdh.cohort(order, ANSWERS, config=config, cache_dir=tmp_path) as group:
        assert all(session.cache is not None for session in group.sessions.values())
        cold = group.survey_answers()
        before = requests(sandbox).get(path, 0)
        warm = group.survey_answers()
        spent = requests(sandbox).get(path, 0) - before
    assert cold.attrs["cache"] == "cold" and warm.attrs["cache"] == "warm"
    assert warm.attrs["caches"] == dict.fromkeys(order, "warm")
    assert spent == len(order)  # one data request per participant for the kind
    assert_frame_equal(warm, cold)
    assert_frame_equal(cold, one_after_another(config, order, "survey_answers", ANSWERS))


def test_an_authenticator_cannot_list_participants_so_a_cohort_names_the_fix(monkeypatch: pytest.MonkeyPatch,
                                                                              tmp_path: Path) -> None:
    with pytest.raises(mdh.ConfigurationError, match=r"authenticator=/api_key= was given.*configure a service "
                                                     r"account.*mdh.connect\(participant, scopes, authenticator=URL\)"):
        mdh.cohort(["PT-0001"], ANSWERS, authenticator="http://127.0.0.1:9/", api_key="a-key")
    for name in list(os.environ):
        if name.startswith(("MDH_", "RKS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MDH_AUTHENTICATOR_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("MDH_API_KEY", "a-key")
    with pytest.raises(mdh.ConfigurationError, match=r"only an authenticator is configured \(MDH_AUTHENTICATOR_URL "
                                                     r"\(from environment\)\)") as caught:
        mdh.cohort(["PT-0001"], ANSWERS)  # refused before anything is sent (port 9 would not answer)
    assert caught.value.setting == "authenticator" and "a-key" not in str(caught.value)


USER_SCRIPT = '''\
from __future__ import annotations

import mdh_notebook as mdh

with mdh.cohort(["PT-0001", "PT-0002"], scopes=["SurveyAnswers:read"], workers=4) as group:
    answers = group.survey_answers(survey_name="PHQ-9", after="2026-01-01", progress=False)
    failed: dict[str, mdh.MDHError] = group.failures
    print(len(answers), group.identifiers, failed)
    group.survey_answers(survey_nme="PHQ-9")  # line 9: a misspelled filter
'''


def test_mypy_strict_sees_the_cohorts_methods(tmp_path: Path) -> None:
    """The generated _cohort_methods.pyi, as a user's mypy sees the installed package."""
    script = tmp_path / "analysis.py"
    script.write_text(USER_SCRIPT)
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n\n[mypy-pandas.*]\nignore_missing_imports = True\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", sys.executable, "--strict", "--config-file",
         str(config), "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
         str(script)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout + result.stderr
    assert 'analysis.py:9: error: Unexpected keyword argument "survey_nme"' in errors[0], errors


def test_the_cohorts_docs_say_what_the_cohort_does() -> None:
    method = " ".join((mdh.Cohort.survey_answers.__doc__ or "").split())
    assert "'local' for the participant" not in method and "not 'local'" in method
    assert "mdh.cohort(cache_dir=...)" in method and "connect(cache_dir" not in method
    assert "worker threads" in method and "'failures'" in method
    session = " ".join((mdh.ParticipantSession.survey_answers.__doc__ or "").split())
    assert all(f"'{key}'" in session for key in ("pages", "slices", "cache"))
    made = " ".join((mdh.cohort.__doc__ or "").split())
    for words in ("cohort.failures", "CohortWarning", "CohortError", 'frame.attrs["failures"]', "workers",
                  "parallel"):
        assert words in made, words


@pytest.mark.parametrize(("given", "meant"), [("PT-001", "'PT-0001'"), ("pt-1", "'PT-0001'"), ("PT-00012", "'PT-0012'"),
                                              ("PT-0O12", "'PT-0012'")])
def test_a_mistyped_identifier_suggests_the_one_differing_only_by_padding_or_case(given: str, meant: str) -> None:
    from mdh_notebook.cohort import _unknown

    known = [f"PT-{n:04d}" for n in range(1, 21)]
    message = str(_unknown([given], known))
    assert f"did you mean {meant}?" in message, message


def test_two_identifiers_as_close_are_both_suggested() -> None:
    from mdh_notebook.cohort import _unknown

    message = str(_unknown(["PT-0X01"], ["PT-0101", "PT-0201"]))
    assert "did you mean 'PT-0101' or 'PT-0201'?" in message, message
