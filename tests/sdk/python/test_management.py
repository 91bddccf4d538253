"""Management calls of the Python SDK: keys, users and test users."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import MAGIC_LINK_URI, Emulator, Project, error_body, unique_email
from descope import AuthException, DeliveryMethod, DescopeClient


def test_wrong_management_key_gives_401(project: Project) -> None:
    bad = project.client(management_key="K2wrongManagementKey0000000000")
    with pytest.raises(AuthException) as err:
        bad.mgmt.user.load(unique_email())
    assert err.value.status_code == 401, f"wrong management key: {err.value!r}"
    assert error_body(err.value)["errorCode"], "401 without an errorCode"


def test_default_fixture_project_accepts_its_management_key(emulator: Emulator) -> None:
    fixture = Project(emulator, "P2EMULATORDEFAULTPROJECT0001", "default", "K2emulatorDefaultManagementKey0001")
    with pytest.raises(AuthException) as err:
        fixture.client().mgmt.user.load(unique_email())
    assert err.value.status_code != 401, f"the fixture management key was refused: {err.value!r}"
    assert 400 <= err.value.status_code < 500, f"load of unknown user: {err.value!r}"


def test_license_handshake(emulator: Emulator, project: Project) -> None:
    r = emulator.request(
        "GET",
        "/v1/mgmt/license",
        headers={"Authorization": f"Bearer {project.project_id}:{project.management_key}"},
    )
    assert r.status_code == 200, f"GET /v1/mgmt/license -> {r.status_code} {r.text}"
    assert r.json().get("rateLimitTier") in {"tier1", "tier2", "tier3", "tier4"}, r.text


def test_load_of_unknown_user_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.user.load(unique_email())
    assert 400 <= err.value.status_code < 500, f"load of unknown user: {err.value!r}"
    assert error_body(err.value)["errorCode"]


def test_create_load_delete_user(client: DescopeClient) -> None:
    login_id = unique_email()
    created = client.mgmt.user.create(
        login_id=login_id,
        email=login_id,
        display_name="Ann Lee",
        given_name="Ann",
        family_name="Lee",
        verified_email=True,
    )["user"]
    assert login_id in created["loginIds"]
    assert created["email"] == login_id
    assert created["name"] == "Ann Lee"
    assert created["test"] is False
    user_id = created["userId"]
    assert user_id

    loaded = client.mgmt.user.load(login_id)["user"]
    assert loaded["userId"] == user_id
    assert loaded["givenName"] == "Ann"
    assert loaded["familyName"] == "Lee"
    assert isinstance(loaded["roleNames"], list)
    assert isinstance(loaded["userTenants"], list)
    assert isinstance(loaded["customAttributes"], dict)
    assert client.mgmt.user.load_by_user_id(user_id)["user"]["userId"] == user_id

    client.mgmt.user.delete(login_id)
    with pytest.raises(AuthException):
        client.mgmt.user.load(login_id)


def test_test_user_with_generated_otp(client: DescopeClient) -> None:
    login_id = unique_email()
    user = client.mgmt.user.create_test_user(login_id=login_id, email=login_id)["user"]
    assert user["test"] is True

    generated = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login_id)
    assert generated["loginId"] == login_id
    assert generated["code"]

    result = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, generated["code"])
    assert result["user"]["userId"] == user["userId"]
    assert client.validate_session(result["sessionToken"]["jwt"])["sub"] == user["userId"]


def test_generated_code_survives_a_sign_in(client: DescopeClient) -> None:
    # As python-sdk's e2e tests do: generate first, then sign in, then verify the generated code.
    login_id = unique_email()
    client.mgmt.user.create_test_user(login_id=login_id, email=login_id)
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login_id)["code"]
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    result = client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)
    assert client.validate_session(result["sessionToken"]["jwt"])


def test_test_user_with_generated_magic_link(client: DescopeClient) -> None:
    login_id = unique_email()
    user = client.mgmt.user.create_test_user(login_id=login_id, email=login_id)["user"]
    generated = client.mgmt.user.generate_magic_link_for_test_user(DeliveryMethod.EMAIL, login_id, MAGIC_LINK_URI)
    assert generated["loginId"] == login_id
    token = parse_qs(urlsplit(generated["link"]).query)["t"][0]
    result = client.magiclink.verify(token)
    assert result["user"]["userId"] == user["userId"]


def test_generate_otp_for_a_regular_user_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    with pytest.raises(AuthException) as err:
        client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login_id)
    assert 400 <= err.value.status_code < 500, f"generate OTP for a non-test user: {err.value!r}"


def test_generate_otp_for_an_unknown_user_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, unique_email())
    assert 400 <= err.value.status_code < 500, f"generate OTP for an unknown user: {err.value!r}"
