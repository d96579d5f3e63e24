"""Write ``_cohort_methods.pyi`` from the catalogue: ``python -m mdh_notebook._cohort_stubgen``.

``--check`` writes nothing and exits 1 when the file on disk differs. The cohort's read methods
take exactly the session's arguments (:func:`mdh_notebook.methods.arguments`), so the stub is
rendered the way ``_stubgen`` renders the session's, under the cohort's class name and note.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ._cohort_methods import COHORT_NOTE, read_kinds
from ._stubgen import _docstring, _imports, _param, generate
from .kinds import Kind
from .methods import arguments, method_doc

__all__ = ["STUB", "main", "render"]

STUB = Path(__file__).with_name("_cohort_methods.pyi")

_HEADER = '''# ruff: noqa: E501  (generated: a filter's Literal choices are one long line)
"""Generated from the catalogue (mdh_notebook/kinds/) by `python -m mdh_notebook._cohort_stubgen`.

Do not edit: run `python -m mdh_notebook._cohort_stubgen`.
"""
'''


def _render_method(entry: Kind) -> str:
    args = arguments(entry, cohort=True)
    params = ["self", *(_param(a) for a in args if a.positional)]
    keyword = [_param(a) for a in args if not a.positional]
    if keyword:
        params += ["*", *keyword]
    lines = [f"    def {entry.name}(", *(f"        {p}," for p in params), "    ) -> pd.DataFrame:",
             _docstring(f"{COHORT_NOTE}\n\n{method_doc(entry, cohort=True)}", "        ")]
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole stub, as the catalogue generates it now."""
    kinds = read_kinds()
    body = "\n".join(_render_method(entry) for entry in kinds) if kinds else "    ...\n"
    imports = _imports(list(kinds)).replace("from mdh_notebook.paging", "from mdh_notebook.kinds import Kind\n"
                                                                     "from mdh_notebook.paging")
    module = "COHORT_NOTE: str\n\ndef read_kinds() -> list[Kind]: ...\n\n"
    return f"{_HEADER}\n" + (f"{imports}\n\n" if imports else "") + module + f"class _CohortMethods:\n{body}"


def main(argv: Sequence[str] | None = None) -> int:
    return generate(argv, prog="python -m mdh_notebook._cohort_stubgen", description=__doc__.split("\n\n")[0],
                    stub=STUB, text=render, fix="python -m mdh_notebook._cohort_stubgen")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
