"""Audit trail and JWT management through the Python SDK's `mgmt.audit` / `mgmt.jwt` clients
(issue 4, groups 5 and 6)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from conftest import Project, error_body, unique_email
from descope import AssociatedTenant, AuthException, DeliveryMethod, DescopeClient
from descope.management.common import MgmtLoginOptions

IMPERSONATE = "Impersonate"


def uid() -> str:
    return uuid.uuid4().hex[:10]


def sign_in_by_otp(client: DescopeClient, project: Project, login_id: str) -> dict:
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    assert message.get("code"), f"outbox message has no code: {message}"
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


def new_user(client: DescopeClient, **kwargs) -> tuple[str, str]:
    login_id = unique_email()
    user = client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True, **kwargs)["user"]
    return login_id, user["userId"]


# ---------------------------------------------------------------- audit


def test_audit_search_finds_a_sign_in(client: DescopeClient, project: Project) -> None:
    login_id, user_id = new_user(client)
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    sign_in_by_otp(client, project, login_id)

    audits = client.mgmt.audit.search(login_ids=[login_id], actions=["LoginSucceed"])["audits"]
    assert audits, "no LoginSucceed audit for the sign-in"
    record = audits[0]
    assert record["action"] == "LoginSucceed"
    assert record["userId"] == user_id
    assert login_id in record["loginIds"]
    assert record["projectId"] == project.project_id
    assert isinstance(record["occurred"], datetime.datetime)
    occurred = record["occurred"].replace(tzinfo=datetime.timezone.utc)
    assert abs((occurred - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 300, occurred

    by_user = client.mgmt.audit.search(user_ids=[user_id], actions=["LoginSucceed"])["audits"]
    assert {r["userId"] for r in by_user} == {user_id}
    assert client.mgmt.audit.search(user_ids=[user_id], from_ts=before, actions=["LoginSucceed"])["audits"]
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    assert client.mgmt.audit.search(user_ids=[user_id], from_ts=future)["audits"] == []
    excluded = client.mgmt.audit.search(user_ids=[user_id], excluded_actions=["LoginSucceed"])["audits"]
    assert all(r["action"] != "LoginSucceed" for r in excluded)


def test_audit_search_of_nobody_is_empty(client: DescopeClient) -> None:
    assert client.mgmt.audit.search(login_ids=[unique_email()])["audits"] == []


def test_audit_create_event(client: DescopeClient) -> None:
    tenant_id = client.mgmt.tenant.create(f"audit {uid()}")["id"]
    _, user_id = new_user(client)
    action = f"sdk-py-action-{uid()}"
    client.mgmt.audit.create_event(
        action=action, type="info", actor_id="sdk-py-actor", tenant_id=tenant_id, user_id=user_id, data={"k": "v"}
    )
    audits = client.mgmt.audit.search(actions=[action])["audits"]
    assert len(audits) == 1, f"created event search: {audits}"
    record = audits[0]
    assert record["action"] == action
    assert record["userId"] == user_id
    assert record["tenants"] == [tenant_id]
    assert record["data"].get("k") == "v"
    assert client.mgmt.audit.search(actions=[action], tenants=[tenant_id])["audits"]


def test_audit_create_event_with_a_bad_type_fails(client: DescopeClient) -> None:
    tenant_id = client.mgmt.tenant.create(f"audit {uid()}")["id"]
    with pytest.raises(AuthException) as err:
        client.mgmt.audit.create_event(action="x", type="nonsense", actor_id="a", tenant_id=tenant_id)
    assert 400 <= err.value.status_code < 500, repr(err.value)


# ---------------------------------------------------------------- JWT


def test_update_jwt_merges_custom_claims(client: DescopeClient, project: Project) -> None:
    role = f"role-{uid()}"
    client.mgmt.role.create(role)
    login_id, user_id = new_user(client, role_names=[role])
    session = sign_in_by_otp(client, project, login_id)
    original = session["sessionToken"]

    updated_jwt = client.mgmt.jwt.update_jwt(original["jwt"], {"app": "sdk", "level": 3})
    assert updated_jwt and updated_jwt != original["jwt"]
    claims = client.validate_session(updated_jwt)
    assert claims["sub"] == user_id
    assert claims["app"] == "sdk" and claims["level"] == 3
    assert claims["roles"] == [role], "update_jwt must keep the authorization claims"
    assert claims["iss"] == original["iss"]

    again = client.validate_session(client.mgmt.jwt.update_jwt(updated_jwt, {"more": True}))
    assert again["more"] is True
    assert again["app"] == "sdk", "claims of the given JWT are kept"

    reserved = client.validate_session(client.mgmt.jwt.update_jwt(original["jwt"], {"sub": "U-forged", "x": 1}))
    assert reserved["sub"] == user_id, "system claims must be filtered out"
    assert reserved["x"] == 1


def test_update_jwt_refuses_a_bad_jwt(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.jwt.update_jwt("not.a.jwt", {"a": 1})
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_impersonate(client: DescopeClient) -> None:
    # Impersonate is a built-in permission of every project; the impersonator gets it by a role.
    assert IMPERSONATE in {p["name"] for p in client.mgmt.permission.load_all()["permissions"]}
    role = f"support-{uid()}"
    client.mgmt.role.create(role, permission_names=[IMPERSONATE])
    support_login, support_id = new_user(client, role_names=[role])
    target_login, target_id = new_user(client)

    jwt = client.mgmt.jwt.impersonate(support_login, target_login, validate_consent=False, custom_claims={"why": "ticket"})
    assert jwt.count(".") == 2
    refreshed = client.refresh_session(jwt)
    session = refreshed["sessionToken"]
    assert session["sub"] == target_id
    assert session.get("act", {}).get("sub") == support_id, f"no act.sub of the impersonator: {session}"


def test_impersonate_as_tenant_admin_only_within_the_tenant(client: DescopeClient) -> None:
    tenant_id = client.mgmt.tenant.create(f"Acme {uid()}")["id"]
    other_tenant = client.mgmt.tenant.create(f"Beta {uid()}")["id"]
    admin_login, _ = new_user(client, user_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])])
    member_login, member_id = new_user(client, user_tenants=[AssociatedTenant(tenant_id)])
    outsider_login, _ = new_user(client, user_tenants=[AssociatedTenant(other_tenant)])

    jwt = client.mgmt.jwt.impersonate(admin_login, member_login, validate_consent=False, tenant_id=tenant_id)
    session = client.refresh_session(jwt)["sessionToken"]
    assert session["sub"] == member_id
    assert session.get("dct") == tenant_id
    with pytest.raises(AuthException) as err:
        client.mgmt.jwt.impersonate(admin_login, outsider_login, validate_consent=False)
    assert err.value.status_code == 403, repr(err.value)
    assert error_body(err.value)["errorCode"] == "E112104"


def test_impersonate_without_the_permission_fails(client: DescopeClient) -> None:
    support_login, _ = new_user(client)
    target_login, _ = new_user(client)
    with pytest.raises(AuthException) as err:
        client.mgmt.jwt.impersonate(support_login, target_login, validate_consent=False)
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_mgmt_sign_in(client: DescopeClient) -> None:
    login_id, user_id = new_user(client)
    result = client.mgmt.jwt.sign_in(login_id, MgmtLoginOptions(custom_claims={"src": "mgmt"}))
    assert result["userId"] == user_id
    assert client.validate_session(result["sessionToken"]["jwt"])["sub"] == user_id
    assert client.refresh_session(result["refreshSessionToken"]["jwt"])["userId"] == user_id
