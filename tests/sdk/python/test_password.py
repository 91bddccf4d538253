"""Passwords through the Python SDK: sign-up, sign-in, reset by email, replace, policy, and
management's temporary and active passwords."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import MAGIC_LINK_URI, Project, error_body, unique_email
from descope import AuthException, DescopeClient

PASSWORD = "Correct-Horse-1"
NEW_PASSWORD = "Battery-Staple-2"


def assert_fails(exc: AuthException, what: str) -> dict:
    """A 4xx with a Descope error body carrying an errorCode; returns the body."""
    assert 400 <= exc.status_code < 500, f"{what}: {exc!r}"
    body = error_body(exc)
    assert body.get("errorCode"), f"{what}: no errorCode in {body}"
    return body


def assert_session(client: DescopeClient, result: dict, user_id: str) -> dict:
    """The SDK validates the session JWT with its own key fetch; returns the claims."""
    claims = client.validate_session(result["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert claims["drn"] == "DS"
    return claims


def test_sign_up_then_sign_in(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()

    signed_up = client.password.sign_up(login_id, PASSWORD, {"name": "Pat Word"})
    assert signed_up["firstSeen"] is True
    user = signed_up["user"]
    assert user["loginIds"] == [login_id]
    assert user["name"] == "Pat Word"
    assert user["password"] is True
    user_id = user["userId"]
    assert signed_up["refreshSessionToken"]["jwt"]
    assert "pwd" in assert_session(client, signed_up, user_id)["amr"]

    signed_in = client.password.sign_in(login_id, PASSWORD)
    assert signed_in["firstSeen"] is False
    assert signed_in["user"]["userId"] == user_id
    assert "pwd" in assert_session(project.client(), signed_in, user_id)["amr"]


def test_wrong_password_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    client.password.sign_up(login_id, PASSWORD)

    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, PASSWORD + "x")
    assert_fails(err.value, "sign-in with a wrong password")

    # The SDK refuses an empty password before sending anything.
    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, "")
    assert err.value.status_code == 400, f"empty password: {err.value!r}"

    # The right password still works after the failures (no lockout by default).
    signed_in = client.password.sign_in(login_id, PASSWORD)
    assert_session(client, signed_in, signed_in["user"]["userId"])


def test_duplicate_sign_up_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    user_id = client.password.sign_up(login_id, PASSWORD)["user"]["userId"]

    with pytest.raises(AuthException) as err:
        client.password.sign_up(login_id, NEW_PASSWORD)
    assert error_body(err.value)["errorCode"] == "E062107", f"duplicate sign-up: {err.value!r}"
    assert_fails(err.value, "duplicate sign-up")

    # The first password is untouched.
    assert_session(client, client.password.sign_in(login_id, PASSWORD), user_id)


def test_unknown_user_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.password.sign_in(unique_email(), PASSWORD)
    assert_fails(err.value, "sign-in of an unknown user")


def test_reset_by_email_then_update(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    user_id = client.password.sign_up(login_id, PASSWORD)["user"]["userId"]

    sent = client.password.send_reset(login_id, MAGIC_LINK_URI)
    assert sent.get("resetMethod"), f"send_reset answered without resetMethod: {sent}"
    assert sent.get("maskedEmail"), f"send_reset answered without maskedEmail: {sent}"

    message = project.outbox_latest(login_id)
    assert message["kind"] == "password-reset", f"not a reset message: {message}"
    assert message["channel"] == "email"
    assert message["to"] == login_id
    token = message["token"]
    assert token, f"reset message has no token: {message}"
    assert message["link"] and message["link"].startswith(MAGIC_LINK_URI), message["link"]
    assert parse_qs(urlsplit(message["link"]).query).get("t") == [token]

    # The reset link is verified like a magic link and yields a session...
    verified = client.magiclink.verify(token)
    assert verified["user"]["userId"] == user_id
    assert_session(client, verified, user_id)

    # ...whose refresh token sets the new password.
    client.password.update(login_id, NEW_PASSWORD, verified["refreshSessionToken"]["jwt"])

    signed_in = client.password.sign_in(login_id, NEW_PASSWORD)
    assert_session(project.client(), signed_in, user_id)
    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, PASSWORD)
    assert_fails(err.value, "sign-in with the password from before the reset")

    # The reset token works only once.
    with pytest.raises(AuthException) as err:
        client.magiclink.verify(token)
    assert_fails(err.value, "second use of a reset token")


def test_replace_old_with_new(client: DescopeClient) -> None:
    login_id = unique_email()
    user_id = client.password.sign_up(login_id, PASSWORD)["user"]["userId"]

    with pytest.raises(AuthException) as err:
        client.password.replace(login_id, PASSWORD + "x", NEW_PASSWORD)
    assert_fails(err.value, "replace with a wrong old password")

    replaced = client.password.replace(login_id, PASSWORD, NEW_PASSWORD)
    assert replaced["user"]["userId"] == user_id
    assert_session(client, replaced, user_id)

    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, PASSWORD)
    assert_fails(err.value, "sign-in with the replaced password")
    assert_session(client, client.password.sign_in(login_id, NEW_PASSWORD), user_id)


def test_policy_and_violation(client: DescopeClient) -> None:
    policy = client.password.get_policy()
    for field in ("minLength", "lowercase", "uppercase", "number", "nonAlphanumeric"):
        assert field in policy, f"policy has no {field}: {policy}"
    min_length = policy["minLength"]
    assert isinstance(min_length, int) and min_length == 8, f"default minLength: {policy}"
    for field in ("lowercase", "uppercase", "number", "nonAlphanumeric"):
        assert isinstance(policy[field], bool), f"{field} is not a boolean: {policy}"

    login_id = unique_email()
    with pytest.raises(AuthException) as err:
        client.password.sign_up(login_id, "a" * (min_length - 1))
    assert err.value.status_code == 400, f"too short a password: {err.value!r}"
    assert error_body(err.value).get("errorCode"), f"too short a password: {err.value!r}"

    # The refused sign-up created nobody; exactly minLength characters is enough.
    signed_up = client.password.sign_up(login_id, "a" * min_length)
    assert signed_up["firstSeen"] is True
    assert_session(client, signed_up, signed_up["user"]["userId"])


def test_management_temporary_then_active_password(client: DescopeClient) -> None:
    login_id = unique_email()
    user_id = client.password.sign_up(login_id, PASSWORD)["user"]["userId"]

    client.mgmt.user.set_temporary_password(login_id, NEW_PASSWORD)
    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, NEW_PASSWORD)
    assert_fails(err.value, "sign-in with a temporary password")
    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, PASSWORD)
    assert_fails(err.value, "sign-in with the password the temporary one replaced")

    active = "Active-Password-3"
    client.mgmt.user.set_active_password(login_id, active)
    signed_in = client.password.sign_in(login_id, active)
    assert signed_in["user"]["userId"] == user_id
    assert_session(client, signed_in, user_id)


def test_temporary_password_can_be_replaced(client: DescopeClient) -> None:
    login_id = unique_email()
    user_id = client.password.sign_up(login_id, PASSWORD)["user"]["userId"]

    temporary = "Temporary-Password-4"
    client.mgmt.user.set_temporary_password(login_id, temporary)
    replaced = client.password.replace(login_id, temporary, NEW_PASSWORD)
    assert_session(client, replaced, user_id)
    assert_session(client, client.password.sign_in(login_id, NEW_PASSWORD), user_id)
