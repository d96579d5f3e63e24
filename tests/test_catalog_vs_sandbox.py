"""The client's catalogue held against the sandbox's routes: path, scope, response shape, page size."""

from __future__ import annotations

import httpx
import pytest

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.filters import encode_params, encode_path
from mdh_notebook.kinds import KINDS, OPERATIONS, Kind, Operation

PARTICIPANT_KINDS = [k for k in KINDS.values() if k.token == "participant"]


def _token(client: mdh.Client, scopes: list[str]) -> str:
    session = client.connect("PT-0001", scopes)
    assert session.token is not None
    return session.token.value


@pytest.mark.parametrize("kind", PARTICIPANT_KINDS, ids=lambda k: k.name)
def test_catalogue_entry_matches_the_sandbox(sandbox: SandboxServer, client: mdh.Client, kind: Kind) -> None:
    other = next(k.scope for k in PARTICIPANT_KINDS if k.scope != kind.scope)
    # a required filter gets its first choice (e.g. a namespace) or a value that matches nothing (a type);
    # defaults are sent, and a path filter (api/v{version}/...) takes its default
    needed = {p.name: p.choices[0] if p.choices else "x" for p in kind.params if p.required}
    url = sandbox.url + kind.path.format(**encode_path(kind, needed))
    denied = httpx.get(url, headers={"Authorization": f"Bearer {_token(client, [other])}"})
    assert denied.status_code == 403, "the sandbox should ask for the catalogue's scope"
    token = _token(client, [kind.scope])
    params = encode_params(kind, needed)
    if kind.paging.size_param:
        params[kind.paging.size_param] = str(kind.paging.max_size + 50)
    ok = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, params=params)
    assert ok.status_code == 200
    body = ok.json()
    if kind.shape == "keyed":
        assert isinstance(body[kind.items_key], list)
        assert len(body[kind.items_key]) <= kind.paging.max_size, "max page size is the catalogue's"
        if kind.paging.style == "cursor":
            assert kind.paging.next_key in body
        if kind.paging.total_key:
            assert isinstance(body[kind.paging.total_key], int)
        records = body[kind.items_key]
    elif kind.shape == "array":
        assert isinstance(body, list)
        records = body
    else:
        assert isinstance(body, dict)
        records = [body]
    declared = {c.wire.split(".")[0] for c in kind.columns}
    seen = {key for record in records for key in record}
    assert seen <= declared, f"the sandbox sends keys the catalogue does not declare: {seen - declared}"


def test_admin_participants_kind(client: mdh.Client) -> None:
    frame = client.participants()
    assert len(frame) >= 12
    assert frame["participant_identifier"].str.match(r"PT-\d{4}").all()
    assert list(frame.columns[: len(KINDS["participants"].columns)]) == KINDS["participants"].column_names
    assert len(client.participants(query="PT-0001")) == 1


def test_every_kind_and_write_is_a_sandbox_route_with_the_same_token_and_scope(sandbox: SandboxServer) -> None:
    import re

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", "/" + path.lstrip("/"))

    routes = {(r["method"], shape(r["path"])): r for r in httpx.get(sandbox.url + "_sandbox/routes").json()["api"]}
    def paths(entry: Kind | Operation) -> list[str]:
        """The entry's path, once per choice of each path filter (``api/v{version}/...``: v1 and v2)."""
        found = [entry.path]
        for param in (p for p in entry.params if p.in_path):
            found = [path.replace("{" + param.name + "}", str(value)) for path in found
                     for value in (param.choices or (param.default,))]
        return found

    entries = [("GET", k) for k in KINDS.values()] + [(o.method, o) for o in OPERATIONS.values()]
    for method, entry in entries:
        for path in paths(entry):
            route = routes.get((method, shape(path)))
            assert route is not None, f"the sandbox serves no {method} {path}"
            assert route["token"] == entry.token, entry.name
            if entry.token == "participant":
                assert route["scope"] == entry.scope, entry.name
