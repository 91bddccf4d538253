"""End-to-end authorization claims: grants made through the management API, a real OTP sign-in,
and the Python SDK's own helpers (validate_roles / validate_permissions /
validate_tenant_roles / validate_tenant_permissions / get_matched_*) judging the session
(issue 4, group 7)."""

from __future__ import annotations

import uuid

import pytest
from conftest import Project, unique_email
from descope import AssociatedTenant, AuthException, DeliveryMethod, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


def sign_in_by_otp(client: DescopeClient, project: Project, login_id: str) -> dict:
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    assert message.get("code"), f"outbox message has no code: {message}"
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


@pytest.fixture
def world(client: DescopeClient, project: Project) -> dict:
    """Permissions, roles built on them, two tenants, and a user signed in by OTP holding
    viewer (project), editor in tenant one and tadmin in tenant two."""
    w = {k: f"{k}-{uid()}" for k in ("p_read", "p_write", "p_admin", "p_other", "viewer", "editor", "tadmin", "other")}
    for p in ("p_read", "p_write", "p_admin", "p_other"):
        client.mgmt.permission.create(w[p], description=p)
    client.mgmt.role.create(w["viewer"], permission_names=[w["p_read"]])
    client.mgmt.role.create(w["editor"], permission_names=[w["p_read"], w["p_write"]])
    client.mgmt.role.create(w["tadmin"], permission_names=[w["p_admin"]])
    client.mgmt.role.create(w["other"], permission_names=[w["p_other"]])
    w["t1"] = client.mgmt.tenant.create(f"claims-one {uid()}")["id"]
    w["t2"] = client.mgmt.tenant.create(f"claims-two {uid()}")["id"]
    w["t_none"] = client.mgmt.tenant.create(f"claims-none {uid()}")["id"]
    w["login_id"] = unique_email()
    w["user_id"] = client.mgmt.user.create(
        login_id=w["login_id"],
        email=w["login_id"],
        verified_email=True,
        role_names=[w["viewer"]],
        user_tenants=[AssociatedTenant(w["t1"], [w["editor"]]), AssociatedTenant(w["t2"], [w["tadmin"]])],
    )["user"]["userId"]
    w["session"] = sign_in_by_otp(client, project, w["login_id"])
    return w


def assert_initial_grants(client: DescopeClient, info: dict, w: dict) -> None:
    # Project-level grants.
    assert client.validate_roles(info, [w["viewer"]])
    assert not client.validate_roles(info, [w["editor"]]), "a tenant role leaked to the project level"
    assert not client.validate_roles(info, [w["viewer"], w["other"]])
    assert client.validate_permissions(info, [w["p_read"]])
    assert not client.validate_permissions(info, [w["p_write"]])
    assert not client.validate_permissions(info, [w["p_other"]])
    assert client.get_matched_roles(info, [w["viewer"], w["editor"], w["other"]]) == [w["viewer"]]
    assert client.get_matched_permissions(info, [w["p_read"], w["p_write"]]) == [w["p_read"]]

    # Tenant one: editor.
    assert client.validate_tenant_roles(info, w["t1"], [w["editor"]])
    assert not client.validate_tenant_roles(info, w["t1"], [w["tadmin"]])
    assert not client.validate_tenant_roles(info, w["t1"], [w["viewer"]]), "a project role leaked into a tenant"
    assert client.validate_tenant_permissions(info, w["t1"], [w["p_read"], w["p_write"]])
    assert not client.validate_tenant_permissions(info, w["t1"], [w["p_admin"]])
    assert client.get_matched_tenant_permissions(info, w["t1"], [w["p_write"], w["p_admin"]]) == [w["p_write"]]

    # Tenant two: tadmin.
    assert client.validate_tenant_roles(info, w["t2"], [w["tadmin"]])
    assert client.validate_tenant_permissions(info, w["t2"], [w["p_admin"]])
    assert not client.validate_tenant_permissions(info, w["t2"], [w["p_write"]])
    assert client.get_matched_tenant_roles(info, w["t2"], [w["editor"], w["tadmin"]]) == [w["tadmin"]]

    # A tenant the user is not in, even with an empty list of roles.
    assert not client.validate_tenant_roles(info, w["t_none"], [])
    assert not client.validate_tenant_permissions(info, w["t_none"], [w["p_read"]])
    assert client.get_matched_tenant_roles(info, w["t_none"], [w["editor"]]) == []


def test_claims_of_the_verify_result(client: DescopeClient, world: dict) -> None:
    session = world["session"]
    assert session["userId"] == world["user_id"]
    assert session["sessionToken"]["roles"] == [world["viewer"]]
    assert set(session["sessionToken"]["tenants"]) == {world["t1"], world["t2"]}
    assert_initial_grants(client, session, world)


def test_claims_of_a_validated_session(project: Project, world: dict) -> None:
    fresh = project.client()
    info = fresh.validate_session(world["session"]["sessionToken"]["jwt"])
    assert info["sub"] == world["user_id"]
    assert_initial_grants(fresh, info, world)


def test_claims_of_a_refreshed_session(client: DescopeClient, world: dict) -> None:
    refreshed = client.refresh_session(world["session"]["refreshSessionToken"]["jwt"])
    assert_initial_grants(client, refreshed, world)


def test_select_tenant_sets_dct_and_keeps_the_tenant_claims(client: DescopeClient, world: dict) -> None:
    selected = client.select_tenant(world["t1"], world["session"]["refreshSessionToken"]["jwt"])
    session = selected["sessionToken"]
    assert session.get("dct") == world["t1"], f"no dct after select_tenant: {session}"
    assert client.validate_session(session["jwt"])["dct"] == world["t1"]
    assert_initial_grants(client, selected, world)

    # The selection survives a refresh with the refresh token it came with.
    refresh = selected.get("refreshSessionToken", {}).get("jwt")
    assert refresh, "select_tenant returned no refresh token"
    refreshed = client.refresh_session(refresh)
    assert refreshed["sessionToken"].get("dct") == world["t1"]
    assert client.validate_tenant_roles(refreshed, world["t1"], [world["editor"]])

    # Switch to the other tenant.
    other = client.select_tenant(world["t2"], refresh)
    assert other["sessionToken"].get("dct") == world["t2"]
    assert client.validate_tenant_permissions(other, world["t2"], [world["p_admin"]])


def test_select_a_tenant_the_user_is_not_in_fails(client: DescopeClient, world: dict) -> None:
    with pytest.raises(AuthException) as err:
        client.select_tenant(world["t_none"], world["session"]["refreshSessionToken"]["jwt"])
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_role_changes_reach_the_refreshed_session(client: DescopeClient, world: dict) -> None:
    login_id = world["login_id"]
    client.mgmt.user.remove_roles(login_id, [world["viewer"]])
    client.mgmt.user.add_roles(login_id, [world["other"]])
    client.mgmt.user.add_tenant_roles(login_id, world["t1"], [world["tadmin"]])
    client.mgmt.user.remove_tenant(login_id, world["t2"])
    client.mgmt.user.add_tenant(login_id, world["t_none"])
    client.mgmt.user.add_tenant_roles(login_id, world["t_none"], [world["viewer"]])

    # The session JWT already issued is unchanged ...
    assert client.validate_roles(world["session"], [world["viewer"]])
    # ... the refreshed one has the new grants.
    refreshed = client.refresh_session(world["session"]["refreshSessionToken"]["jwt"])
    assert client.validate_roles(refreshed, [world["other"]])
    assert not client.validate_roles(refreshed, [world["viewer"]])
    assert client.validate_permissions(refreshed, [world["p_other"]])
    assert not client.validate_permissions(refreshed, [world["p_read"]])
    assert client.validate_tenant_roles(refreshed, world["t1"], [world["editor"], world["tadmin"]])
    assert client.validate_tenant_permissions(refreshed, world["t1"], [world["p_write"], world["p_admin"]])
    assert not client.validate_tenant_roles(refreshed, world["t2"], [])
    assert world["t2"] not in refreshed["tenants"]
    assert client.validate_tenant_roles(refreshed, world["t_none"], [world["viewer"]])
    assert client.validate_tenant_permissions(refreshed, world["t_none"], [world["p_read"]])


def test_tenant_deletion_reaches_the_refreshed_session(client: DescopeClient, world: dict) -> None:
    client.mgmt.tenant.delete(world["t2"])
    refreshed = client.refresh_session(world["session"]["refreshSessionToken"]["jwt"])
    assert world["t2"] not in refreshed["tenants"]
    assert not client.validate_tenant_roles(refreshed, world["t2"], [world["tadmin"]])
    assert client.validate_tenant_roles(refreshed, world["t1"], [world["editor"]])


def test_a_tenant_scoped_role_in_the_session(client: DescopeClient, project: Project) -> None:
    perm = f"p-scoped-{uid()}"
    client.mgmt.permission.create(perm)
    tenant_id = client.mgmt.tenant.create(f"scoped {uid()}")["id"]
    role = f"scoped-{uid()}"
    client.mgmt.role.create(role, permission_names=[perm], tenant_id=tenant_id)
    login_id = unique_email()
    client.mgmt.user.create(
        login_id=login_id, email=login_id, verified_email=True, user_tenants=[AssociatedTenant(tenant_id, [role])]
    )
    session = sign_in_by_otp(client, project, login_id)
    assert client.validate_tenant_roles(session, tenant_id, [role])
    assert client.validate_tenant_permissions(session, tenant_id, [perm])
    assert not client.validate_roles(session, [role])
    assert not client.validate_permissions(session, [perm])


def test_role_permission_change_reaches_the_refreshed_session(client: DescopeClient, world: dict) -> None:
    # Change what a role grants rather than who holds it.
    client.mgmt.role.update(world["viewer"], world["viewer"], permission_names=[world["p_read"], world["p_other"]])
    refreshed = client.refresh_session(world["session"]["refreshSessionToken"]["jwt"])
    assert client.validate_permissions(refreshed, [world["p_read"], world["p_other"]])
