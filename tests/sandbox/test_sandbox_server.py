"""Server lifecycle, credentials, the env file, configuration checks, and the CLI."""

from __future__ import annotations

import os
import selectors
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from dotenv import dotenv_values
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxConfig, SandboxCredentials, SandboxServer, SandboxStartError

CLI = (
    "import argparse, sys\n"
    "from mdh_notebook.emulator import cli\n"
    "p = argparse.ArgumentParser()\n"
    "cli.add_arguments(p)\n"
    "sys.exit(cli.run(p.parse_args(sys.argv[1:])))\n"
)


def test_credentials_and_repr(proto: Proto) -> None:
    creds = proto.creds
    assert isinstance(creds, SandboxCredentials)
    assert creds.base_url == proto.server.url and creds.base_url.endswith("/")
    assert creds.base_url.startswith("http://127.0.0.1:")
    assert proto.server.token_url == creds.base_url + "identityserver/connect/token" == creds.token_url
    assert creds.private_key_pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    body = creds.private_key_pem.splitlines()[1]
    for text in (repr(creds), str(creds), repr(proto.server)):
        assert "PRIVATE KEY" not in text and body not in text
    with pytest.raises(AttributeError):
        creds.base_url = "x"  # type: ignore[misc]


def test_env_file_round_trip(proto: Proto, tmp_path: Path) -> None:
    target = tmp_path / "sandbox.env"
    proto.creds.write_env_file(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    values = dotenv_values(target)
    assert values == {
        "MDH_BASE_URL": proto.creds.base_url,
        "RKS_SERVICE_ACCOUNT": proto.creds.service_account,
        "RKS_PROJECT_ID": proto.creds.project_id,
        "RKS_PRIVATE_KEY": proto.creds.private_key_pem,
    }
    # an existing, more open file is tightened
    target.chmod(0o644)
    proto.creds.write_env_file(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # the values from the file are enough to get a token
    rebuilt = SandboxCredentials(
        base_url=str(values["MDH_BASE_URL"]),
        service_account=str(values["RKS_SERVICE_ACCOUNT"]),
        project_id=str(values["RKS_PROJECT_ID"]),
        private_key_pem=str(values["RKS_PRIVATE_KEY"]),
    )
    assert rebuilt == proto.creds


def test_config_validation() -> None:
    for field, value in [("participants", 0), ("port", -1), ("rate_limit", 0), ("days", 0),
                         ("service_token_lifetime", 0), ("host", ""), ("seed", 1.5), ("port", True)]:
        with pytest.raises(ValueError, match=field):
            kwargs: dict[str, Any] = {field: value}
            SandboxConfig(**kwargs)
    with pytest.raises(ValueError, match="colour"):
        SandboxServer(colour="blue")
    assert SandboxServer(SandboxConfig(seed=4), participants=3).config == SandboxConfig(seed=4, participants=3)


def test_lifecycle_and_port_in_use(protocol_sandbox: SandboxServer) -> None:
    with pytest.raises(SandboxStartError, match="--port"):
        SandboxServer(port=protocol_sandbox.port).start()
    server = SandboxServer(participants=2)
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert server.running
        assert httpx.get(server.url + "_sandbox/health").json() == {"status": "ok"}
        url = server.url
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "_sandbox/health")


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": ""},
    )


def _first_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout), "no output from the CLI"
    return process.stdout.readline()


def test_cli_prints_url_on_a_pipe_and_stops_on_sigterm(tmp_path: Path) -> None:
    env_file = tmp_path / "cli.env"
    process = _cli("--port", "0", "--seed", "2", "--env-file", str(env_file))
    try:
        line = _first_line(process)
        prefix = "MDH sandbox listening on "
        assert line.startswith(prefix) and line.endswith("/\n")
        url = line[len(prefix):].strip()
        assert httpx.get(url + "_sandbox/health").json() == {"status": "ok"}
        assert dotenv_values(env_file)["MDH_BASE_URL"] == url
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out == "" and "PRIVATE KEY" not in err and "Traceback" not in err


def test_cli_port_in_use(protocol_sandbox: SandboxServer) -> None:
    process = _cli("--port", str(protocol_sandbox.port))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "--port" in lines[0] and str(protocol_sandbox.port) in lines[0]


def test_cli_bad_value() -> None:
    process = _cli("--port", "0", "--participants", "0")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "participants" in err and "Traceback" not in err
