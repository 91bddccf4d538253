"""Step-up through the Python SDK: a second factor signed in with `stepup` and the refresh
token adds to the first session's `amr`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

import pytest
from conftest import Emulator, Project, error_body, unique_email, unique_phone
from descope import AuthException, DeliveryMethod, DescopeClient, LoginOptions


def totp_code(key: str, at: int) -> str:
    """RFC 6238: HMAC-SHA1, 30-second steps, 6 digits (as in test_totp.py)."""
    secret = base64.b32decode(key.upper() + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">q", at // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def emulator_now(emulator: Emulator) -> int:
    r = emulator.request("GET", "/emulator/v1/clock")
    assert r.status_code == 200, f"GET /emulator/v1/clock -> {r.status_code} {r.text}"
    return int(r.json()["now"])


def step_up_by_otp(client: DescopeClient, project: Project, method, login_id: str, refresh: str, before: dict) -> dict:
    client.otp.sign_in(method, login_id, login_options=LoginOptions(stepup=True), refresh_token=refresh)
    message = project.outbox_latest(login_id, newer_than=before)
    assert message["code"], f"no code in {message}"
    return client.otp.verify_code(method, login_id, message["code"])


def test_email_otp_then_email_otp(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    first_message = project.outbox_latest(login_id)
    first = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, first_message["code"])
    user_id = first["user"]["userId"]
    first_claims = client.validate_session(first["sessionToken"]["jwt"])
    assert first_claims["amr"] == ["email"]

    stepped = step_up_by_otp(
        client, project, DeliveryMethod.EMAIL, login_id, first["refreshSessionToken"]["jwt"], first_message
    )
    assert stepped["user"]["userId"] == user_id
    claims = client.validate_session(stepped["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "email" in claims["amr"], f"amr after step-up: {claims['amr']}"


def test_email_otp_then_sms_otp(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    phone = unique_phone()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id, {"phone": phone})
    first_message = project.outbox_latest(login_id)
    first = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, first_message["code"])
    user_id = first["user"]["userId"]
    assert first["user"]["phone"] == phone

    client.otp.sign_in(
        DeliveryMethod.SMS,
        login_id,
        login_options=LoginOptions(stepup=True),
        refresh_token=first["refreshSessionToken"]["jwt"],
    )
    message = project.outbox_latest(login_id, newer_than=first_message)
    assert message["channel"] == "sms"
    assert message["to"] == phone
    stepped = client.otp.verify_code(DeliveryMethod.SMS, login_id, message["code"])

    claims = client.validate_session(stepped["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "email" in claims["amr"] and "sms" in claims["amr"], f"amr after step-up: {claims['amr']}"


def test_password_then_email_otp(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    first = client.password.sign_up(login_id, "Step-Up-Password-1")
    user_id = first["user"]["userId"]
    assert client.validate_session(first["sessionToken"]["jwt"])["amr"] == ["pwd"]

    client.otp.sign_in(
        DeliveryMethod.EMAIL,
        login_id,
        login_options=LoginOptions(stepup=True),
        refresh_token=first["refreshSessionToken"]["jwt"],
    )
    message = project.outbox_latest(login_id)
    stepped = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])

    claims = client.validate_session(stepped["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "pwd" in claims["amr"] and "email" in claims["amr"], f"amr after step-up: {claims['amr']}"


def test_email_otp_then_totp(client: DescopeClient, emulator: Emulator, session: dict) -> None:
    login_id = session["loginId"]
    user_id = session["user"]["userId"]
    refresh = session["refreshSessionToken"]["jwt"]
    key = client.totp.update_user(login_id, refresh)["key"]

    stepped = client.totp.sign_in_code(
        login_id,
        totp_code(key, emulator_now(emulator)),
        login_options=LoginOptions(stepup=True),
        refresh_token=refresh,
    )
    claims = client.validate_session(stepped["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "email" in claims["amr"] and "totp" in claims["amr"], f"amr after step-up: {claims['amr']}"


def test_without_step_up_the_amr_is_only_the_new_method(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.password.sign_up(login_id, "Step-Up-Password-2")
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    plain = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])
    assert client.validate_session(plain["sessionToken"]["jwt"])["amr"] == ["email"]


def test_step_up_needs_a_refresh_token(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.password.sign_up(login_id, "Step-Up-Password-3")
    # The SDK refuses locally...
    with pytest.raises(AuthException) as err:
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id, login_options=LoginOptions(stepup=True))
    assert err.value.status_code == 400, f"stepup without a refresh token: {err.value!r}"
    # ...and so does the server when the refresh token is not a valid one.
    with pytest.raises(AuthException) as err:
        client.otp.sign_in(
            DeliveryMethod.EMAIL, login_id, login_options=LoginOptions(stepup=True), refresh_token="not-a-jwt"
        )
    assert 400 <= err.value.status_code < 500, f"stepup with a bad refresh token: {err.value!r}"
    assert error_body(err.value).get("errorCode")
