"""OTP by email and SMS through the Python SDK, with codes read from the emulator's outbox."""

from __future__ import annotations

import pytest
from conftest import Emulator, Project, error_body, unique_email, unique_phone
from descope import AuthException, DeliveryMethod, DescopeClient


def wrong_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.parametrize(
    ("method", "channel", "new_login_id"),
    [
        pytest.param(DeliveryMethod.EMAIL, "email", unique_email, id="email"),
        pytest.param(DeliveryMethod.SMS, "sms", unique_phone, id="sms"),
    ],
)
def test_sign_up_then_sign_in(client: DescopeClient, project: Project, method, channel, new_login_id) -> None:
    login_id = new_login_id()

    masked = client.otp.sign_up(method, login_id)
    assert isinstance(masked, str) and masked, "sign-up must answer with a masked address"
    first = project.outbox_latest(login_id)
    assert first["channel"] == channel
    assert first["kind"] == "otp"
    assert first["to"] == login_id
    assert first["loginId"] == login_id
    assert first["projectId"] == project.project_id
    assert first["code"] and first["code"] in first["body"]

    signed_up = client.otp.verify_code(method, login_id, first["code"])
    assert signed_up["firstSeen"] is True
    user_id = signed_up["user"]["userId"]
    assert client.validate_session(signed_up["sessionToken"]["jwt"])["sub"] == user_id

    masked = client.otp.sign_in(method, login_id)
    assert isinstance(masked, str) and masked
    second = project.outbox_latest(login_id, newer_than=first)
    assert second["code"]

    signed_in = client.otp.verify_code(method, login_id, second["code"])
    assert signed_in["firstSeen"] is False
    assert signed_in["user"]["userId"] == user_id
    claims = client.validate_session(signed_in["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert channel in claims["amr"]


def test_sign_up_or_in_creates_then_signs_in(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    first = project.outbox_latest(login_id)
    user_id = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, first["code"])["user"]["userId"]

    client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
    second = project.outbox_latest(login_id, newer_than=first)
    again = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, second["code"])
    assert again["user"]["userId"] == user_id


@pytest.mark.parametrize(
    ("method", "new_login_id"),
    [
        pytest.param(DeliveryMethod.EMAIL, unique_email, id="email"),
        pytest.param(DeliveryMethod.SMS, unique_phone, id="sms"),
    ],
)
def test_wrong_code_fails_with_401_E061102(client: DescopeClient, project: Project, method, new_login_id) -> None:
    login_id = new_login_id()
    client.otp.sign_up(method, login_id)
    message = project.outbox_latest(login_id)

    with pytest.raises(AuthException) as err:
        client.otp.verify_code(method, login_id, wrong_code(message["code"]))
    assert err.value.status_code == 401, f"wrong code: {err.value!r}"
    assert error_body(err.value)["errorCode"] == "E061102"


def test_sign_in_of_unknown_user_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.otp.sign_in(DeliveryMethod.EMAIL, unique_email())
    assert 400 <= err.value.status_code < 500, f"sign-in of unknown user: {err.value!r}"
    assert error_body(err.value)["errorCode"]


def test_duplicate_sign_up_fails(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, project.outbox_latest(login_id)["code"])
    with pytest.raises(AuthException) as err:
        client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    assert 400 <= err.value.status_code < 500, f"duplicate sign-up: {err.value!r}"
    assert error_body(err.value)["errorCode"]


def test_code_expires_by_the_emulator_clock(emulator: Emulator, client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    code = project.outbox_latest(login_id)["code"]
    emulator.advance_clock(24 * 3600)
    try:
        with pytest.raises(AuthException) as err:
            client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
        assert 400 <= err.value.status_code < 500, f"expired code: {err.value!r}"
    finally:
        emulator.reset_clock()


def test_session_claims_after_email_otp(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    result = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, project.outbox_latest(login_id)["code"])
    session_claims = result["sessionToken"]
    refresh_claims = result["refreshSessionToken"]

    assert session_claims["drn"] == "DS"
    assert refresh_claims["drn"] == "DSR"
    assert isinstance(session_claims["roles"], list)
    assert isinstance(session_claims["permissions"], list)
    assert isinstance(session_claims["amr"], list) and "email" in session_claims["amr"]
    assert session_claims["sub"] == result["user"]["userId"]
    assert session_claims["iss"].rsplit("/", 1)[-1] == project.project_id
    assert isinstance(session_claims["exp"], int) and isinstance(session_claims["iat"], int)
    assert session_claims["exp"] > session_claims["iat"]
    assert refresh_claims["exp"] >= session_claims["exp"]
    # What the SDK copies to the top of its result.
    assert result["projectId"] == project.project_id
    assert result["roles"] == session_claims["roles"]
    assert result["permissions"] == session_claims["permissions"]
