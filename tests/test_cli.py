"""The command line as a user meets it: every kind fetches, every format carries the same values,
messages speak in options, ``| head`` ends quietly, help is plain text."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mdh_notebook as mdh
from mdh_notebook.cli import build_parser, main
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.kinds import KINDS

PARTICIPANT_KINDS = sorted(k.name for k in KINDS.values() if k.token == "participant")


@pytest.fixture
def configured(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Environment variables naming the test sandbox, as a user's shell would; an empty cwd."""
    creds = sandbox.credentials
    for name, value in {"MDH_BASE_URL": creds.base_url, "RKS_SERVICE_ACCOUNT": creds.service_account,
                        "RKS_PROJECT_ID": creds.project_id, "RKS_PRIVATE_KEY": creds.private_key_pem}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def required_filters(name: str) -> list[str]:
    """--filter options for a kind's required filters: the first choice, or a value the sandbox has."""
    # with the first choice of namespace (Fitbit for v2): types with real data
    examples = {"type": "sleep" if name == "daily_sleep" else "heart-rate"}
    out = []
    for p in KINDS[name].params:
        if p.required:
            value = p.choices[0] if p.choices else examples.get(p.name, "x")
            out += ["--filter", f"{p.name}={value}"]
    return out


@pytest.mark.parametrize("name", PARTICIPANT_KINDS)
def test_every_kind_fetches_as_csv(configured: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = cli(capsys, "fetch", "PT-0001", name, *required_filters(name))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][: len(KINDS[name].columns)] == KINDS[name].column_names
    assert len(rows) > 1, f"PT-0001 has {name} rows"
    assert "Traceback" not in err and "warning" not in err


def test_a_warning_is_one_line_in_cli_words(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "fetch", "PT-0001", "device_data_v2", "--filter", "namespace=Fitbit",
                       "--filter", "type=heartrate")
    assert code == 0
    assert err.strip().splitlines() == [
        "mdh-notebook: warning: device_data_v2() is empty, and device_data_types() lists no type 'heartrate' "
        "for namespace='Fitbit'; did you mean 'heart-rate'?"]


def test_lists_in_csv_are_json(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "fetch", "PT-0001", "survey_answers", "--filter", "survey_name=WeeklyActivity")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(isinstance(json.loads(r["answers"]), list) for r in rows)
    assert not any(r["answers"].startswith("['") for r in rows)  # not a Python repr


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_tz_local_applies_to_every_format(configured: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    target = configured / f"sleep.{fmt}"
    code, _, err = cli(capsys, "fetch", "PT-0001", "fitbit_sleep_logs", "--tz", "local", "-o", str(target))
    assert code == 0, err
    if fmt == "parquet":
        frame = pd.read_parquet(target)
        assert str(frame["start_timestamp"].dt.tz) == "America/New_York"
        return
    if fmt == "csv":
        values = [r["start_timestamp"] for r in csv.DictReader(target.open())]
    elif fmt == "json":
        values = [r["start_timestamp"] for r in json.loads(target.read_text())]
    else:
        values = [json.loads(line)["start_timestamp"] for line in target.read_text().splitlines()]
    assert values and all(re.search(r"-0[45]:00$", v) for v in values), values[:3]


def test_same_rows_in_every_format(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with mdh.connect("PT-0001", ["SurveyAnswers:read"]) as session:
        expected = session.survey_answers(survey_name="DailyMood")
    for fmt in ("csv", "json", "jsonl", "parquet"):
        target = configured / f"a.{fmt}"
        code, _, err = cli(capsys, "fetch", "PT-0001", "survey_answers", "--filter", "survey_name=DailyMood",
                           "-o", str(target))
        assert code == 0, err
        if fmt == "parquet":
            frame = pd.read_parquet(target)
            assert frame["answers"].map(list).tolist() == expected["answers"].tolist()
        elif fmt == "csv":
            frame = pd.read_csv(target)
        else:
            frame = pd.read_json(target, lines=fmt == "jsonl")
        assert frame["id"].tolist() == expected["id"].tolist(), fmt


def test_start_end_map_onto_the_kinds_time_range(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "fetch", "PT-0001", "fitbit_sleep_logs", "--start", "2026-09-01",
                         "--end", "2026-10-01", "--format", "jsonl")
    assert code == 0, err
    with mdh.connect("PT-0001", ["FitbitSleepLogs:read"]) as session:
        expected = session.fitbit_sleep_logs("2026-09-01", "2026-10-01")
    assert len(out.splitlines()) == len(expected) > 0
    code, _, err = cli(capsys, "fetch", "PT-0001", "participant_info", "--start", "2026-09-01")
    assert code == 1 and "has no time range" in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["survey_answers", "--filter", "survey_nme=PHQ-9"], "did you mean survey_name"),
    (["survey_answers", "--filter", "after=yesterday"], "--filter after"),
    (["survey_answers", "--scopes", "FitbitSleepLogs:read"], "--scopes 'FitbitSleepLogs:read SurveyAnswers:read'"),
    (["survey_answers", "--scopes", "SurveyAnswer:read"], "--scopes: unknown scope"),
    (["survey_answers", "--tz", "Mars/Base"], "--tz"),
    (["survey_answers", "--filter", "noequals"], "NAME=VALUE"),
    (["survey_answers", "--out", "x.xlsx"], "--out x.xlsx"),
    (["fitbit_sleep_logs", "--filter", "start=2026-01-01", "--start", "2026-01-02"], "give one"),
    (["fitbit_sleep_logs", "--start", "yesterday"], "--start 'yesterday'"),
    (["devicedata"], "did you mean device_data?"),
])
def test_errors_speak_options_not_python(configured: Path, capsys: pytest.CaptureFixture[str],
                                         argv: list[str], expected: str) -> None:
    code, _, err = cli(capsys, "fetch", "PT-0001", *argv)
    assert code == 1 and expected in err, err
    assert "Traceback" not in err and not re.search(r"\w+\(\w+=", err), err  # no Python call syntax
    assert "embedded sandbox" not in err  # refused before anything started


def test_required_filters_are_asked_for_as_options(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    needing = [k for k in KINDS.values() if k.token == "participant" and any(p.required for p in k.params)]
    for kind in needing:
        code, _, err = cli(capsys, "fetch", "PT-0001", kind.name)
        first = next(p for p in kind.params if p.required)
        assert code == 1 and f"--filter {first.name}=VALUE" in err, err


def test_a_closed_pipe_ends_quietly(sandbox: SandboxServer, tmp_path: Path) -> None:
    creds = sandbox.credentials
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))},
           "MDH_BASE_URL": creds.base_url, "RKS_SERVICE_ACCOUNT": creds.service_account,
           "RKS_PROJECT_ID": creds.project_id, "RKS_PRIVATE_KEY": creds.private_key_pem}
    command = f"'{sys.executable}' -m mdh_notebook fetch PT-0001 survey_answers | head -2"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert len(done.stdout.splitlines()) == 2


def _help_texts() -> dict[str, str]:
    parser = build_parser()
    texts = {"": parser.format_help()}
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    for name, child in sub.choices.items():
        texts[name] = child.format_help()
    return texts


def test_a_fetch_that_fails_part_way_says_nothing_was_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The library's error offers resume=exc.pager_state; a command wrote nothing and has no resume: it
    says how many rows had arrived and that running it again fetches from the first page."""
    with SandboxServer(participants=1, days=60) as flaky:
        creds = flaky.credentials
        for name, value in {"MDH_BASE_URL": creds.base_url, "RKS_SERVICE_ACCOUNT": creds.service_account,
                            "RKS_PROJECT_ID": creds.project_id, "RKS_PRIVATE_KEY": creds.private_key_pem}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        # seeded: page 1 gets through, page 2 fails all five tries
        flaky.set_faults(seed=11, error_rate=0.7, paths=["/api/v1/delegated/surveyanswers"])
        code, out, err = cli(capsys, "fetch", "PT-0001", "survey_answers", "--no-progress", "-o", "answers.csv")
    assert code == 1 and out == ""
    assert "gave up after 5 attempts" in err
    assert ("[survey_answers: page 2 failed; 100 rows (page 1) had arrived, and nothing was written to answers.csv "
            "— run the same command again to fetch from the first page]") in err, err
    assert "resume" not in err and "kept" not in err
    assert not (tmp_path / "answers.csv").exists()


def test_help_is_plain_text_and_every_option_explains_itself() -> None:
    for name, text in _help_texts().items():
        assert "``" not in text and ":func:" not in text and ":class:" not in text, name
    parser = build_parser()
    actions: list[Any] = list(parser._actions)
    for action in parser._actions:
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for child in action.choices.values():
                actions += child._actions
    for action in actions:
        if action.option_strings and action.dest not in ("help", "version"):
            assert action.help, f"option {action.option_strings} has no help"
        if "--api-key" in action.option_strings:  # a key in argv shows in ps and the shell's history
            assert "Prefer MDH_API_KEY" in action.help and "`ps`" in action.help, action.help
    assert sum("--api-key" in action.option_strings for action in actions) == 2  # fetch and doctor


def test_catalog_command_lists_every_kind_and_shows_one(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "catalog")
    assert code == 0 and all(name in out for name in KINDS)
    code, out, _ = cli(capsys, "catalog", "--kind", "survey_answers")
    assert code == 0 and "--filter survey_name=" in out and "inserted_date  datetime" in out
    code, _, err = cli(capsys, "catalog", "--kind", "survey_answer")
    assert code == 1 and "did you mean survey_answers" in err
    code, _, _ = cli(capsys, "catalog", "-o", str(configured / "catalog.json"))
    assert code == 0 and {r["method"] for r in json.loads((configured / "catalog.json").read_text())} >= set(KINDS)
