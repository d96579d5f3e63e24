"""``mdh-notebook sandbox``: run the emulator in the foreground until SIGINT/SIGTERM.

The lead's ``mdh_notebook/cli.py`` wires the subcommand to ``add_arguments`` and ``run``.
Nothing secret is ever printed: the key only goes to ``--env-file`` (mode 0600).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .config import SandboxConfig, SandboxConfigError
from .cors import check_origin, origin_hint
from .server import SandboxServer, SandboxStartError

__all__ = ["add_arguments", "run"]

_READY_LINE = "MDH sandbox listening on {url}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SandboxConfig()
    parser.add_argument("--host", default=defaults.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 = any free port (default %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="synthetic data seed (default %(default)s)")
    parser.add_argument("--participants", type=int, default=defaults.participants,
                        help="number of synthetic participants (default %(default)s)")
    parser.add_argument("--days", type=int, default=defaults.days,
                        help=f"days of data ending {defaults.end_date.isoformat()} (default %(default)s)")
    parser.add_argument("--service-token-lifetime", type=float, default=defaults.service_token_lifetime,
                        metavar="S", help="service token lifetime in seconds (default %(default)s)")
    parser.add_argument("--participant-token-lifetime", type=float, default=defaults.participant_token_lifetime,
                        metavar="S", help="participant token lifetime in seconds (default %(default)s)")
    parser.add_argument("--rate-limit", type=int, default=defaults.rate_limit, metavar="N",
                        help="delegated requests per participant per hour (default %(default)s)")
    parser.add_argument("--admin-rate-limit", type=int, default=defaults.admin_rate_limit, metavar="N",
                        help="admin requests per project per hour (default %(default)s)")
    parser.add_argument("--cors-origin", action="append", default=None, metavar="ORIGIN", dest="cors_origins",
                        help="an origin whose pages may call the API, e.g. http://localhost:8888 (repeatable; "
                             "'*' for any; default any loopback origin)")
    parser.add_argument("--env-file", default=None, metavar="PATH",
                        help="write MDH_BASE_URL / RKS_* credentials to this dotenv file (mode 0600)")


def _fail(message: str) -> int:
    print(f"mdh-notebook sandbox: error: {message}", file=sys.stderr, flush=True)
    return 2


def run(args: argparse.Namespace) -> int:
    """Start, announce the URL on one stdout line, serve until SIGINT/SIGTERM; 0 on clean stop.
    A bad value is refused (exit 2) naming its option, not the ``SandboxConfig`` field behind it."""
    origins = getattr(args, "cors_origins", None)
    for origin in origins or ():
        if not check_origin(origin):
            return _fail(f"--cors-origin {origin_hint(origin)}")
    try:
        config = SandboxConfig(
            host=args.host,
            port=args.port,
            seed=args.seed,
            participants=args.participants,
            days=args.days,
            service_token_lifetime=args.service_token_lifetime,
            participant_token_lifetime=args.participant_token_lifetime,
            rate_limit=args.rate_limit,
            admin_rate_limit=getattr(args, "admin_rate_limit", SandboxConfig().admin_rate_limit),
            cors_origins=origins,
        )
    except SandboxConfigError as exc:  # every other option is named as its field, dashed
        return _fail(f"--{exc.field.replace('_', '-')} must be {exc.expected}, got {exc.value!r}")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = SandboxServer(config)
    try:
        try:
            server.start()
        except SandboxStartError as exc:
            return _fail(str(exc))
        try:
            if args.env_file:
                server.credentials.write_env_file(args.env_file)
        except OSError as exc:
            server.stop()
            return _fail(f"cannot write --env-file {args.env_file}: {exc.strerror or exc}")
        print(_READY_LINE.format(url=server.url), flush=True)
        while not stop.wait(3600):
            pass
        return 0
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
