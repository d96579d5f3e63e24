"""A hand-written protocol client for the sandbox's tests.

The tests speak raw HTTP (httpx) and build JWT assertions with PyJWT + cryptography, the way an
independent client would; nothing from the client wing of mdh_notebook is used.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization

from mdh_notebook.emulator import SandboxServer

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def instant(text: str) -> dt.datetime:
    """Independent reading of the API's date forms: no offset means UTC."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP: Any = _Drop()


class Proto:
    """A minimal hand-written protocol client bound to one running sandbox."""

    DROP = DROP  # pass as a claim value to leave the claim out

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.creds = server.credentials
        self.key: Any = serialization.load_pem_private_key(self.creds.private_key_pem.encode(), password=None)
        self.http = httpx.Client(base_url=server.url, timeout=10)

    @property
    def token_url(self) -> str:
        return self.creds.base_url + "identityserver/connect/token"

    @property
    def admin(self) -> str:
        return f"api/v1/administration/projects/{self.creds.project_id}"

    def claims(self, **overrides: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": self.creds.service_account,
            "sub": self.creds.service_account,
            "aud": self.token_url,
            "exp": time.time() + 200,
            "jti": str(uuid.uuid4()),
        }
        for name, value in overrides.items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def assertion(self, key: Any = None, algorithm: str = "RS256", **overrides: Any) -> str:
        return jwt.encode(self.claims(**overrides), key or self.key, algorithm=algorithm)

    def token_request(self, form: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.http.post("identityserver/connect/token", data=form, **kwargs)

    def service_form(self, assertion: str | None = None) -> dict[str, str]:
        return {
            "scope": "api",
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion or self.assertion(),
        }

    def service_token(self) -> str:
        response = self.token_request(self.service_form())
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def participant_id(self, identifier: str = "PT-0001", token: str | None = None) -> str:
        response = self.get(f"{self.admin}/participants/{identifier}", token or self.service_token())
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def delegated_form(self, participant_id: str, service_token: str, scope: str, **extra: str) -> dict[str, str]:
        form = {
            "scope": scope,
            "grant_type": "delegated_participant",
            "participant_id": participant_id,
            "client_id": "MyDataHelps.DelegatedParticipant",
            "client_secret": "secret",
            "token": service_token,
        }
        form.update(extra)
        return form

    def participant_token(self, identifier: str = "PT-0001", scope: str = "api") -> str:
        service = self.service_token()
        pid = self.participant_id(identifier, service)
        response = self.token_request(self.delegated_form(pid, service, scope))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.get(path, headers=headers, params=params or None)

    def all_pages(self, path: str, token: str, items_key: str, **params: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """Follow nextPageID to the end; return (items, cursors seen)."""
        items: list[dict[str, Any]] = []
        cursors: list[str] = []
        page_params = dict(params)
        for _ in range(1000):
            response = self.get(path, token, **page_params)
            assert response.status_code == 200, response.text
            body = response.json()
            assert set(body) == {items_key, "nextPageID"}
            items.extend(body[items_key])
            cursor = body["nextPageID"]
            if cursor is None:
                return items, cursors
            assert body[items_key], "a page with a next cursor must not be empty"
            cursors.append(cursor)
            page_params["pageID"] = cursor
        raise AssertionError("paging did not terminate")
