"""The authenticator's grants file: what it accepts, and one clear error per mistake (naming the file,
the grant and the fix). No server is needed: the file is read before anything listens."""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdh_notebook.authenticator import ALL_PARTICIPANTS, Grants, GrantsFileError, hash_api_key
from mdh_notebook.errors import ConfigurationError

KEY = "k3y-0123456789abcdef"
OTHER = "another-key-0123456789"


def grant(**fields: object) -> str:
    """One [[grant]] table; a value of None leaves the key out."""
    defaults: dict[str, object] = {"api_key": KEY, "participants": ["PT-0001"], "scopes": ["SurveyAnswers:read"]}
    defaults.update(fields)
    lines = ["[[grant]]"]
    for name, value in defaults.items():
        if value is None:
            continue
        lines.append(f"{name} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def refused(text: str, *fragments: str) -> str:
    with pytest.raises(GrantsFileError) as caught:
        Grants.parse(text, origin="grants.toml")
    message = str(caught.value)
    assert message.startswith("grants.toml: "), message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- what it accepts ---------------------------------------------------------------------------


def test_a_grant_with_a_plain_key_matches_that_key_only() -> None:
    grants = Grants.parse(grant(name="web") + grant(api_key=OTHER, participants=["*"], scopes=["api"]))
    web = grants.match(KEY)
    assert web is not None and web.name == "web"
    assert web.participants == ("PT-0001",) and web.scopes == ("SurveyAnswers:read",)
    everyone = grants.match(OTHER)
    assert everyone is not None and everyone.name == "grant 2" and everyone.all_participants
    assert everyone.participants == (ALL_PARTICIPANTS,)
    assert grants.match(KEY + "x") is None
    assert grants.match("") is None


def test_api_key_sha256_matches_the_key_it_hashes_in_either_case() -> None:
    digest = hash_api_key(KEY)
    assert digest == hashlib.sha256(KEY.encode()).hexdigest()
    for spelling in (digest, digest.upper()):
        grants = Grants.parse(grant(api_key=None, api_key_sha256=spelling))
        assert grants.match(KEY) is not None
        assert grants.match(digest) is None  # the hash is not the key


def test_the_key_is_never_shown() -> None:
    grants = Grants.parse(grant(name="web"))
    shown = repr(grants) + repr(grants.grants) + str(grants.grants[0])
    assert KEY not in shown and hash_api_key(KEY) not in shown


def test_scopes_are_what_the_grant_covers() -> None:
    grants = Grants.parse(grant(scopes=["SurveyAnswers:read", "Participant:read"]) +
                          grant(api_key=OTHER, scopes=["api"]))
    narrow, wide = grants.grants
    assert narrow.scopes_not_granted(["SurveyAnswers:read"]) == []
    assert narrow.scopes_not_granted(["DeviceData:read", "Participant:read"]) == ["DeviceData:read"]
    assert wide.scopes_not_granted(["DeviceData:read", "DeviceData:write"]) == []


def test_the_same_identifier_in_another_case_is_suggested() -> None:
    only = Grants.parse(grant(participants=["PT-0001", "PT-0002"])).grants[0]
    assert only.near_participant("pt-0001") == "PT-0001"
    assert only.near_participant(" PT-0002") == "PT-0002"
    assert only.near_participant("PT-0009") is None  # another participant is no typo of a granted one
    assert only.near_participant("somebody-else") is None


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "grants.toml"
    path.write_text(grant(name="from a file"))
    assert Grants.load(path).grants[0].name == "from a file"


# -- every mistake: one error naming the file, the grant and the fix -----------------------------


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(GrantsFileError, match=r"cannot read the grants file .*nope.toml.*\[\[grant\]\]"):
        Grants.load(tmp_path / "nope.toml")
    assert issubclass(GrantsFileError, ConfigurationError)


def test_not_toml() -> None:
    refused("[[grant]\napi_key = ", "not valid TOML", "line", "[[grant]]")


def test_no_grant_at_all() -> None:
    refused("", "no [[grant]] table")
    refused("[[grants]]\napi_key = 'x'\n", "unknown top-level key(s) 'grants'", "singular")
    refused("[grant]\napi_key = 'x'\n", "double", "[[grant]]")


def test_unknown_key_suggests_the_known_one() -> None:
    refused(grant(name="web", scope=["SurveyAnswers:read"], scopes=None), "grant 1 ('web')", "unknown key 'scope'",
            "did you mean 'scopes'?")
    refused(grant(colour="blue"), "grant 1:", "unknown key 'colour'", "a grant takes")


def test_both_or_neither_key() -> None:
    refused(grant(api_key_sha256=hash_api_key(KEY)), "grant 1", "both api_key and api_key_sha256", "exactly one")
    refused(grant(api_key=None), "neither api_key nor api_key_sha256", "exactly one", "--hash-key")


def test_a_short_or_unsendable_key() -> None:
    message = refused(grant(api_key="short-key"), "api_key is 9 characters", "at least 16", "secrets.token_urlsafe")
    assert "short-key" not in message  # even a refused key is not echoed
    refused(grant(api_key="has a space in it, 0123"), "printable ASCII without spaces")
    refused(grant(api_key=12345678901234567), "api_key must be a string")


def test_bad_hex() -> None:
    refused(grant(api_key=None, api_key_sha256="z" * 64), "not hexadecimal", "mdh-notebook authenticator --hash-key",
            'printf %s "$KEY" | sha256sum')
    refused(grant(api_key=None, api_key_sha256="ab" * 16), "64 hex digits", "got 32")


def test_participants_mistakes() -> None:
    refused(grant(participants=None), "participants is missing", '["*"]')
    refused(grant(participants=[]), "participants is empty")
    refused(grant(participants="PT-0001"), "participants must be a list")
    refused(grant(participants=["PT-0001", 7]), "non-empty strings", "7")
    refused(grant(participants=["*", "PT-0001"]), '"*" already means every participant')


def test_scopes_mistakes() -> None:
    refused(grant(scopes=None), "scopes is missing")
    refused(grant(scopes=[]), "scopes is empty")
    refused(grant(scopes="SurveyAnswers:read"), "scopes must be a list")
    refused(grant(name="web", scopes=["SurveyAnswer:read"]), "grant 1 ('web')", "unknown scope 'SurveyAnswer:read'",
            "did you mean 'SurveyAnswers:read'?")


def test_a_duplicated_key_names_both_grants() -> None:
    refused(grant(name="a") + grant(name="b"), "grant 2 ('b') has the same API key as grant 1 ('a')")
    # the same key spelled once plain and once hashed is still one key
    refused(grant(name="a") + grant(name="b", api_key=None, api_key_sha256=hash_api_key(KEY)), "same API key")


def test_a_duplicated_name() -> None:
    refused(grant(name="web") + grant(name="web", api_key=OTHER), "grant 2 is named 'web' like grant 1", "rename")


def test_a_bad_name() -> None:
    refused(grant(name=""), "name must be a non-empty string")
    refused(grant(name=3), "grant 1:", "name must be a non-empty string")


def test_the_second_grant_is_the_one_named() -> None:
    refused(grant(name="good") + grant(name="bad", api_key=OTHER, participants=[]), "grant 2 ('bad')",
            "participants is empty")


# -- properties ----------------------------------------------------------------------------------

_KEY_CHARS = string.ascii_letters + string.digits + "-_.~+/="


@given(st.text(alphabet=_KEY_CHARS, min_size=16, max_size=80), st.text(alphabet=_KEY_CHARS, max_size=80))
def test_a_key_matches_itself_and_nothing_else(key: str, other: str) -> None:
    for text in (grant(api_key=key), grant(api_key=None, api_key_sha256=hash_api_key(key))):
        grants = Grants.parse(text)
        assert grants.match(key) is not None
        assert (grants.match(other) is not None) == (other == key)


@given(st.text(alphabet=_KEY_CHARS, max_size=15))
def test_every_short_key_is_refused_without_echoing_it(key: str) -> None:
    message = refused(grant(api_key=key), f"api_key is {len(key)} characters")
    if len(key) >= 4:
        assert key not in message


@given(st.sampled_from(["participants", "scopes", "api_key", "api_key_sha256", "name"]),
       st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(st.integers(), min_size=1)))
def test_a_wrong_type_is_one_clear_error_naming_the_key(key: str, value: object) -> None:
    fields: dict[str, object] = {key: value}
    if key == "api_key_sha256":
        fields["api_key"] = None
    message = refused(grant(**fields), "grant 1", f"{key} must be")
    assert message.count(" must be ") == 1, message  # one mistake, one error: no other key blamed


@given(st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12).filter(
    lambda k: k not in ("name", "api_key", "api_key_sha256", "participants", "scopes")))
def test_any_unknown_key_is_named(key: str) -> None:
    refused(grant(**{key: "x"}), f"unknown key {key!r}")
