"""Roles and permissions through the Python SDK's `mgmt.role` / `mgmt.permission` clients
(issue 4, group 3)."""

from __future__ import annotations

import uuid

import pytest
from conftest import Project, unique_email
from descope import AssociatedTenant, AuthException, DeliveryMethod, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


def roles_by_name(client: DescopeClient) -> dict[str, dict]:
    return {r["name"]: r for r in client.mgmt.role.load_all()["roles"]}


def permissions_by_name(client: DescopeClient) -> dict[str, dict]:
    return {p["name"]: p for p in client.mgmt.permission.load_all()["permissions"]}


def sign_in_by_otp(client: DescopeClient, project: Project, login_id: str) -> dict:
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    assert message.get("code"), f"outbox message has no code: {message}"
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


def test_permission_create_update_delete(client: DescopeClient) -> None:
    name = f"perm-{uid()}"
    client.mgmt.permission.create(name, description="reads things")
    perm = permissions_by_name(client).get(name)
    assert perm is not None, "created permission missing from load_all"
    assert perm["description"] == "reads things"
    assert perm["systemDefault"] is False

    new_name = f"perm-renamed-{uid()}"
    client.mgmt.permission.update(name, new_name, description="reads more")
    perms = permissions_by_name(client)
    assert name not in perms
    assert perms[new_name]["description"] == "reads more"

    client.mgmt.permission.delete(new_name)
    assert new_name not in permissions_by_name(client)


def test_duplicate_permission_fails(client: DescopeClient) -> None:
    name = f"perm-dup-{uid()}"
    client.mgmt.permission.create(name)
    with pytest.raises(AuthException) as err:
        client.mgmt.permission.create(name)
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_role_create_load_all_update_delete(client: DescopeClient) -> None:
    p1, p2 = f"perm-{uid()}", f"perm-{uid()}"
    client.mgmt.permission.create(p1)
    client.mgmt.permission.create(p2)
    name = f"role-{uid()}"
    client.mgmt.role.create(name, description="a role", permission_names=[p1])
    role = roles_by_name(client).get(name)
    assert role is not None, "created role missing from load_all"
    assert role["description"] == "a role"
    assert role["permissionNames"] == [p1]
    assert role["id"]
    assert isinstance(role["createdTime"], int)
    assert role["tenantId"] == ""

    new_name = f"role-renamed-{uid()}"
    client.mgmt.role.update(name, new_name, description="renamed", permission_names=[p1, p2])
    roles = roles_by_name(client)
    assert name not in roles
    assert roles[new_name]["description"] == "renamed"
    assert sorted(roles[new_name]["permissionNames"]) == sorted([p1, p2])
    assert roles[new_name]["id"] == role["id"], "a rename must keep the role's ID"

    client.mgmt.role.delete(new_name)
    assert new_name not in roles_by_name(client)


def test_role_with_an_unknown_permission_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.role.create(f"role-{uid()}", permission_names=[f"no-such-perm-{uid()}"])
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_permission_rename_and_delete_reach_roles(client: DescopeClient) -> None:
    perm = f"perm-{uid()}"
    client.mgmt.permission.create(perm)
    role = f"role-{uid()}"
    client.mgmt.role.create(role, permission_names=[perm])
    renamed = f"perm-renamed-{uid()}"
    client.mgmt.permission.update(perm, renamed)
    assert roles_by_name(client)[role]["permissionNames"] == [renamed]
    client.mgmt.permission.delete(renamed)
    assert roles_by_name(client)[role]["permissionNames"] == []


def test_role_search(client: DescopeClient) -> None:
    marker = uid()
    perm = f"perm-{marker}"
    client.mgmt.permission.create(perm)
    r1, r2 = f"role-{marker}-one", f"role-{marker}-two"
    client.mgmt.role.create(r1, permission_names=[perm])
    client.mgmt.role.create(r2)
    tenant_id = client.mgmt.tenant.create(f"roles-tenant {marker}")["id"]
    r3 = f"role-{marker}-tenant"
    client.mgmt.role.create(r3, tenant_id=tenant_id)

    def names(**kwargs) -> set[str]:
        return {r["name"] for r in client.mgmt.role.search(**kwargs)["roles"]}

    assert names(role_names=[r1]) == {r1}
    assert names(role_name_like=marker.upper()) >= {r1, r2}, "roleNameLike ignores case"
    assert names(permission_names=[perm]) == {r1}
    assert names(tenant_ids=[tenant_id]) == {r3}
    tenant_roles = client.mgmt.role.search(tenant_ids=[tenant_id])["roles"]
    assert tenant_roles[0]["tenantId"] == tenant_id
    with_project = names(tenant_ids=[tenant_id], include_project_roles=True)
    assert {r1, r2, r3} <= with_project

    client.mgmt.role.delete(r3, tenant_id=tenant_id)
    assert names(tenant_ids=[tenant_id]) == set()


def test_role_rename_reaches_the_next_session_jwt(client: DescopeClient, project: Project) -> None:
    perm = f"perm-{uid()}"
    client.mgmt.permission.create(perm)
    role = f"role-{uid()}"
    client.mgmt.role.create(role, permission_names=[perm])
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True, role_names=[role])

    session = sign_in_by_otp(client, project, login_id)
    assert client.validate_roles(session, [role])
    assert client.validate_permissions(session, [perm])

    renamed = f"role-renamed-{uid()}"
    client.mgmt.role.update(role, renamed, permission_names=[perm])
    assert client.mgmt.user.load(login_id)["user"]["roleNames"] == [renamed]

    refreshed = client.refresh_session(session["refreshSessionToken"]["jwt"])
    claims = client.validate_session(refreshed["sessionToken"]["jwt"])
    assert claims["roles"] == [renamed], f"roles after the rename: {claims['roles']}"
    assert client.validate_roles(refreshed, [renamed])
    assert not client.validate_roles(refreshed, [role])
    assert client.validate_permissions(refreshed, [perm])

    client.mgmt.role.delete(renamed)
    assert client.mgmt.user.load(login_id)["user"]["roleNames"] == []
    again = client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert again["roles"] == []
    assert not client.validate_permissions(again, [perm])


BUILTIN_PERMISSIONS = ["Impersonate", "User Admin", "SSO Admin"]


def test_builtin_permissions_and_the_tenant_admin_role(client: DescopeClient, project: Project) -> None:
    perms = permissions_by_name(client)
    for name in BUILTIN_PERMISSIONS:
        assert name in perms, f"built-in permission {name} missing from load_all: {sorted(perms)}"
        assert perms[name]["systemDefault"] is True, perms[name]
    admin = roles_by_name(client).get("Tenant Admin")
    assert admin is not None, "built-in role Tenant Admin missing from load_all"
    assert admin["tenantId"] == ""
    assert sorted(admin["permissionNames"]) == sorted(BUILTIN_PERMISSIONS)

    # a role may hold a built-in permission; a built-in permission cannot be deleted
    role = f"support-{uid()}"
    client.mgmt.role.create(role, permission_names=["Impersonate"])
    assert roles_by_name(client)[role]["permissionNames"] == ["Impersonate"]
    with pytest.raises(AuthException) as err:
        client.mgmt.permission.delete("SSO Admin")
    assert err.value.status_code == 400, repr(err.value)
    assert "SSO Admin" in permissions_by_name(client)

    # Tenant Admin in a tenant: its permissions in that tenant's claims
    tenant_id = client.mgmt.tenant.create(f"admins {uid()}")["id"]
    login_id = unique_email()
    client.mgmt.user.create(
        login_id=login_id,
        email=login_id,
        verified_email=True,
        user_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])],
    )
    session = sign_in_by_otp(client, project, login_id)
    assert client.validate_tenant_roles(session, tenant_id, ["Tenant Admin"])
    assert client.validate_tenant_permissions(session, tenant_id, BUILTIN_PERMISSIONS)
    assert not client.validate_permissions(session, ["Impersonate"]), "not a project-level grant"
