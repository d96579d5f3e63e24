"""The stored notebooks are documentation read on GitHub: none stores a token, a private key, an error or a red
stderr box; checks are cell tags, not `# NBVAL_` comments; each has a checked cell; each was run top to bottom.

Every check is a function of a notebook's JSON (a dict) returning its problems, each naming the notebook, the
cell and the fix; the checks are themselves tested on synthetic notebooks that hold fake secrets."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
TUTORIALS = ["01_getting_started", "02_survey_answers", "03_fitbit_sleep", "04_device_data", "05_explorer",
             "06_real_credentials", "07_faults_budgets_and_the_authenticator", "08_speed_cache_and_cohorts"]
RERUN = "re-run it with `make run-notebooks NB=notebooks/{name}`"
SKIPPED_TAGS = {"nbval-skip", "skip-execution"}  # cells deliberately never executed (real credentials)

SECRET_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # base64url of a JSON object ('{' then a quote or a space) starts "ey": header.payload. of any JWT
    ("a JWT (ey….ey….)", re.compile(r"(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{6,}\.ey[A-Za-z0-9_-]{6,}\.")),
    ("a bearer token", re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
    ("an access_token value", re.compile(r"access_token[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9._~+/-]{16,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")),
]
NBVAL_COMMENT = re.compile(r"^\s*#\s*NBVAL_", re.MULTILINE)
# a long opaque value (hex, or base64url with a digit and a letter) named by a secret-ish word: `token: 3f9a…`,
# "client_secret": "…", assertion=… — 40 characters or more, so a widget model id (32 hex) is not one; binary
# images are never read (see _strings), and IPY_MODEL_ references are skipped
SECRET_WORD = r"(?:token|secret|key|assertion|password|signature)"
OPAQUE = r"(?!IPY_MODEL_)(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])"
NAMED_OPAQUE = re.compile(rf"(?i){SECRET_WORD}[A-Za-z_]*[\"']?\s*[:=]?\s*[\"']?{OPAQUE}")
TRACEBACK = "Traceback (most recent call last)"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

Problems = list[str]


def _text(value: Any) -> str:
    """nbformat stores multi-line strings as a string or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def _strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string in a cell (source, outputs, metadata), but binary images (base64 has no token shape)."""
    if key.startswith("image/") and key != "image/svg+xml":
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        yield "".join(value)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))


def _named_opaque(value: Any) -> bool:
    """A long opaque value after a secret-ish word in a string, or under a secret-ish key in a mapping."""
    if isinstance(value, dict):
        return any((re.fullmatch(rf"(?i)\w*{SECRET_WORD}\w*", str(k)) and isinstance(v, str)
                    and re.fullmatch(OPAQUE, v.strip())) or _named_opaque(v)
                   for k, v in value.items() if not (str(k).startswith("image/") and k != "image/svg+xml"))
    if isinstance(value, list):
        return any(_named_opaque(v) for v in value) if not all(isinstance(v, str) for v in value) else \
            _named_opaque("".join(value))
    return isinstance(value, str) and NAMED_OPAQUE.search(value) is not None


def _widget_outputs(nb: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(model id, output) of every Output widget's stored outputs in the notebook's widget state."""
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model_id, model in state.items():
        for output in model.get("state", {}).get("outputs", []) if isinstance(model, dict) else []:
            if isinstance(output, dict):
                yield model_id, output


def _code_cells(nb: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code":
            yield index, cell


def _tags(cell: dict[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


# --- the checks ---------------------------------------------------------------------------------------------
def secrets_stored(name: str, nb: dict[str, Any]) -> Problems:
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        for text in _strings(cell):
            for what, pattern in SECRET_PATTERNS:
                if pattern.search(text):
                    problems.append(f"{name} cell {index}: stores what looks like {what}; never print or display "
                                    "a token or key (show its state: scopes, expires in), then "
                                    + RERUN.format(name=name))
        if _named_opaque(cell):
            problems.append(f"{name} cell {index}: stores a long opaque value named token/secret/key/assertion (a "
                            "hex or base64url secret); never print or store one, then " + RERUN.format(name=name))
    for text in _strings(nb.get("metadata", {})):
        for what, pattern in SECRET_PATTERNS:
            if pattern.search(text):
                problems.append(f"{name} metadata: stores what looks like {what}; remove it from the notebook metadata")
    if _named_opaque(nb.get("metadata", {})):
        problems.append(f"{name} metadata: stores a long opaque value named token/secret/key/assertion; remove it "
                        "from the notebook metadata")
    return problems


def errors_stored(name: str, nb: dict[str, Any]) -> Problems:
    return [f"{name} cell {index}: stores an error output ({output.get('ename')}: {output.get('evalue')}); fix the "
            "cell so it runs clean on the sandbox, then " + RERUN.format(name=name)
            for index, cell in _code_cells(nb) for output in cell.get("outputs", [])
            if output.get("output_type") == "error"]


def stderr_stored(name: str, nb: dict[str, Any]) -> Problems:
    return [f"{name} cell {index}: stores a stderr stream (a red box that reads as an error on GitHub): "
            f"{_text(output.get('text', ''))[:120]!r}; silence or fix its cause (warnings, logging, progress bars: "
            "TQDM_DISABLE=1), then " + RERUN.format(name=name)
            for index, cell in _code_cells(nb) for output in cell.get("outputs", [])
            if output.get("output_type") == "stream" and output.get("name") == "stderr"]


def widget_errors_stored(name: str, nb: dict[str, Any]) -> Problems:
    """Errors and stderr inside the Output widgets' state (metadata.widgets) render on GitHub like a cell's."""
    problems = []
    for model_id, output in _widget_outputs(nb):
        if output.get("output_type") == "error":
            what = f"an error ({output.get('ename')}: {output.get('evalue')})"
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            what = f"a stderr stream {_text(output.get('text', ''))[:120]!r}"
        else:
            continue
        problems.append(f"{name} metadata.widgets: Output widget {model_id} stores {what}; fix its cause so the "
                        "widget runs clean on the sandbox, then " + RERUN.format(name=name))
    return problems


def tracebacks_stored(name: str, nb: dict[str, Any]) -> Problems:
    """A traceback printed as text (a caught exception shown with traceback.print_exc, a log) in any output."""
    where = [(f"cell {index}", output) for index, cell in _code_cells(nb) for output in cell.get("outputs", [])]
    where += [(f"metadata.widgets Output widget {model_id}", output) for model_id, output in _widget_outputs(nb)]
    return [f"{name} {place}: stores a traceback ({TRACEBACK}) in its output; catch the error and show its "
            "message (or fix its cause), then " + RERUN.format(name=name)
            for place, output in where if output.get("output_type") != "error"
            and any(TRACEBACK in text for text in _strings(output))]


def skipped_cells_with_output(name: str, nb: dict[str, Any]) -> Problems:
    """A cell tagged never to run (real credentials) must store nothing: whatever it showed came from real data."""
    return [f"{name} cell {index}: is tagged {', '.join(sorted(_tags(cell) & SKIPPED_TAGS))} but stores "
            f"{len(cell['outputs'])} output(s) (from a run against real credentials?); clear its outputs "
            "(Edit → Clear Output, or `jupyter nbconvert --clear-output` on that cell) and keep them cleared"
            for index, cell in _code_cells(nb) if _tags(cell) & SKIPPED_TAGS and cell.get("outputs")]


def nbval_comments(name: str, nb: dict[str, Any]) -> Problems:
    return [f"{name} cell {index}: has a `# NBVAL_` comment marker; delete it and tag the cell instead "
            "(cell metadata \"tags\": [\"nbval-check-output\"], \"nbval-ignore-output\" or \"nbval-skip\")"
            for index, cell in _code_cells(nb) if NBVAL_COMMENT.search(_text(cell.get("source", "")))]


def no_checked_cell(name: str, nb: dict[str, Any]) -> Problems:
    if any("nbval-check-output" in _tags(cell) for _, cell in _code_cells(nb)):
        return []
    return [f"{name}: no cell is tagged nbval-check-output; tag at least one cell whose output states a real result "
            "(a score table, a count) so nbval compares it"]


def not_run_top_to_bottom(name: str, nb: dict[str, Any]) -> Problems:
    """Every code cell was executed (outputs stored, or deliberately empty with an execution count), in order,
    unless it is tagged to be skipped."""
    problems, previous = [], 0
    for index, cell in _code_cells(nb):
        count = cell.get("execution_count")
        if count is None:
            if _tags(cell) & SKIPPED_TAGS or not _text(cell.get("source", "")).strip():
                continue
            problems.append(f"{name} cell {index}: has no execution count (never run, outputs missing); "
                            + RERUN.format(name=name) + " (or tag it nbval-skip if it needs real credentials)")
        elif count <= previous:
            problems.append(f"{name} cell {index}: execution count {count} after {previous} (run out of order); "
                            + RERUN.format(name=name))
        else:
            previous = count
    return problems


CHECKS: list[Callable[[str, dict[str, Any]], Problems]] = [
    secrets_stored, errors_stored, stderr_stored, widget_errors_stored, tracebacks_stored, skipped_cells_with_output,
    nbval_comments, no_checked_cell, not_run_top_to_bottom]


# --- the stored notebooks -------------------------------------------------------------------------------------
def test_the_tutorials_are_stored() -> None:
    stored = {p.stem for p in NOTEBOOKS}
    missing = [t for t in TUTORIALS if t not in stored]
    assert not missing, f"notebooks/ lacks {missing}: each tutorial is stored with its outputs"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebook(path: Path, check: Callable[[str, dict[str, Any]], Problems]) -> None:
    problems = check(path.name, json.loads(path.read_text()))
    assert not problems, "\n".join(problems)


# --- the checks catch what they are for ---------------------------------------------------------------------
def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(claims: dict[str, Any]) -> str:
    """JWT-shaped, unsigned, made up here: not a real token."""
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.{'c2lnbmF0dXJl' * 4}"


KEY_HEADER = "-----BEGIN " + "RSA PRIVATE KEY-----"  # split, so this file is not itself a key-shaped text


def clean_notebook() -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("A participant token (`session.token`) renews itself; Bearer <access token>."),
        nbformat.v4.new_code_cell("import mdh_notebook as mdh", execution_count=1),
        nbformat.v4.new_code_cell("len(frame)", execution_count=2, metadata={"tags": ["nbval-check-output"]},
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "42"},
                                                                  execution_count=2),
                                           nbformat.v4.new_output("stream", name="stdout", text="42 rows\n")]),
        nbformat.v4.new_code_cell("mdh.connect(real=True)", metadata={"tags": ["nbval-skip"]}),
    ]
    return json.loads(nbformat.writes(nb))  # type: ignore[no-any-return]


def _with_output(output: dict[str, Any]) -> dict[str, Any]:
    nb = clean_notebook()
    nb["cells"][2]["outputs"].append(output)
    return nb


def test_a_clean_notebook_passes_every_check() -> None:
    nb = clean_notebook()
    assert [p for check in CHECKS for p in check("clean.ipynb", nb)] == []


PLACES: list[Callable[[str], dict[str, Any]]] = [
    lambda s: {"output_type": "stream", "name": "stdout", "text": [f"token: {s}\n"]},
    lambda s: {"output_type": "execute_result", "execution_count": 2, "metadata": {},
               "data": {"text/plain": repr(s), "text/html": f"<td>{s}</td>"}},
    lambda s: {"output_type": "display_data", "metadata": {}, "data": {"application/json": {"value": s}}},
]


@given(claims=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=30) | st.integers(),
                              min_size=1, max_size=4),
       place=st.sampled_from(PLACES))
def test_a_stored_jwt_is_caught_wherever_it_is(claims: dict[str, Any], place: Callable[[str], dict[str, Any]]) -> None:
    problems = secrets_stored("t.ipynb", _with_output(place(fake_jwt(claims))))
    assert problems and "t.ipynb cell 2" in problems[0] and "JWT" in problems[0]


@pytest.mark.parametrize(("secret", "what"), [
    (f"{KEY_HEADER}\nMIIEfakefakefake\n", "private key"),
    ("Authorization: Bearer " + "A1b2C3d4" * 5, "bearer token"),
    ('{"access_token": "' + "q" * 40 + '", "token_type": "Bearer"}', "access_token"),
])
def test_a_stored_key_or_token_is_caught(secret: str, what: str) -> None:
    problems = secrets_stored("t.ipynb", _with_output(PLACES[0](secret)))
    assert problems and what in problems[0]
    nb = clean_notebook()
    nb["cells"][1]["source"] = f"KEY = {secret!r}"
    assert "t.ipynb cell 1" in secrets_stored("t.ipynb", nb)[0]


def test_a_secret_in_the_metadata_is_caught() -> None:
    nb = clean_notebook()
    nb["metadata"]["widgets"] = {"state": {"token": fake_jwt({"sub": "PT-0001"})}}
    assert secrets_stored("t.ipynb", nb)


def test_a_stored_error_is_caught() -> None:
    nb = _with_output({"output_type": "error", "ename": "ScopeError", "evalue": "not granted", "traceback": []})
    [problem] = errors_stored("t.ipynb", nb)
    assert "t.ipynb cell 2" in problem and "ScopeError" in problem and "make run-notebooks" in problem


def test_a_stored_stderr_stream_is_caught() -> None:
    nb = _with_output({"output_type": "stream", "name": "stderr", "text": "using the embedded sandbox\n"})
    [problem] = stderr_stored("t.ipynb", nb)
    assert "t.ipynb cell 2" in problem and "embedded sandbox" in problem


def test_an_nbval_comment_is_caught() -> None:
    nb = clean_notebook()
    nb["cells"][2]["source"] = "# NBVAL_CHECK_OUTPUT\nlen(frame)"
    [problem] = nbval_comments("t.ipynb", nb)
    assert "t.ipynb cell 2" in problem and "tags" in problem


def test_a_notebook_with_no_checked_cell_is_caught() -> None:
    nb = clean_notebook()
    nb["cells"][2]["metadata"]["tags"] = ["nbval-ignore-output"]
    [problem] = no_checked_cell("t.ipynb", nb)
    assert "nbval-check-output" in problem


def test_an_unrun_or_reordered_cell_is_caught() -> None:
    nb = clean_notebook()
    nb["cells"][1]["execution_count"] = None
    [problem] = not_run_top_to_bottom("t.ipynb", nb)
    assert "t.ipynb cell 1" in problem and "never run" in problem
    nb["cells"][1]["execution_count"] = 5
    [problem] = not_run_top_to_bottom("t.ipynb", nb)
    assert "t.ipynb cell 2" in problem and "out of order" in problem


# --- skipped cells, widget state, printed tracebacks, named opaque secrets ------------------------------------
def test_a_skipped_cell_storing_output_is_caught() -> None:
    nb = clean_notebook()
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1204 rows\n"}]
    [problem] = skipped_cells_with_output("t.ipynb", nb)
    assert "t.ipynb cell 3" in problem and "nbval-skip" in problem and "clear" in problem
    nb["cells"][3]["metadata"]["tags"] = ["skip-execution"]
    nb["cells"][3]["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"text/plain": "x"}}]
    [problem] = skipped_cells_with_output("t.ipynb", nb)
    assert "skip-execution" in problem


def _with_widget_output(output: dict[str, Any]) -> dict[str, Any]:
    nb = clean_notebook()
    model_id = "0123456789abcdef0123456789abcdef"  # 32 hex, the shape of a widget model id
    nb["metadata"]["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "fedcba9876543210fedcba9876543210": {"model_name": "LayoutModel", "state": {}},
        model_id: {"model_name": "OutputModel", "model_module": "@jupyter-widgets/output",
                   "state": {"layout": "IPY_MODEL_fedcba9876543210fedcba9876543210", "outputs": [output]}}}}}
    return nb


def test_a_clean_widget_state_passes() -> None:
    nb = _with_widget_output({"output_type": "stream", "name": "stdout", "text": "42 rows\n"})
    assert [p for check in CHECKS for p in check("t.ipynb", nb)] == []


@pytest.mark.parametrize(("output", "said"), [
    ({"output_type": "error", "ename": "ScopeError", "evalue": "not granted", "traceback": []}, "ScopeError"),
    ({"output_type": "stream", "name": "stderr", "text": "Warning: slow\n"}, "stderr"),
])
def test_an_error_in_a_widget_output_is_caught(output: dict[str, Any], said: str) -> None:
    [problem] = widget_errors_stored("t.ipynb", _with_widget_output(output))
    assert "metadata.widgets" in problem and "0123456789abcdef0123456789abcdef" in problem and said in problem


def test_a_printed_traceback_is_caught_in_cells_and_widgets() -> None:
    text = f"{TRACEBACK}:\n  File \"x.py\", line 1\nValueError: no\n"
    [problem] = tracebacks_stored("t.ipynb", _with_output(PLACES[0](text)))
    assert "t.ipynb cell 2" in problem and TRACEBACK in problem
    html = {"output_type": "display_data", "metadata": {}, "data": {"text/html": f"<pre>{text}</pre>"}}
    [problem] = tracebacks_stored("t.ipynb", _with_widget_output(html))
    assert "metadata.widgets Output widget" in problem
    assert tracebacks_stored("t.ipynb", _with_output(  # an error output is errors_stored's, not counted twice
        {"output_type": "error", "ename": "E", "evalue": "v", "traceback": [text]})) == []


HEX40 = "3f9a0c1d" * 5
B64URL = "Zm9vYmFy_-" * 5  # base64url: letters, digits, '-' and '_'


@pytest.mark.parametrize("text", [
    f"token: {HEX40}", f"assertion={B64URL}", f'{{"client_secret": "{HEX40}"}}', f"private key {B64URL}",
    f"signing_key = '{HEX40.upper()}'",
])
def test_a_long_opaque_value_named_as_a_secret_is_caught(text: str) -> None:
    problems = secrets_stored("t.ipynb", _with_output(PLACES[0](text)))
    assert any("t.ipynb cell 2" in p and "opaque" in p for p in problems), problems


def test_a_secret_under_a_secret_named_key_is_caught() -> None:
    output = {"output_type": "display_data", "metadata": {}, "data": {"application/json": {"api_key": HEX40}}}
    assert any("opaque" in p for p in secrets_stored("t.ipynb", _with_output(output)))
    nb = clean_notebook()
    nb["metadata"]["widgets"] = {WIDGET_STATE: {"state": {"m": {"state": {"refresh_token": B64URL}}}}}
    assert any("metadata" in p and "opaque" in p for p in secrets_stored("t.ipynb", nb))


def test_images_model_ids_and_short_or_plain_values_are_not_secrets() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode()
    outputs = [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": "<Chart>"}},
        PLACES[0]("key: 0123456789abcdef0123456789abcdef"),  # a 32-hex widget model id
        PLACES[0]("token expires in 3540 s, scopes: SurveyAnswers:read"),
        PLACES[0]("secret_" + "a" * 60),  # an identifier of letters only, no digit: not opaque
        PLACES[0]("key " + "1234567890" * 5),  # digits only, no letter: a number, not a key
    ]
    nb = _with_widget_output({"output_type": "stream", "name": "stdout", "text": "key IPY_MODEL_" + "ab12" * 8})
    nb["cells"][2]["outputs"].extend(outputs)
    assert secrets_stored("t.ipynb", nb) == []
