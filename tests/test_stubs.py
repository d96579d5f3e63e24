"""The typed facade: the committed .pyi is what the catalogue generates, and mypy --strict on a user's
script sees every kind method (accepting real filters, rejecting misspelled ones)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import mdh_notebook as mdh
from mdh_notebook import _stubgen
from mdh_notebook.methods import generated

PACKAGE = Path(mdh.__file__).parent


def test_the_committed_stub_is_what_the_catalogue_generates() -> None:
    assert _stubgen.STUB.read_text() == _stubgen.render(), \
        "mdh_notebook/_kind_methods.pyi is out of date with the catalogue: run `make stubs`"
    assert (PACKAGE / "py.typed").exists()


def test_the_runtime_methods_match_the_stub() -> None:
    """help() and editors without the stub see the same signature as mypy does."""
    stub = _stubgen.STUB.read_text()
    for entry in generated():
        method = getattr(mdh.ParticipantSession, entry.name)
        params = list(inspect.signature(method).parameters.values())[1:]
        for param in params:
            default = "" if param.default is inspect.Parameter.empty else f" = {param.default!r}"
            assert f"        {param.name}: {param.annotation}{default},\n" in stub, (entry.name, param.name)
        assert method.__doc__ and entry.doc in " ".join(method.__doc__.split())


USER_SCRIPT = '''\
from __future__ import annotations

import mdh_notebook as mdh

session = mdh.connect("PT-0001", scopes=["SurveyAnswers:read", "FitbitSleepLogs:read"])
answers = session.survey_answers(survey_name="PHQ-9")
answers = session.survey_answers(survey_name=["PHQ-9", "GAD-7"], after="2026-01-01", tz="local", progress=False)
sleep = session.fitbit_sleep_logs("2026-01-01", progress=None)
info = session.participant_info()
catalogue = mdh.catalog()
print(len(answers), len(sleep), len(info), len(catalogue))
session.survey_answers(survey_nme="PHQ-9")  # line 12: a misspelled filter
session.fitbit_sleep_logs(start=12)  # line 13: not a date
'''


def test_mypy_strict_sees_every_kind_method(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(USER_SCRIPT)
    config = tmp_path / "mypy.ini"
    # the user's own settings, not the project's; pandas has no stubs unless pandas-stubs is installed
    config.write_text("[mypy]\n\n[mypy-pandas.*]\nignore_missing_imports = True\n")
    # the package as this environment has it installed (`make install`: an editable install mypy can
    # follow), found from outside the repo with no MYPYPATH: exactly what a user's mypy sees
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", sys.executable, "--strict", "--config-file",
         str(config), "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
         str(script)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert 'module named "mdh_notebook"' not in result.stdout, (
        "mypy cannot find the installed mdh_notebook: an editable install must be made with "
        "--config-settings editable_mode=compat (see the Makefile)\n" + result.stdout)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout + result.stderr
    assert 'analysis.py:12: error: Unexpected keyword argument "survey_nme"' in errors[0], errors
    assert "analysis.py:13: error: Argument \"start\"" in errors[1], errors


def test_the_generator_command_checks_and_writes(tmp_path: Path) -> None:
    check = subprocess.run([sys.executable, "-m", "mdh_notebook._stubgen", "--check"], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr
