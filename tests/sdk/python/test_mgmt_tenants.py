"""Tenant management through the Python SDK's `mgmt.tenant` client (issue 4, group 2)."""

from __future__ import annotations

import uuid

import pytest
from conftest import error_body, unique_email
from descope import AssociatedTenant, AuthException, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


def test_create_without_id_and_load_flat(client: DescopeClient) -> None:
    name = f"Acme {uid()}"
    domain = f"{uid()}.example.com"
    created = client.mgmt.tenant.create(name, self_provisioning_domains=[domain], custom_attributes={"tier": "gold"})
    tenant_id = created["id"]
    assert isinstance(tenant_id, str) and tenant_id

    tenant = client.mgmt.tenant.load(tenant_id)
    # The SDK returns the body as is: the tenant must be flat, not wrapped in {"tenant": ...}.
    assert "tenant" not in tenant, f"load returned a wrapped tenant: {tenant}"
    assert tenant["id"] == tenant_id
    assert tenant["name"] == name
    assert tenant["selfProvisioningDomains"] == [domain]
    assert tenant["customAttributes"] == {"tier": "gold"}
    assert isinstance(tenant["createdTime"], int) and tenant["createdTime"] > 1_600_000_000


def test_create_with_id(client: DescopeClient) -> None:
    tenant_id = f"T-py-{uid()}"
    name = f"Globex {uid()}"
    created = client.mgmt.tenant.create(name, id=tenant_id)
    assert created.get("id", tenant_id) == tenant_id
    tenant = client.mgmt.tenant.load(tenant_id)
    assert tenant["id"] == tenant_id
    assert tenant["name"] == name
    assert tenant["selfProvisioningDomains"] == []
    assert tenant["customAttributes"] == {}


def test_create_with_an_existing_id_fails(client: DescopeClient) -> None:
    tenant_id = f"T-dup-{uid()}"
    client.mgmt.tenant.create(f"first {uid()}", id=tenant_id)
    with pytest.raises(AuthException) as err:
        client.mgmt.tenant.create(f"second {uid()}", id=tenant_id)
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert error_body(err.value)["errorCode"]


def test_load_of_unknown_tenant_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.tenant.load(f"T-missing-{uid()}")
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert error_body(err.value)["errorCode"]


def test_load_all(client: DescopeClient) -> None:
    a = client.mgmt.tenant.create(f"all-a {uid()}")["id"]
    b_id = f"T-all-{uid()}"
    client.mgmt.tenant.create(f"all-b {uid()}", id=b_id)
    tenants = client.mgmt.tenant.load_all()["tenants"]
    by_id = {t["id"]: t for t in tenants}
    assert a in by_id and b_id in by_id
    for t in tenants:
        assert isinstance(t["name"], str)
        assert isinstance(t["selfProvisioningDomains"], list)


def test_update_replaces_the_tenant(client: DescopeClient) -> None:
    tenant_id = client.mgmt.tenant.create(
        f"before {uid()}", self_provisioning_domains=[f"{uid()}.example.com"], custom_attributes={"a": 1}
    )["id"]
    new_name = f"after {uid()}"
    new_domain = f"{uid()}.example.org"
    client.mgmt.tenant.update(tenant_id, new_name, self_provisioning_domains=[new_domain], custom_attributes={"b": "x"})
    tenant = client.mgmt.tenant.load(tenant_id)
    assert tenant["name"] == new_name
    assert tenant["selfProvisioningDomains"] == [new_domain]
    assert tenant["customAttributes"] == {"b": "x"}

    client.mgmt.tenant.update(tenant_id, new_name)
    tenant = client.mgmt.tenant.load(tenant_id)
    assert tenant["selfProvisioningDomains"] == [], "update must clear the domains it was not given"


def test_patch_changes_only_the_given_fields(client: DescopeClient) -> None:
    domain = f"{uid()}.example.com"
    tenant_id = client.mgmt.tenant.create(f"patch {uid()}", self_provisioning_domains=[domain])["id"]
    new_name = f"patched {uid()}"
    client.mgmt.tenant.patch_tenant(tenant_id, name=new_name)
    tenant = client.mgmt.tenant.load(tenant_id)
    assert tenant["name"] == new_name
    assert tenant["selfProvisioningDomains"] == [domain]


def test_update_of_unknown_tenant_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.tenant.update(f"T-missing-{uid()}", "nobody")
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_search_all(client: DescopeClient) -> None:
    marker = uid()
    name_a, name_b = f"search-a {marker}", f"search-b {marker}"
    domain_a = f"{marker}.example.com"
    a = client.mgmt.tenant.create(name_a, self_provisioning_domains=[domain_a], custom_attributes={"m": marker})["id"]
    b = client.mgmt.tenant.create(name_b)["id"]

    def ids(**kwargs) -> set[str]:
        return {t["id"] for t in client.mgmt.tenant.search_all(**kwargs)["tenants"]}

    assert ids(ids=[a, b]) == {a, b}
    assert ids(ids=[a]) == {a}
    assert ids(names=[name_b]) == {b}
    assert ids(self_provisioning_domains=[domain_a]) == {a}
    assert ids(custom_attributes={"m": marker}) == {a}
    assert {a, b} <= ids()
    found = client.mgmt.tenant.search_all(ids=[a])["tenants"][0]
    assert found["name"] == name_a and found["selfProvisioningDomains"] == [domain_a]


def test_delete_without_cascade_keeps_the_users(client: DescopeClient) -> None:
    tenant_id = client.mgmt.tenant.create(f"del {uid()}")["id"]
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, user_tenants=[AssociatedTenant(tenant_id)])
    client.mgmt.tenant.delete(tenant_id)
    with pytest.raises(AuthException):
        client.mgmt.tenant.load(tenant_id)
    assert tenant_id not in {t["id"] for t in client.mgmt.tenant.load_all()["tenants"]}
    user = client.mgmt.user.load(login_id)["user"]
    assert [t["tenantId"] for t in user["userTenants"]] == [], "the deleted tenant is still on the user"


def test_delete_with_cascade_deletes_users_of_that_tenant_only(client: DescopeClient) -> None:
    doomed = client.mgmt.tenant.create(f"cascade {uid()}")["id"]
    other = client.mgmt.tenant.create(f"other {uid()}")["id"]
    only_here, in_both = unique_email(), unique_email()
    client.mgmt.user.create(login_id=only_here, email=only_here, user_tenants=[AssociatedTenant(doomed)])
    client.mgmt.user.create(
        login_id=in_both, email=in_both, user_tenants=[AssociatedTenant(doomed), AssociatedTenant(other)]
    )
    client.mgmt.tenant.delete(doomed, cascade=True)
    with pytest.raises(AuthException):
        client.mgmt.tenant.load(doomed)
    with pytest.raises(AuthException):
        client.mgmt.user.load(only_here)
    survivor = client.mgmt.user.load(in_both)["user"]
    assert [t["tenantId"] for t in survivor["userTenants"]] == [other]
    assert client.mgmt.tenant.load(other)["id"] == other
