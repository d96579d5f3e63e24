"""The embedded default and the command line, as a newcomer meets them: real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dotenv import dotenv_values

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))}


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env or CLEAN_ENV, capture_output=True, text=True, timeout=timeout)


def test_connect_in_an_empty_directory_uses_the_embedded_sandbox(tmp_path: Path) -> None:
    code = ("import mdh_notebook as mdh\n"
            "s = mdh.connect('PT-0001', scopes=['SurveyAnswers:read'])\n"
            "print(len(s.survey_answers()), s.client.config.source)\n")
    result = run([sys.executable, "-c", code], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows, source = result.stdout.split(maxsplit=1)
    assert int(rows) > 100 and source.strip() == "embedded sandbox"
    announce = [line for line in result.stderr.splitlines() if "embedded sandbox" in line]
    assert len(announce) == 1 and "http://127.0.0.1:" in announce[0]
    assert "BEGIN" not in result.stderr + result.stdout


def test_import_reads_nothing_and_starts_nothing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".env")  # any read of .env at import would block until the timeout
    code = ("import threading, mdh_notebook, mdh_notebook.cli\n"
            "print(threading.active_count())\n")
    env = {**CLEAN_ENV, "RKS_SERVICE_ACCOUNT": "only-half"}  # and an incomplete environment is not looked at
    result = run([sys.executable, "-c", code], cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "1" and result.stderr == ""


def test_half_a_dotenv_is_an_error_naming_the_fix(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RKS_SERVICE_ACCOUNT=only-half\n")
    result = run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0001", "survey_answers"], cwd=tmp_path)
    assert result.returncode == 1
    assert "RKS_PROJECT_ID" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    env_file = tmp_path / "sandbox.env"
    proc = subprocess.Popen([sys.executable, "-m", "mdh_notebook", "sandbox", "--port", "0", "--seed", "3",
                             "--participants", "14", "--days", "30", "--env-file", str(env_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=CLEAN_ENV)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # a pipe: the line must be flushed at once
        assert line.startswith("MDH sandbox listening on http://127.0.0.1:") and line.rstrip().endswith("/")
        yield line.split()[-1], env_file
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "BEGIN" not in out + err and "eyJ" not in out + err


def test_sandbox_command_env_file_and_fetch(sandbox_process: tuple[str, Path], tmp_path: Path) -> None:
    url, env_file = sandbox_process
    values = dotenv_values(env_file)
    assert values["MDH_BASE_URL"] == url
    assert values["RKS_PRIVATE_KEY"] and values["RKS_PRIVATE_KEY"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert values["RKS_SERVICE_ACCOUNT"] and values["RKS_PROJECT_ID"]
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / ".env").write_text(env_file.read_text())

    out = workdir / "answers.parquet"
    result = run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0014", "survey_answers",
                  "--filter", "survey_name=DailyMood", "--filter", "survey_name=PHQ-9", "--out", str(out)], cwd=workdir)
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(out)
    assert len(frame) > 0 and set(frame["survey_name"]) <= {"DailyMood", "PHQ-9"}
    assert str(frame["inserted_date"].dtype).startswith("datetime64") and "embedded" not in result.stderr

    listed = run([sys.executable, "-m", "mdh_notebook", "participants"], cwd=workdir)
    assert listed.returncode == 0 and listed.stdout.count("PT-00") == 14

    doctor = run([sys.executable, "-m", "mdh_notebook", "doctor"], cwd=workdir)
    assert doctor.returncode == 0 and "participants: 14" in doctor.stdout
    assert "BEGIN" not in doctor.stdout and "eyJ" not in doctor.stdout and "<hidden>" in doctor.stdout

    bad_out = run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0001", "survey_answers",
                   "--out", str(workdir / "no-such-folder" / "x.csv")], cwd=workdir)
    assert bad_out.returncode == 1 and "does not exist" in bad_out.stderr and "Traceback" not in bad_out.stderr
    bad_suffix = run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0001", "survey_answers",
                      "--out", str(workdir / "x.xlsx")], cwd=workdir)
    assert bad_suffix.returncode == 1 and ".parquet" in bad_suffix.stderr

    missing = run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0999", "survey_answers"], cwd=workdir)
    assert missing.returncode == 1 and "PT-0999" in missing.stderr and "Traceback" not in missing.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "mdh-notebook"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "sandbox" in result.stdout and "fetch" in result.stdout
