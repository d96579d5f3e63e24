"""``mdh-notebook authenticator``: serve participant tokens to API-key holders until SIGINT/SIGTERM.

``configure(parser)`` adds the options, ``run(args)`` runs it (``mdh_notebook/cli.py`` wires both; so
does ``python -m mdh_notebook.authenticator``). The service account is configured as ``connect()``'s
is: the options below, else ``MDH_*``/``RKS_*`` environment variables, else a ``.env`` file
(``--env-file`` names another). Once listening it prints ``MDH authenticator listening on <url>``
(flushed) on stdout; the log (who got what, who was refused) goes to stderr. Neither ever holds a
token or a key.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from ..client import Client
from ..config import Config
from ..errors import ConfigurationError, MDHError
from .grants import Grants
from .server import AuthenticatorServer
from .service import LOGGER_NAME, TokenService

__all__ = ["READY_LINE", "configure", "run"]

READY_LINE = "MDH authenticator listening on {url}"
_NOT_CONFIGURED = (
    "no MyDataHelps service account is configured, and the authenticator needs one: set MDH_BASE_URL, "
    "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE) in the environment or a "
    ".env file (or pass --env-file PATH). To try it locally, start `mdh-notebook sandbox --env-file sandbox.env` "
    "in another terminal and run this with --env-file sandbox.env (see `mdh-notebook sandbox --help`)"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, metavar="FILE",
                        help="the grants file (TOML, one [[grant]] per API key: api_key or api_key_sha256, "
                             "participants, scopes)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 = any free port (default %(default)s)")
    parser.add_argument("--cors-origin", action="append", default=None, metavar="ORIGIN", dest="cors_origins",
                        help="a web origin allowed to call it, e.g. https://study.example.org (repeatable; '*' = "
                             "any); default: any loopback origin")
    parser.add_argument("--env-file", default=None, metavar="PATH",
                        help="read MDH_BASE_URL / RKS_* from this dotenv file instead of ./.env")
    parser.add_argument("--base-url", default=None, help="the MyDataHelps base URL (else MDH_BASE_URL)")
    parser.add_argument("--service-account", default=None, help="the service account (else RKS_SERVICE_ACCOUNT)")
    parser.add_argument("--project-id", default=None, help="the project id (else RKS_PROJECT_ID)")
    parser.add_argument("--private-key-file", default=None, metavar="PATH",
                        help="the service account's PEM key file (else RKS_PRIVATE_KEY / MDH_PRIVATE_KEY_FILE)")


def _fail(message: str) -> int:
    print(f"mdh-notebook authenticator: error: {message}", file=sys.stderr, flush=True)
    return 2


def _log_to_stderr() -> None:
    """INFO lines on stderr for our logger, unless the embedding program set up logging itself."""
    logger = logging.getLogger(LOGGER_NAME)
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _warn_if_readable(path: str, grants: Grants) -> None:
    """A file holding API keys themselves should be its owner's alone (as ssh says of a private key)."""
    plain = [g.name for g in grants.grants if g.plain_key]
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if plain and mode & 0o077:
        logging.getLogger(LOGGER_NAME).warning(
            "%s holds the API key itself for %s and others can read it: chmod 600 %s, or write api_key_sha256 "
            "instead (mdh_notebook.authenticator.hash_api_key)", path, ", ".join(map(repr, plain)), path)


def _resolve(args: argparse.Namespace) -> Config | None:
    if args.env_file is not None:
        from pathlib import Path

        if not Path(args.env_file).is_file():
            raise ConfigurationError(f"--env-file {args.env_file!r} is not a file; "
                                     "`mdh-notebook sandbox --env-file PATH` writes one for the sandbox")
    return Config.resolve(base_url=args.base_url, service_account=args.service_account,
                          project_id=args.project_id, private_key_file=args.private_key_file,
                          dotenv_path=args.env_file)


def run(args: argparse.Namespace) -> int:
    """Load the grants, check the service account, listen, announce the URL, serve; 0 on a clean stop."""
    try:
        grants = Grants.load(args.config)
        config = _resolve(args)
    except MDHError as exc:
        return _fail(str(exc))
    if config is None:
        return _fail(_NOT_CONFIGURED)
    _log_to_stderr()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    client = Client(config, rate_limit_wait=0)  # a spent budget is a prompt 503 + Retry-After, not a held request
    service = TokenService(client, grants, owns_client=True)
    server = AuthenticatorServer(service, host=args.host, port=args.port, cors_origins=args.cors_origins)
    in_main = threading.current_thread() is threading.main_thread()  # signals can only be caught there
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)} if in_main else {}
    try:
        try:
            client.run_flow(client.service_tokens.fresh_flow)  # the service account works, or say so now
        except MDHError as exc:
            return _fail(f"the service account cannot get a token from {config.base_url}: {exc}")
        try:
            server.start()
        except MDHError as exc:
            return _fail(str(exc))
        _warn_if_readable(args.config, grants)
        logging.getLogger(LOGGER_NAME).info(
            "serving %d grant(s) from %s for %s (%s)", len(grants), args.config, config.base_url,
            "CORS: " + (", ".join(args.cors_origins) if args.cors_origins else "loopback origins"))
        print(READY_LINE.format(url=server.url), flush=True)
        while not stop.wait(3600):
            pass
        return 0
    finally:
        server.stop()
        service.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """``python -m mdh_notebook.authenticator``."""
    parser = argparse.ArgumentParser(prog="python -m mdh_notebook.authenticator",
                                     description="Serve MyDataHelps participant tokens to API-key holders.")
    configure(parser)
    return run(parser.parse_args(argv))
