"""The server secret: signing and checking, the generated file, rotation, the setting."""

import stat
from pathlib import Path

import pytest

from wcr import server_secret
from wcr.config import Settings
from wcr.server_secret import Keyring

A = "a" * 43
B = "b" * 43


def test_a_token_is_bound_to_its_secret_purpose_and_message() -> None:
    ring = Keyring.of([A])
    token = ring.sign("manage-link", "7:ACDEFGHJ:abc")
    assert len(token) == 22  # 128 bits, URL-safe, no padding
    assert token.replace("-", "").replace("_", "").isalnum()
    assert ring.verify("manage-link", "7:ACDEFGHJ:abc", token)
    assert not ring.verify("manage-link", "8:ACDEFGHJ:abc", token)
    assert not ring.verify("ticket", "7:ACDEFGHJ:abc", token)  # purposes do not mix
    assert not Keyring.of([B]).verify("manage-link", "7:ACDEFGHJ:abc", token)
    for wrong in ("", None, token[:-1], token + "x", "ümlaut", "x" * 22):
        assert not ring.verify("manage-link", "7:ACDEFGHJ:abc", wrong)


def test_earlier_secrets_verify_but_only_the_current_one_signs() -> None:
    old = Keyring.of([A]).sign("ticket", "1:2026-12-02")
    ring = Keyring.of([B, A])
    assert ring.verify("ticket", "1:2026-12-02", old)
    assert ring.sign("ticket", "1:2026-12-02") != old
    assert ring.sign("ticket", "1:2026-12-02") == Keyring.of([B]).sign("ticket", "1:2026-12-02")


def test_the_file_is_made_on_first_use_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    server_secret.use(Settings(secret_file=path))
    assert not path.exists()  # nothing before it is needed
    token = server_secret.sign("ticket", "1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [key] = path.read_text().split()
    assert len(key) >= 43
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left
    # Another process (or a restart) reads the same secret.
    server_secret.use(Settings(secret_file=path))
    assert server_secret.sign("ticket", "1") == token


def test_rotation_keeps_the_one_before_and_running_servers_notice(tmp_path: Path) -> None:
    settings = Settings(secret_file=tmp_path / "secret_key")
    server_secret.use(settings)
    first = server_secret.sign("ticket", "1")
    server_secret.rotate(settings)
    # The running process re-reads the changed file: a new token, the old one still good.
    second = server_secret.sign("ticket", "1")
    assert second != first
    assert server_secret.verify("ticket", "1", first)
    server_secret.rotate(settings)
    assert not server_secret.verify("ticket", "1", first)
    assert server_secret.verify("ticket", "1", second)
    assert len(settings.secret_file.read_text().split()) == 2
    assert stat.S_IMODE(settings.secret_file.stat().st_mode) == 0o600


def test_the_secret_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"WCR_SECRET_KEY": f"{B},{A}", "WCR_SECRET_FILE": str(tmp_path / "unused")}
    )
    assert settings.secret_key is not None
    assert settings.secret_key not in repr(settings)
    server_secret.use(settings)
    assert server_secret.sign("ticket", "1") == Keyring.of([B]).sign("ticket", "1")
    assert server_secret.verify("ticket", "1", Keyring.of([A]).sign("ticket", "1"))
    assert not (tmp_path / "unused").exists()
    with pytest.raises(ValueError, match="WCR_SECRET_KEY"):
        server_secret.rotate(settings)
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings.from_env({"WCR_SECRET_KEY": "short"})
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings.from_env({"WCR_SECRET_KEY": f"{A},short"})
    assert Settings.from_env({}).secret_file == Path("var/secret_key")
