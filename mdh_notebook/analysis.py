"""Analysis helpers an analyst expects of survey answers: one row per survey result, and scores.

``session.survey_answers()`` gives one row per answer record (one per question, or per item of a
form step), with the values in a list column ``answers``. :func:`answers_wide` turns that into one
row per survey result with one column per item; :func:`survey_scores` sums the numeric items of
each result (a PHQ-9 total)::

    >>> wide = mdh.answers_wide(session.survey_answers(survey_name="PHQ-9"))   # doctest: +SKIP
    >>> scores = mdh.survey_scores(session.survey_answers(), survey_name="PHQ-9")   # doctest: +SKIP

An item's column is named by its ``result_identifier`` — for a one-question step that is the step
identifier itself (``Mood``), for a form step each item's own (``PHQ9_1`` … ``PHQ9_9`` of the step
``PHQ9``); where an answer has no result identifier, its step identifier.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .errors import InvalidArgumentError
from .frames import DataWarning

__all__ = ["LEADING", "answers_wide", "scored_surveys", "survey_scores"]

LEADING: tuple[str, ...] = ("survey_result_id", "survey_name", "participant_identifier", "participant_id", "date")
"""The columns that come first in :func:`answers_wide` and :func:`survey_scores`: which result, of
which survey, whose, and when (the earliest date among its answers; missing when none has one)."""

_NEEDED = (*LEADING, "step_identifier", "answers")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INT64 = 2**63


def _check_answers(frame: object, caller: str) -> pd.DataFrame:
    source = "the frame of session.survey_answers() (or mdh.to_frame('survey_answers', records))"
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"{caller} takes {source}, not a {type(frame).__name__}")
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise InvalidArgumentError(f"{caller} takes {source}; it has no column{'s' if len(missing) > 1 else ''} "
                                   f"{names}")
    return frame


def _given(value: Any) -> bool:
    """Whether one value in an answer's list is an answer (not None, not a NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _values(cell: Any) -> list[Any] | None:
    """An ``answers`` cell as a list of values (None where there is no answer record); a ``None`` or
    NaN inside the list is no answer (``[nan]`` is missing, never the text "nan")."""
    if isinstance(cell, (list, tuple)):
        return [v for v in cell if _given(v)]
    if hasattr(cell, "tolist") and not isinstance(cell, str):  # a numpy array (e.g. read back from Parquet)
        return [v for v in cell.tolist() if _given(v)]
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return None
    return [cell]


def _check_not_text(answers: pd.Series, caller: str) -> None:
    """Refuse an ``answers`` column of list-shaped text (a frame read back from CSV): its values
    would be read as one string each ("['1']"), not as the answers."""
    for cell in answers.tolist():
        if isinstance(cell, str) and cell.strip().startswith("[") and cell.strip().endswith("]"):
            raise InvalidArgumentError(
                f"{caller}: the answers column holds text like {cell[:40]!r}, not lists — a frame read back "
                "from CSV; save and read survey answers as Parquet (lists kept), or parse the column first: "
                "frame['answers'] = frame['answers'].map(ast.literal_eval)")


def _number(value: Any) -> int | float | None:
    """A single answer as a number: a JSON number (never a boolean) or a numeric string; else None."""
    number: int | float
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str) and _NUMBER.fullmatch(text := value.strip()):
        number = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    else:
        return None
    if isinstance(number, int):  # a whole number past Int64 is read as a float, like pandas does
        return number if abs(number) < _INT64 else _finite(float(number) if abs(number) < 10**308 else math.inf)
    return _finite(number)


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _item_column(cells: list[list[Any] | None]) -> pd.Series:
    """One item's cells (a list of values each, None where the result has no such answer) as a
    column: lists where any answer has several values; numbers where every answer is one number
    (Int64 when all are whole and fit, else Float64); strings otherwise."""
    present = [c for c in cells if c is not None]
    if any(len(c) > 1 for c in present):
        return pd.Series([None if c is None else list(c) for c in cells], dtype="object")
    singles = [c[0] if c else None for c in cells]
    numbers = [None if v is None else _number(v) for v in singles]
    given = [n for v, n in zip(singles, numbers, strict=True) if v is not None]
    if given and all(n is not None for n in given):
        if all(isinstance(n, int) or (n is not None and n.is_integer() and abs(n) < _INT64) for n in given):
            return pd.Series([None if n is None else int(n) for n in numbers], dtype="Int64")
        return pd.Series([None if n is None else float(n) for n in numbers], dtype="Float64")
    return pd.Series([None if v is None else _text(v) for v in singles], dtype="string")


_NUMERIC = frozenset({"Int64", "Float64"})


def _item_column_per_survey(cells: list[list[Any] | None], surveys: list[Any]) -> pd.Series:
    """One item's column with its type decided per survey (``surveys``: each row's survey name), so
    that mixing surveys never changes what a survey's answers mean: where the surveys that answered
    the item agree (all numbers, all text, all lists) the column is of that type, as for one survey;
    where they disagree, an ``object`` column holds each survey's values as that survey alone gives
    them (a number for the survey that answers with numbers, a string for the one that answers in words)."""
    groups: dict[Any, list[int]] = {}
    for row, survey in enumerate(surveys):
        groups.setdefault(None if survey is None or survey is pd.NA else survey, []).append(row)
    typed: list[tuple[list[int], pd.Series]] = []
    for rows in groups.values():
        group = [cells[r] for r in rows]
        if any(c for c in group):  # a survey that never answered the item has no say in its type
            typed.append((rows, _item_column(group)))
    kinds = {"number" if str(column.dtype) in _NUMERIC else str(column.dtype) for _, column in typed}
    if len(kinds) <= 1:
        return _item_column(cells)
    lists = "object" in kinds  # a survey that answered none keeps its [] (none selected) beside others' lists
    out: list[Any] = [[] if lists and c == [] else None for c in cells]
    for rows, column in typed:
        for r, value in zip(rows, column.astype("object").tolist(), strict=True):
            out[r] = None if value is None or value is pd.NA else value
    return pd.Series(out, dtype="object")


def _natural(name: str) -> tuple[tuple[int, int | str], ...]:
    """``PHQ9_10`` after ``PHQ9_9``: digit runs compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)


def _item_order(step_of: dict[str, str]) -> list[str]:
    """Items by the order their steps were first seen; a form step's items in natural order."""
    steps: dict[str, list[str]] = {}
    for item, step in step_of.items():
        steps.setdefault(step, []).append(item)
    return [item for items in steps.values() for item in sorted(items, key=_natural)]


def _unique_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def answers_wide(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per survey result, one column per item, from a ``survey_answers`` frame.

    Columns: :data:`LEADING` (``survey_result_id``, ``survey_name``, ``participant_identifier``,
    ``participant_id``, ``date`` — the result's earliest answer date, ``NaT`` when none has one), then
    one column per item (named as the module docstring says; a name that is already taken gets ``_``
    appended), in the order their steps are first seen, the items of one form step in natural order
    (``PHQ9_2`` before ``PHQ9_10``: the API gives a form's items in no set order).

    An item's column holds numbers (``Int64`` when every answer is a whole number, ``Float64``
    otherwise) where every answer given is one number, lists where any answer has several values (a
    multi-select: every answer is then a list, ``[]`` for none selected), strings otherwise; missing
    where a result has no answer for it. Results of different surveys have the items of all of them
    (missing where a survey has no such item); an item's type is decided per survey, so adding
    another survey's results never changes it: where surveys answer one item in different types
    (``Q1`` a number in one, a word in another) its column is ``object``, each survey's values as
    that survey alone would give them.

    Rows are ordered by date (results without one last), then as first seen. An answer record
    given twice for one item of a result counts once (the first), with a :class:`DataWarning`
    saying how many were left out. An ``answers`` column of text (a frame read back from CSV) is
    refused with :class:`InvalidArgumentError`. Answers without a result id are
    each a result of their own (``survey_result_id`` missing).
    """
    frame = _check_answers(frame, "answers_wide()")
    _check_not_text(frame["answers"], "answers_wide()")
    n = len(frame)
    ids = frame["survey_result_id"].astype("object").tolist()
    steps = frame["step_identifier"].astype("object").tolist()
    results = (frame["result_identifier"].astype("object").tolist() if "result_identifier" in frame.columns
               else [None] * n)
    answers = frame["answers"].tolist()

    names = frame["survey_name"].astype("object").tolist()
    seen: dict[str, int] = {}  # a result id -> its row, in first-seen order
    codes: list[int] = []
    survey_of: dict[int, Any] = {}  # a row -> its survey (the first named among its answers)
    cells: dict[str, dict[int, list[Any] | None]] = {}
    step_of: dict[str, str] = {}  # an item -> the step it was first seen in
    repeated = 0
    for rid, step, result, cell, survey in zip(ids, steps, results, answers, names, strict=True):
        code = seen.setdefault(rid, len(codes)) if isinstance(rid, str) else len(codes)
        codes.append(code)
        if isinstance(survey, str) and survey_of.get(code) is None:
            survey_of[code] = survey
        item = result if isinstance(result, str) and result else step
        if not isinstance(item, str) or not item:
            continue  # an answer to no named step has no column to go in
        column = cells.setdefault(item, {})
        step_of.setdefault(item, step if isinstance(step, str) else item)
        if code not in column:
            column[code] = _values(cell)
        else:
            repeated += 1
    rows = sorted(set(codes))
    if repeated:
        warnings.warn(f"answers_wide(): {repeated} answer record{'s' if repeated > 1 else ''} repeat an item already "
                      "answered in the same survey result; the first of each is kept (drop duplicates first, e.g. "
                      "frame.drop_duplicates('id'), to choose)", DataWarning, stacklevel=2)

    by = frame[list(LEADING)].groupby(pd.Series(codes, index=frame.index, dtype="int64"), sort=True)
    leading = by[[c for c in LEADING if c != "date"]].first()
    leading["date"] = by["date"].min()
    leading = leading.reindex(rows)[list(LEADING)]
    for name in LEADING:
        leading[name] = leading[name].astype(frame[name].dtype)

    out = leading.reset_index(drop=True)
    taken = set(out.columns)
    columns: dict[str, pd.Series] = {}
    for item in _item_order(step_of):
        name = _unique_name(item, taken)
        taken.add(name)
        columns[name] = _item_column_per_survey([cells[item].get(code) for code in rows],
                                                [survey_of.get(code) for code in rows])
    if columns:
        out = pd.concat([out, pd.DataFrame(columns)], axis=1)
    sort = pd.DataFrame({"missing": out["date"].isna(), "date": out["date"], "seen": range(len(out))})
    out = out.iloc[sort.sort_values(["missing", "date", "seen"], kind="stable").index].reset_index(drop=True)
    out.attrs = {k: v for k, v in frame.attrs.items() if k == "tz"}
    out.attrs["kind"] = "answers_wide"
    return out


def _names(value: str | Sequence[str] | None, what: str) -> list[str] | None:
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) for v in names):
        raise InvalidArgumentError(f"survey_scores(): {what} takes a name or a list of names, got {value!r}")
    return names


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value)


def _numeric_in(column: pd.Series, where: Any) -> str:
    """What ``column`` holds in the rows ``where`` (one survey's): ``Int64``, ``Float64`` (numbers,
    as that survey alone gives them), ``""`` when it has no answer there, ``other`` otherwise."""
    dtype = str(column.dtype)
    values = column[where]
    if dtype in _NUMERIC:
        return dtype if values.notna().any() else ""
    if dtype != "object":
        return "other" if values.notna().any() else ""
    given = [v for v in values.tolist() if v is not None and not (not isinstance(v, list) and pd.isna(v))]
    if not given:
        return ""
    if all(_is_number(v) for v in given):
        return "Int64" if all(isinstance(v, int) for v in given) else "Float64"
    return "other"


def survey_scores(frame: pd.DataFrame, survey_name: str | Sequence[str] | None = None,
                  steps: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Per survey result, how many numeric items were answered and their sum (e.g. a PHQ-9 total).

    ``frame``: a ``survey_answers`` frame. ``survey_name``: keep only results of that survey (or
    surveys). ``steps``: the items to add up, by their :func:`answers_wide` column names (default:
    every numeric item). An item is numeric or not per survey, as :func:`answers_wide` types it, so a
    result's total is the same whether or not other surveys' results are in ``frame``. Columns:
    :data:`LEADING`, then ``items`` (``Int64``: numeric answers counted) and ``total`` (their sum:
    ``Int64`` when every item summed is whole, ``Float64`` otherwise; missing when ``items`` is 0).
    Rows are ordered as in :func:`answers_wide`.
    """
    frame = _check_answers(frame, "survey_scores()")
    surveys = _names(survey_name, "survey_name")
    chosen = _names(steps, "steps")
    if surveys is not None:
        frame = frame[frame["survey_name"].isin(surveys).fillna(False).to_numpy(dtype=bool)]
    wide = answers_wide(frame)
    item_names = list(wide.columns[len(LEADING):])
    if chosen is not None:
        unknown = [s for s in chosen if s not in item_names]
        if unknown and len(wide):
            listed = ", ".join(map(str, item_names)) or "none"
            raise InvalidArgumentError(f"survey_scores(): no item {unknown[0]!r} in these answers (items: {listed})")
    names = wide["survey_name"].astype("object")
    keys = names.where(names.notna(), None)
    sums: list[pd.Series] = []
    counted = pd.Series(0, index=wide.index)
    whole = True
    for survey in dict.fromkeys(keys.tolist()):
        rows = (keys.isna() if survey is None else keys == survey).to_numpy(dtype=bool)
        types = {c: _numeric_in(wide[c], rows) for c in (chosen if chosen is not None else item_names)
                 if c in wide.columns}
        wrong = [c for c, t in types.items() if t == "other"] if chosen is not None else []
        if wrong:
            which = "results without a survey name" if survey is None else f"survey {survey!r}"
            raise InvalidArgumentError(
                f"survey_scores(): item {wrong[0]!r} is not numeric in {which} (its answers there are "
                f"{'lists or text' if wide[wrong[0]].dtype == object else wide[wrong[0]].dtype}); leave it out "
                "of steps, or choose the surveys with survey_name=")
        items = [c for c, t in types.items() if t in _NUMERIC]
        if not items:
            continue
        group_whole = all(types[c] == "Int64" for c in items)
        whole = whole and group_whole
        values = wide.loc[rows, items].astype("Int64" if group_whole else "Float64")
        sums.append(values.sum(axis=1, min_count=1))
        counted.loc[values.index] = values.notna().sum(axis=1)
    dtype = "Int64" if whole else "Float64"
    total = pd.Series(pd.NA, index=wide.index, dtype=dtype)
    for part in sums:
        total.loc[part.index] = part.astype(dtype)
    out = wide[list(LEADING)].copy()
    out["items"] = counted.astype("Int64")
    out["total"] = total
    out.attrs = dict(wide.attrs, kind="survey_scores")
    return out


def scored_surveys(frame: pd.DataFrame) -> list[str]:
    """The surveys in a ``survey_answers`` frame whose every item is answered with numbers — scored
    instruments such as the PHQ-9. A survey with a free-text or multi-select item (a mood diary with
    a note) is left out: the sum of its numbers is no score. In first-seen order."""
    frame = _check_answers(frame, "scored_surveys()")
    scored: list[str] = []
    for name in frame["survey_name"].dropna().unique().tolist():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)  # repeats are answers_wide's to report, not ours
            wide = answers_wide(frame[(frame["survey_name"] == name).fillna(False).to_numpy(dtype=bool)])
        items = list(wide.columns[len(LEADING):])
        if items and all(str(wide[item].dtype) in _NUMERIC for item in items):
            scored.append(str(name))
    return scored
