"""Write ``_kind_methods.pyi`` from the catalogue: ``python -m mdh_notebook._stubgen`` (``make stubs``).

``--check`` writes nothing and exits 1 when the file on disk differs from what the catalogue
generates. The stub is what mypy and editors see of the generated session methods.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .kinds import Kind, Operation
from .methods import Arg, arguments, generated, method_doc

__all__ = ["STUB", "main", "render", "render_method"]

STUB = Path(__file__).with_name("_kind_methods.pyi")

_HEADER = '''"""Generated from the catalogue (mdh_notebook/kinds/) by `python -m mdh_notebook._stubgen`.

Do not edit: run `make stubs`.
"""
'''
_FROM = {"collections.abc": ("Callable", "Mapping", "Sequence"), "datetime": ("date", "datetime"),
         "typing": ("Any", "Literal"), "uuid": ("UUID",), "mdh_notebook.paging": ("PagerState",)}


def _docstring(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = "\n".join(f"{indent}{line}" if line else "" for line in text.rstrip("\n").split("\n"))
    return f'{indent}"""{body.lstrip()}\n{indent}"""'


def _param(arg: Arg) -> str:
    return f"{arg.name}: {arg.annotation}" + ("" if arg.required else f" = {arg.default!r}")


def _returns(entry: Kind | Operation) -> str:
    return "pd.DataFrame" if isinstance(entry, Kind) else "Any"


def render_method(entry: Kind | Operation) -> str:
    """One method of the stub, docstring included."""
    args = arguments(entry)
    params = ["self", *(_param(a) for a in args if a.positional)]
    keyword = [_param(a) for a in args if not a.positional]
    if keyword:
        params += ["*", *keyword]
    lines = [f"    def {entry.name}(", *(f"        {p}," for p in params), f"    ) -> {_returns(entry)}:",
             _docstring(method_doc(entry), "        ")]
    return "\n".join(lines) + "\n"


def _imports(entries: Sequence[Kind | Operation]) -> str:
    used: set[str] = set()
    for entry in entries:
        for text in [a.annotation for a in arguments(entry)] + [_returns(entry)]:
            used |= set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", re.sub(r"'[^']*'|\"[^\"]*\"", "", text)))
    lines = [f"from {module} import {', '.join(n for n in names if n in used)}"
             for module, names in _FROM.items() if used & set(names)]
    stdlib = [line for line in lines if not line.startswith("from mdh_notebook")]
    ours = [line for line in lines if line.startswith("from mdh_notebook")]
    third = ["import pandas as pd"] if "pd" in used else []
    return "\n\n".join("\n".join(group) for group in (stdlib, third, ours) if group)  # isort's groups


def render() -> str:
    """The whole stub, as the catalogue generates it now."""
    entries = list(generated())
    body = "\n".join(render_method(entry) for entry in entries) if entries else "    ...\n"
    imports = _imports(entries)
    return f"{_HEADER}\n" + (f"{imports}\n\n" if imports else "") + f"class _KindMethods:\n{body}"


def generate(argv: Sequence[str] | None, *, prog: str, description: str, stub: Path, text: Callable[[], str],
             fix: str) -> int:
    """The command line of a stub generator (this one, and ``_cohort_stubgen``): write ``stub`` when
    ``text()`` differs from it, or with ``--check`` write nothing and exit 1 naming ``fix``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--check", action="store_true", help="exit 1 if the stub on disk is out of date")
    args = parser.parse_args(argv)
    wanted = text()
    current = stub.read_text() if stub.exists() else ""
    if args.check:
        if current != wanted:
            print(f"{stub} is out of date: run `{fix}`", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        stub.write_text(wanted)
        print(f"wrote {stub}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return generate(argv, prog="python -m mdh_notebook._stubgen", description=__doc__.split("\n\n")[0], stub=STUB,
                    text=render, fix="make stubs")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
