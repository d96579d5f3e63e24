"""The error tree drawn in mdh_notebook.errors' docstring is the real one: every exception and
warning the client wing defines is drawn, under the parent it really has."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import mdh_notebook as mdh
from mdh_notebook import errors


def _client_modules() -> list[str]:
    """Every module of the package but the sandbox (an independent wing with errors of its own)."""
    names = [info.name for info in pkgutil.walk_packages(mdh.__path__, "mdh_notebook.")]
    return ["mdh_notebook", *(n for n in names if not n.startswith("mdh_notebook.emulator")
                              and not n.endswith("__main__"))]  # importing __main__ runs the command line


def _defined() -> dict[str, type[BaseException] | type[Warning]]:
    found: dict[str, type[BaseException] | type[Warning]] = {}
    for name in _client_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException):
                found[cls_name] = cls
    return found


def _drawn() -> dict[str, str]:
    """name -> the parent it is drawn under, from every tree in the docstring."""
    parents: dict[str, str] = {}
    doc = errors.__doc__ or ""
    for block in re.findall(r"::\n\n((?:    .*\n)+)", doc):
        stack: list[tuple[int, str]] = []
        for line in block.splitlines():
            match = re.match(r"([ │]*)(?:[├└]── )?(\w+)", line)
            assert match, line
            depth = len(match.group(1)) + (4 if "──" in line else 0)
            while stack and stack[-1][0] >= depth:
                stack.pop()
            parents[match.group(2)] = stack[-1][1] if stack else "Exception"  # a root
            stack.append((depth, match.group(2)))
    return parents


def test_every_exception_is_drawn_under_its_real_parent() -> None:
    drawn = _drawn()
    defined = _defined()
    exceptions = {n: c for n, c in defined.items() if not issubclass(c, Warning)}
    assert "CatalogueError" in exceptions and "CLIError" in exceptions  # the walk reaches kinds and cli
    missing = sorted(set(exceptions) - set(drawn))
    assert not missing, f"not drawn in mdh_notebook.errors' docstring: {missing}"
    for name, cls in exceptions.items():
        assert drawn[name] == cls.__bases__[0].__name__, (name, drawn[name], cls.__bases__)


def test_every_warning_is_named() -> None:
    warnings = [n for n, c in _defined().items() if issubclass(c, Warning)]
    assert sorted(warnings) == ["CacheWarning", "CohortWarning", "DataWarning", "NaiveDatetimeWarning",
                               "SourceDisabledWarning", "UnknownValueWarning"]
    assert all(f":class:`{n}`" in (errors.__doc__ or "") or f"``{n}``" in (errors.__doc__ or "") for n in warnings)


def test_a_token_in_server_text_is_redacted_but_the_servers_own_advice_is_kept() -> None:
    import httpx

    request = httpx.Request("GET", "http://sandbox.test/api/v1/delegated/participant")
    advice = httpx.Response(401, json={"message": "missing access token: send Authorization: Bearer <access token>"},
                            request=request)
    assert "Bearer <access token>" in str(errors.error_for_response(advice))
    echoed = httpx.Response(400, json={"message": "bad header Authorization: Bearer abc.def-123"}, request=request)
    assert "abc.def-123" not in str(errors.error_for_response(echoed))
