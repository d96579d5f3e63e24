"""Where credentials and the base URL come from.

Order, first match wins, and each variable is taken from the first place that has it:

1. explicit arguments to :meth:`Config.resolve` / ``connect()``;
2. environment variables ``MDH_BASE_URL``, ``RKS_SERVICE_ACCOUNT``, ``RKS_PROJECT_ID``,
   ``RKS_PRIVATE_KEY`` (PEM text) or ``MDH_PRIVATE_KEY_FILE`` (a path to it);
3. a ``.env`` file in the working directory (same names);
4. nothing at all → :meth:`Config.resolve` returns ``None`` and ``connect()`` falls back
   to the embedded sandbox.

Half a configuration (say an account but no key) is an error naming what is missing,
never a silent fall-back. Nothing here runs at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import ConfigurationError

__all__ = ["DEFAULT_BASE_URL", "Config", "load_private_key"]

DEFAULT_BASE_URL = "https://mydatahelps.org/"
TOKEN_PATH = "identityserver/connect/token"

_ENV_NAMES = {
    "base_url": "MDH_BASE_URL",
    "service_account": "RKS_SERVICE_ACCOUNT",
    "project_id": "RKS_PROJECT_ID",
    "private_key": "RKS_PRIVATE_KEY",
    "private_key_file": "MDH_PRIVATE_KEY_FILE",
}


def load_private_key(pem: str | bytes, *, origin: str = "the private key") -> rsa.RSAPrivateKey:
    """Parse an RSA private key from PEM (PKCS#1 or PKCS#8) once, with an error that names the fix."""
    if isinstance(pem, str):
        text = pem.strip()
        if "\\n" in text and "\n" not in text:  # one-line .env spelling
            text = text.replace("\\n", "\n")
        data = text.encode()
    else:
        data = pem.strip()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"{origin} is not an unencrypted PEM private key ({type(exc).__name__}); it should start with "
            "'-----BEGIN RSA PRIVATE KEY-----' — paste the whole key your service account was registered with"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"{origin} is not an RSA key; MyDataHelps service accounts sign with RS256")
    return key


def _normalise_base_url(url: str) -> str:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"MDH_BASE_URL {url!r} is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"MDH_BASE_URL {url!r} must be an http(s) URL such as {DEFAULT_BASE_URL!r}"
        )
    text = str(parsed)
    return text if text.endswith("/") else text + "/"


@dataclass(frozen=True)
class Config:
    """A complete service-account configuration. The key is held parsed and never shown."""

    base_url: str
    service_account: str
    project_id: str
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)
    source: str = "arguments"

    def __repr__(self) -> str:
        return (f"Config(base_url={self.base_url!r}, service_account={self.service_account!r}, "
                f"project_id={self.project_id!r}, private_key=<hidden>, source={self.source!r})")

    @property
    def token_url(self) -> str:
        return str(httpx.URL(self.base_url).join(TOKEN_PATH))

    @classmethod
    def from_values(cls, *, base_url: str | None = None, service_account: str, project_id: str,
                    private_key: str | bytes | rsa.RSAPrivateKey, source: str = "arguments") -> Config:
        """Build a config from known values (PEM text, bytes or a loaded key)."""
        key = private_key if isinstance(private_key, rsa.RSAPrivateKey) else load_private_key(private_key)
        return cls(_normalise_base_url(base_url or DEFAULT_BASE_URL), service_account.strip(),
                   project_id.strip(), key, source)

    @classmethod
    def resolve(
        cls,
        *,
        base_url: str | None = None,
        service_account: str | None = None,
        project_id: str | None = None,
        private_key: str | bytes | None = None,
        private_key_file: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | os.PathLike[str] | None = None,
    ) -> Config | None:
        """Resolve arguments > environment > ``.env``; ``None`` when nothing is configured at all.

        ``environ`` defaults to ``os.environ`` and ``dotenv_path`` to ``./.env``; both are
        read only when this is called.
        """
        from dotenv import dotenv_values

        env = os.environ if environ is None else environ
        dotenv_file = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
        dot: dict[str, Any] = dict(dotenv_values(dotenv_file)) if dotenv_file.is_file() else {}

        given = {"base_url": base_url, "service_account": service_account, "project_id": project_id,
                 "private_key": private_key, "private_key_file": private_key_file}
        levels = (("arguments", given.get), ("environment", lambda n: env.get(_ENV_NAMES[n])),
                  (str(dotenv_file), lambda n: dot.get(_ENV_NAMES[n])))
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for name in ("base_url", "service_account", "project_id"):
            for origin, lookup in levels:
                value = lookup(name)
                if value not in (None, ""):
                    values[name], origins[name] = value, origin
                    break
        # the key is ONE setting in two spellings: the first level that has either form wins
        for origin, lookup in levels:
            pem, file = lookup("private_key"), lookup("private_key_file")
            if pem not in (None, "") and file not in (None, ""):
                raise ConfigurationError(
                    f"both RKS_PRIVATE_KEY and MDH_PRIVATE_KEY_FILE are set in {origin}: keep one of them"
                )
            if pem not in (None, ""):
                values["private_key"], origins["private_key"] = pem, origin
                break
            if file not in (None, ""):
                values["private_key_file"], origins["private_key_file"] = file, origin
                break

        credential_names = ("service_account", "project_id")
        has_key = "private_key" in values or "private_key_file" in values
        if not any(n in values for n in credential_names) and not has_key:
            if "base_url" in values:
                raise ConfigurationError(
                    f"MDH_BASE_URL is set (from {origins['base_url']}) but no service account is: also set "
                    "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE), "
                    "or unset MDH_BASE_URL to use the embedded sandbox"
                )
            return None
        missing = [_ENV_NAMES[n] for n in credential_names if n not in values]
        if not has_key:
            missing.append("RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE)")
        if missing:
            found = sorted({origins[n] for n in values})
            raise ConfigurationError(
                f"incomplete MyDataHelps configuration (found some in {', '.join(found)}): set "
                + ", ".join(missing)
                + " as arguments, environment variables or in .env — or remove the others to use the sandbox"
            )

        if "private_key" in values:
            key = load_private_key(values["private_key"], origin=f"RKS_PRIVATE_KEY (from {origins['private_key']})")
        else:
            path = Path(values["private_key_file"]).expanduser()
            try:
                pem = path.read_bytes()
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot read MDH_PRIVATE_KEY_FILE {str(path)!r}: {exc.strerror}; point it at your PEM key file"
                ) from None
            key = load_private_key(pem, origin=f"the key file {str(path)!r}")
        source = ", ".join(dict.fromkeys(origins.values()))  # every place a setting came from
        return cls(
            _normalise_base_url(values.get("base_url") or DEFAULT_BASE_URL),
            str(values["service_account"]).strip(),
            str(values["project_id"]).strip(),
            key,
            source,
        )
