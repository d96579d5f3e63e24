"""Friendly write methods of the accounts family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlsplit

from ..errors import InvalidArgumentError, TransportError
from ..filters import as_integer
from ._base import SessionLike

__all__ = ["AccountWrites"]


class AccountWrites(SessionLike):
    """Connecting an external account (refreshing and deleting one are generated from the catalogue)."""

    def connect_external_account(self, provider_id: int | str, final_redirect: str) -> str:
        """Start connecting the provider ``provider_id`` (an ``id`` of
        ``external_account_providers()``): the URL of its authorization page, to open in a browser.

        Needs scope ``ExternalAccounts:connect``. As the JS SDK does, a random verifier is made,
        its SHA-256 sent as ``verifierHash``, and the verifier put in the returned URL's fragment
        (``#verifier=...``), which the provider's page reads. Once the participant answers there,
        the browser lands on ``final_redirect`` (an absolute http(s) URL); a ``%SUCCESSVALUE%`` in
        it becomes ``true`` or ``false``. The new account then shows in ``external_accounts()``.
        """
        number = None if isinstance(provider_id, str) else as_integer(provider_id)
        if number is not None:
            provider_id = number  # an id taken from a frame is a numpy integer
        if isinstance(provider_id, bool) or not isinstance(provider_id, (int, str)) or not str(provider_id).strip():
            raise InvalidArgumentError(
                f"connect_external_account() needs a provider id (an integer), got {provider_id!r}")
        parts = urlsplit(final_redirect) if isinstance(final_redirect, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgumentError("connect_external_account() needs final_redirect= as an absolute http(s) URL, "
                                       f"got {final_redirect!r}")
        verifier = secrets.token_hex(16)
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        answer = self.call("connect_external_account", path={"provider_id": str(provider_id).strip()},
                           params={"final_redirect": final_redirect, "verifier_hash": digest})
        url = answer.strip().strip("'\"") if isinstance(answer, str) else ""
        if not url:
            raise TransportError(f"connect_external_account(): the server answered {answer!r}, not a URL")
        return f"{url.split('#', 1)[0]}#verifier={verifier}"
