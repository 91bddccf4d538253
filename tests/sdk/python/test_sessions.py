"""Session JWTs issued by the emulator, as the Python SDK validates, refreshes and revokes them."""

from __future__ import annotations

import pytest
from conftest import Emulator, Project, sign_up_by_email_otp, unique_email
from descope import AssociatedTenant, AuthException, DeliveryMethod, DescopeClient


def test_validate_session_with_keys_the_sdk_fetched(project: Project, session: dict) -> None:
    session_jwt = session["sessionToken"]["jwt"]
    # A new client has no keys cached, so it must fetch /v2/keys/{projectId} itself.
    fresh = project.client()
    claims = fresh.validate_session(session_jwt)
    assert claims["jwt"] == session_jwt
    assert claims["projectId"] == project.project_id
    assert claims["userId"] == session["user"]["userId"]
    assert claims["sub"] == session["user"]["userId"]


def test_verify_result_has_both_tokens_and_the_user(session: dict) -> None:
    assert session["sessionToken"]["jwt"].count(".") == 2
    assert session["refreshSessionToken"]["jwt"].count(".") == 2
    assert session["firstSeen"] is True, "first sign-up must report firstSeen: true"
    user = session["user"]
    assert session["loginId"] in user["loginIds"]
    assert user["email"] == session["loginId"]
    assert user["verifiedEmail"] is True
    cookie = session["cookieData"]
    assert isinstance(cookie["maxAge"], int) and cookie["maxAge"] > 0
    assert cookie["path"] == "/"


def test_refresh_session(client: DescopeClient, session: dict) -> None:
    refresh_jwt = session["refreshSessionToken"]["jwt"]
    refreshed = client.refresh_session(refresh_jwt)
    new_session_jwt = refreshed["sessionToken"]["jwt"]
    assert new_session_jwt.count(".") == 2
    assert refreshed["userId"] == session["user"]["userId"]
    claims = client.validate_session(new_session_jwt)
    assert claims["sub"] == session["user"]["userId"]
    assert claims["drn"] == "DS"


def test_validate_and_refresh_session_with_a_valid_session(client: DescopeClient, session: dict) -> None:
    result = client.validate_and_refresh_session(session["sessionToken"]["jwt"], session["refreshSessionToken"]["jwt"])
    assert result["userId"] == session["user"]["userId"]


def test_me_returns_the_user(client: DescopeClient, session: dict) -> None:
    me = client.me(session["refreshSessionToken"]["jwt"])
    assert me["userId"] == session["user"]["userId"]
    assert session["loginId"] in me["loginIds"]
    assert me["email"] == session["loginId"]


def test_logout_then_refresh_fails(client: DescopeClient, session: dict) -> None:
    refresh_jwt = session["refreshSessionToken"]["jwt"]
    client.refresh_session(refresh_jwt)  # works before logout
    client.logout(refresh_jwt)
    with pytest.raises(AuthException) as err:
        client.refresh_session(refresh_jwt)
    assert err.value.status_code == 401, f"refresh after logout: {err.value!r}"


def test_token_of_another_project_is_rejected(emulator: Emulator, project: Project, client: DescopeClient) -> None:
    other = emulator.create_project()
    try:
        client_b = other.client()
        # Sign up in project B, then show each project's client only accepts its own tokens.
        b_session = sign_up_by_email_otp(client_b, other)
        b_jwt = b_session["sessionToken"]["jwt"]
        assert client_b.validate_session(b_jwt)["projectId"] == other.project_id

        with pytest.raises(AuthException):
            client.validate_session(b_jwt)
        with pytest.raises(AuthException):
            client.refresh_session(b_session["refreshSessionToken"]["jwt"])

        a_session = sign_up_by_email_otp(client, project)
        with pytest.raises(AuthException):
            client_b.validate_session(a_session["sessionToken"]["jwt"])
    finally:
        emulator.delete_project(other.project_id)


def test_garbage_token_is_rejected(client: DescopeClient) -> None:
    with pytest.raises(AuthException):
        client.validate_session("not-a-jwt")


def test_expired_session_is_refreshed(emulator: Emulator, project: Project, client: DescopeClient) -> None:
    # As EMULATOR_API.md says: set the clock into the past, sign in, reset the clock.
    probe = sign_up_by_email_otp(client, project)["sessionToken"]
    lifetime = probe["exp"] - probe["iat"]
    login_id = unique_email()
    emulator.advance_clock(-(lifetime + 120))
    try:
        client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
        code = project.outbox_latest(login_id)["code"]
        # Raw verify: the SDK's own verify would reject the (already expired) session JWT.
        r = emulator.request(
            "POST",
            "/v1/auth/otp/verify/email",
            json={"loginId": login_id, "code": code},
            headers={"Authorization": f"Bearer {project.project_id}"},
        )
    finally:
        emulator.reset_clock()
    assert r.status_code == 200, f"POST /v1/auth/otp/verify/email -> {r.status_code} {r.text}"
    old_session, refresh = r.json()["sessionJwt"], r.json()["refreshJwt"]

    with pytest.raises(AuthException) as err:
        client.validate_session(old_session)
    assert err.value.status_code == 401, f"expired session: {err.value!r}"

    result = client.validate_and_refresh_session(old_session, refresh)
    new_session = result["sessionToken"]["jwt"]
    assert new_session != old_session
    assert client.validate_session(new_session)["sub"] == r.json()["user"]["userId"]


def test_a_user_of_one_tenant_gets_it_as_dct(client: DescopeClient, project: Project) -> None:
    one = client.mgmt.tenant.create(f"dct one {unique_email()}")["id"]
    two = client.mgmt.tenant.create(f"dct two {unique_email()}")["id"]
    single, multi = unique_email(), unique_email()
    client.mgmt.user.create(login_id=single, email=single, verified_email=True, user_tenants=[AssociatedTenant(one)])
    client.mgmt.user.create(
        login_id=multi, email=multi, verified_email=True, user_tenants=[AssociatedTenant(one), AssociatedTenant(two)]
    )

    def sign_in(login_id: str) -> dict:
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
        return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, project.outbox_latest(login_id)["code"])

    session = sign_in(single)
    assert session["sessionToken"].get("dct") == one, session["sessionToken"]
    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"].get("dct") == one
    assert "dct" not in sign_in(multi)["sessionToken"], "no tenant is chosen for a user of two"
    selected = client.select_tenant(two, sign_in(multi)["refreshSessionToken"]["jwt"])
    assert selected["sessionToken"].get("dct") == two
