"""Configuration: arguments > environment > .env > (nothing: the sandbox), with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh
from mdh_notebook.config import Config

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                        serialization.NoEncryption()).decode()
ENV_PROJECT, DOT_PROJECT, ARG_PROJECT = ("11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-aaaaaaaaaaaa",
                                        "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff")
FULL_ENV = {"RKS_SERVICE_ACCOUNT": "env.account", "RKS_PROJECT_ID": ENV_PROJECT, "RKS_PRIVATE_KEY": PEM}


def test_nothing_configured_means_none(tmp_path: Path) -> None:
    assert Config.resolve(environ={}, dotenv_path=tmp_path / ".env") is None


def test_environment_then_default_base_url(tmp_path: Path) -> None:
    config = Config.resolve(environ=FULL_ENV, dotenv_path=tmp_path / ".env")
    assert config is not None
    assert (config.service_account, config.project_id) == ("env.account", ENV_PROJECT)
    assert config.base_url == "https://mydatahelps.org/"
    assert config.token_url == "https://mydatahelps.org/identityserver/connect/token"


def test_arguments_win_over_environment_which_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f'MDH_BASE_URL=https://designer.mydatahelps.org\nRKS_SERVICE_ACCOUNT=dot.account\n'
                      f'RKS_PROJECT_ID={DOT_PROJECT}\nRKS_PRIVATE_KEY="{PEM}"\n')
    from_dot = Config.resolve(environ={}, dotenv_path=dotenv)
    assert from_dot is not None and from_dot.service_account == "dot.account"
    assert from_dot.base_url == "https://designer.mydatahelps.org/"  # trailing slash added
    mixed = Config.resolve(environ={"RKS_SERVICE_ACCOUNT": "env.account"}, dotenv_path=dotenv,
                           project_id=ARG_PROJECT)
    assert mixed is not None
    assert (mixed.service_account, mixed.project_id) == ("env.account", ARG_PROJECT)


def test_key_file_and_one_line_pem(tmp_path: Path) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text(PEM)
    env = {"RKS_SERVICE_ACCOUNT": "a", "RKS_PROJECT_ID": ENV_PROJECT, "MDH_PRIVATE_KEY_FILE": str(key_file)}
    assert Config.resolve(environ=env, dotenv_path=tmp_path / ".env") is not None
    one_line = {**FULL_ENV, "RKS_PRIVATE_KEY": PEM.strip().replace("\n", "\\n")}
    assert Config.resolve(environ=one_line, dotenv_path=tmp_path / ".env") is not None


@pytest.mark.parametrize("env, needle", [
    ({"RKS_SERVICE_ACCOUNT": "a"}, "RKS_PROJECT_ID, RKS_PRIVATE_KEY"),
    ({"RKS_SERVICE_ACCOUNT": "a", "RKS_PROJECT_ID": "p"}, "RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE)"),
    ({"MDH_BASE_URL": "https://mydatahelps.org/"}, "unset MDH_BASE_URL to use the embedded sandbox"),
    ({**FULL_ENV, "RKS_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n"}, "is cut off"),
    ({**FULL_ENV, "MDH_BASE_URL": "ftp://x"}, "http(s) URL"),
    ({"RKS_SERVICE_ACCOUNT": "a", "RKS_PROJECT_ID": ENV_PROJECT, "MDH_PRIVATE_KEY_FILE": "/nonexistent/k.pem"},
     "MDH_PRIVATE_KEY_FILE (from environment) '/nonexistent/k.pem' does not exist"),
])
def test_half_a_configuration_names_what_is_missing(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        Config.resolve(environ=env, dotenv_path=tmp_path / ".env")
    assert needle in str(info.value)
    assert "not a key" not in str(info.value)  # the key's text never echoes back


def test_repr_hides_the_key(tmp_path: Path) -> None:
    config = Config.resolve(environ=FULL_ENV, dotenv_path=tmp_path / ".env")
    assert "<hidden>" in repr(config) and "BEGIN" not in repr(config) and "BEGIN" not in str(config)


def test_the_key_is_one_setting_taken_from_the_first_level_that_has_it(tmp_path: Path) -> None:
    """An explicit key file beats RKS_PRIVATE_KEY in the environment; env's file beats .env's PEM."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()).decode()
    key_file = tmp_path / "other.pem"
    key_file.write_text(other_pem)
    numbers = other.private_numbers()

    config = Config.resolve(environ=FULL_ENV, dotenv_path=tmp_path / ".env", private_key_file=key_file)
    assert config is not None and config.private_key.private_numbers() == numbers
    assert config.source == "environment, arguments"

    dotenv = tmp_path / ".env"
    dotenv.write_text(f'RKS_PRIVATE_KEY="{PEM}"\n')
    env = {"RKS_SERVICE_ACCOUNT": "a", "RKS_PROJECT_ID": ENV_PROJECT, "MDH_PRIVATE_KEY_FILE": str(key_file)}
    config = Config.resolve(environ=env, dotenv_path=dotenv)
    assert config is not None and config.private_key.private_numbers() == numbers

    with pytest.raises(mdh.ConfigurationError, match="keep one of them"):
        Config.resolve(environ={**env, "RKS_PRIVATE_KEY": PEM}, dotenv_path=dotenv)


@pytest.mark.parametrize("given", [ENV_PROJECT.upper(), "{" + ENV_PROJECT + "}", ENV_PROJECT.replace("-", ""),
                                   f"  {ENV_PROJECT}  "])
def test_a_project_id_in_any_form_a_guid_takes_is_kept_canonical(tmp_path: Path, given: str) -> None:
    """The one GUID check (filters.as_guid) reads RKS_PROJECT_ID as the filters read a GUID."""
    config = Config.resolve(environ={**FULL_ENV, "RKS_PROJECT_ID": given}, dotenv_path=tmp_path / ".env")
    assert config is not None and config.project_id == ENV_PROJECT
