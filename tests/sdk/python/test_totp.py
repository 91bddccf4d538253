"""TOTP through the Python SDK, with codes computed in the test from the key (RFC 6238)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Emulator, Project, unique_email
from descope import AuthException, DescopeClient


def totp_code(key: str, at: int) -> str:
    """RFC 6238 with the authenticator-app defaults: HMAC-SHA1, 30-second steps, 6 digits."""
    secret = base64.b32decode(key.upper() + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">q", at // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def emulator_now(emulator: Emulator) -> int:
    """The emulator's clock, which judges the code (it may be offset from the real one)."""
    r = emulator.request("GET", "/emulator/v1/clock")
    assert r.status_code == 200, f"GET /emulator/v1/clock -> {r.status_code} {r.text}"
    return int(r.json()["now"])


def check_totp_response(resp: dict) -> str:
    for field in ("provisioningURL", "image", "key"):
        assert resp.get(field), f"TOTP response has no {field}: {resp}"
    url = urlsplit(resp["provisioningURL"])
    assert url.scheme == "otpauth" and url.netloc == "totp", resp["provisioningURL"]
    assert parse_qs(url.query).get("secret") == [resp["key"]], f"secret of {resp['provisioningURL']} is not the key"
    assert base64.b64decode(resp["image"]).startswith(b"\x89PNG"), "image is not a base64 PNG"
    return resp["key"]


def test_sign_up_then_verify(client: DescopeClient, project: Project, emulator: Emulator) -> None:
    login_id = unique_email()
    key = check_totp_response(client.totp.sign_up(login_id, {"name": "Toto Tp"}))

    signed_in = client.totp.sign_in_code(login_id, totp_code(key, emulator_now(emulator)))
    user = signed_in["user"]
    assert user["loginIds"] == [login_id]
    assert user["TOTP"] is True
    claims = client.validate_session(signed_in["sessionToken"]["jwt"])
    assert claims["sub"] == user["userId"]
    assert "totp" in claims["amr"]

    # A second sign-in with a fresh client (fresh key fetch).
    again = client.totp.sign_in_code(login_id, totp_code(key, emulator_now(emulator)))
    assert again["firstSeen"] is False
    assert project.client().validate_session(again["sessionToken"]["jwt"])["sub"] == user["userId"]


def test_old_code_fails(client: DescopeClient, emulator: Emulator) -> None:
    login_id = unique_email()
    key = check_totp_response(client.totp.sign_up(login_id))
    now = emulator_now(emulator)
    old = totp_code(key, now - 24 * 3600)
    if old == totp_code(key, now) or old in (totp_code(key, now - 30), totp_code(key, now + 30)):
        old = totp_code(key, now - 48 * 3600)  # a one-in-a-million collision with a valid code

    with pytest.raises(AuthException) as err:
        client.totp.sign_in_code(login_id, old)
    assert 400 <= err.value.status_code < 500, f"a day-old TOTP code: {err.value!r}"

    # The current code still works afterwards.
    result = client.totp.sign_in_code(login_id, totp_code(key, emulator_now(emulator)))
    assert client.validate_session(result["sessionToken"]["jwt"])["sub"] == result["user"]["userId"]


def test_duplicate_sign_up_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    client.totp.sign_up(login_id)
    with pytest.raises(AuthException) as err:
        client.totp.sign_up(login_id)
    assert 400 <= err.value.status_code < 500, f"second TOTP sign-up: {err.value!r}"


def test_add_totp_to_signed_in_user(client: DescopeClient, emulator: Emulator, session: dict) -> None:
    login_id = session["loginId"]
    user_id = session["user"]["userId"]
    key = check_totp_response(client.totp.update_user(login_id, session["refreshSessionToken"]["jwt"]))

    result = client.totp.sign_in_code(login_id, totp_code(key, emulator_now(emulator)))
    assert result["user"]["userId"] == user_id
    claims = client.validate_session(result["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "totp" in claims["amr"]
