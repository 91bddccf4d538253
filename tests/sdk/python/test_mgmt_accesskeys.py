"""Access keys through the Python SDK's `mgmt.access_key` client and `exchange_access_key`
(issue 4, group 4)."""

from __future__ import annotations

import time
import uuid

import pytest
from conftest import Emulator, Project, error_body, unique_email
from descope import AccessKeyLoginOptions, AssociatedTenant, AuthException, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def grants(client: DescopeClient) -> dict:
    perm_a, perm_t = f"perm-a-{uid()}", f"perm-t-{uid()}"
    client.mgmt.permission.create(perm_a)
    client.mgmt.permission.create(perm_t)
    role_a, role_t = f"role-a-{uid()}", f"role-t-{uid()}"
    client.mgmt.role.create(role_a, permission_names=[perm_a])
    client.mgmt.role.create(role_t, permission_names=[perm_t])
    tenant_id = client.mgmt.tenant.create(f"keys {uid()}")["id"]
    return {"perm_a": perm_a, "perm_t": perm_t, "role_a": role_a, "role_t": role_t, "tenant_id": tenant_id}


def test_create_and_load(client: DescopeClient, grants: dict) -> None:
    expire = int(time.time()) + 3600
    name = f"key-{uid()}"
    created = client.mgmt.access_key.create(
        name=name,
        expire_time=expire,
        role_names=[grants["role_a"]],
        key_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_t"]])],
        custom_claims={"team": "blue"},
        description="ci key",
        permitted_ips=["127.0.0.1", "10.0.0.0/8"],
    )
    cleartext = created["cleartext"]
    assert isinstance(cleartext, str) and cleartext
    assert ":" not in cleartext, "the cleartext is put in a bearer split on ':'"
    key = created["key"]
    assert key["id"]
    assert key["name"] == name
    assert key["roleNames"] == [grants["role_a"]]
    assert key["keyTenants"][0]["tenantId"] == grants["tenant_id"]
    assert key["keyTenants"][0]["roleNames"] == [grants["role_t"]]
    assert key["status"] == "active"
    assert key["expireTime"] == expire
    assert key["description"] == "ci key"
    assert key["permittedIps"] == ["127.0.0.1", "10.0.0.0/8"]
    assert key["customClaims"] == {"team": "blue"}
    assert isinstance(key["createdTime"], int) and key["createdTime"] > 1_600_000_000

    loaded = client.mgmt.access_key.load(key["id"])["key"]
    assert loaded["id"] == key["id"]
    assert loaded["name"] == name
    assert loaded["roleNames"] == [grants["role_a"]]
    assert loaded["expireTime"] == expire
    assert "cleartext" not in loaded


def test_load_of_unknown_key_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.access_key.load(f"K-missing-{uid()}")
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert error_body(err.value)["errorCode"]


def test_search_all_access_keys(client: DescopeClient, grants: dict) -> None:
    with_tenant = client.mgmt.access_key.create(
        name=f"key-t-{uid()}", key_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_t"]])]
    )["key"]["id"]
    login_id = unique_email()
    user_id = client.mgmt.user.create(login_id=login_id, email=login_id)["user"]["userId"]
    bound = client.mgmt.access_key.create(name=f"key-u-{uid()}", user_id=user_id)["key"]
    assert bound["boundUserId"] == user_id

    all_ids = {k["id"] for k in client.mgmt.access_key.search_all_access_keys()["keys"]}
    assert {with_tenant, bound["id"]} <= all_ids
    by_tenant = {k["id"] for k in client.mgmt.access_key.search_all_access_keys(tenant_ids=[grants["tenant_id"]])["keys"]}
    assert by_tenant == {with_tenant}
    by_user = {k["id"] for k in client.mgmt.access_key.search_all_access_keys(bound_user_id=user_id)["keys"]}
    assert by_user == {bound["id"]}


def test_update(client: DescopeClient) -> None:
    key_id = client.mgmt.access_key.create(name=f"key-{uid()}", description="original")["key"]["id"]
    new_name = f"key-renamed-{uid()}"
    client.mgmt.access_key.update(key_id, new_name)
    key = client.mgmt.access_key.load(key_id)["key"]
    assert key["name"] == new_name
    assert key["description"] == "original", "an update without a description keeps it"

    client.mgmt.access_key.update(key_id, new_name, description="changed", custom_claims={"x": 1})
    key = client.mgmt.access_key.load(key_id)["key"]
    assert key["description"] == "changed"
    assert key["customClaims"] == {"x": 1}


def test_exchange_gives_a_jwt_the_sdk_validates(client: DescopeClient, project: Project, grants: dict) -> None:
    created = client.mgmt.access_key.create(
        name=f"key-{uid()}",
        role_names=[grants["role_a"]],
        key_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_t"]])],
        custom_claims={"team": "blue"},
    )
    key_id = created["key"]["id"]

    # A fresh client: it has to fetch the keys to validate the exchanged JWT.
    result = project.client().exchange_access_key(created["cleartext"])
    assert result["keyId"] == key_id
    claims = result["sessionToken"]
    assert claims["sub"] == key_id
    assert claims["team"] == "blue", f"the key's custom claims are top-level: {claims}"
    assert client.validate_session(claims["jwt"])["sub"] == key_id
    assert "refreshSessionToken" not in result or not result["refreshSessionToken"]

    assert client.validate_roles(result, [grants["role_a"]])
    assert client.validate_permissions(result, [grants["perm_a"]])
    assert not client.validate_roles(result, [grants["role_t"]])
    assert not client.validate_permissions(result, [grants["perm_t"]])
    assert client.validate_tenant_roles(result, grants["tenant_id"], [grants["role_t"]])
    assert client.validate_tenant_permissions(result, grants["tenant_id"], [grants["perm_t"]])
    assert not client.validate_tenant_roles(result, grants["tenant_id"], [grants["role_a"]])


def test_exchange_with_login_options(client: DescopeClient, grants: dict) -> None:
    created = client.mgmt.access_key.create(
        name=f"key-{uid()}", key_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_t"]])]
    )
    result = client.exchange_access_key(
        created["cleartext"],
        login_options=AccessKeyLoginOptions(custom_claims={"k1": "v1"}, selected_tenant=grants["tenant_id"]),
    )
    claims = result["sessionToken"]
    assert claims.get("nsec") == {"k1": "v1"}, f"login-option claims go under nsec: {claims}"
    assert claims.get("dct") == grants["tenant_id"]
    assert client.validate_tenant_roles(result, grants["tenant_id"], [grants["role_t"]])


def test_deactivate_activate_and_delete(client: DescopeClient) -> None:
    created = client.mgmt.access_key.create(name=f"key-{uid()}")
    key_id, cleartext = created["key"]["id"], created["cleartext"]
    client.exchange_access_key(cleartext)

    client.mgmt.access_key.deactivate(key_id)
    assert client.mgmt.access_key.load(key_id)["key"]["status"] == "inactive"
    with pytest.raises(AuthException) as err:
        client.exchange_access_key(cleartext)
    assert err.value.status_code in (400, 401, 403), f"exchange of a deactivated key: {err.value!r}"

    client.mgmt.access_key.activate(key_id)
    assert client.mgmt.access_key.load(key_id)["key"]["status"] == "active"
    assert client.exchange_access_key(cleartext)["keyId"] == key_id

    client.mgmt.access_key.delete(key_id)
    with pytest.raises(AuthException):
        client.mgmt.access_key.load(key_id)
    with pytest.raises(AuthException):
        client.exchange_access_key(cleartext)


def test_exchange_of_a_wrong_key_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.exchange_access_key(f"K{uid()}notakey")
    assert err.value.status_code in (400, 401, 403), repr(err.value)


def test_expired_key_cannot_be_exchanged(client: DescopeClient, emulator: Emulator) -> None:
    created = client.mgmt.access_key.create(name=f"key-{uid()}", expire_time=int(time.time()) + 60)
    try:
        emulator.advance_clock(3600)
        with pytest.raises(AuthException) as err:
            client.exchange_access_key(created["cleartext"])
        assert err.value.status_code in (400, 401, 403), f"exchange of an expired key: {err.value!r}"
    finally:
        emulator.reset_clock()
