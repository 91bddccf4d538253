"""SCIM 2.0 provisioning replayed as Okta and Entra ID send it, over plain HTTP.

No Descope SDK speaks SCIM: the IdPs call `/scim/v2/*` with `Bearer <ProjectId>:<AccessKey>`
of a Tenant Admin access key. The Python SDK sets up the tenant, the key and the groups
mapping, and checks the result on the Descope side.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from conftest import EMULATOR_URL, Project
from descope import AssociatedTenant, AttributeMapping, DescopeClient, RoleMapping

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_JSON = "application/scim+json"


def uid() -> str:
    return uuid.uuid4().hex[:10]


class Scim:
    """An IdP's SCIM client: scim+json bodies, the tenant's bearer."""

    def __init__(self, project_id: str, access_key: str) -> None:
        self.http = httpx.Client(
            base_url=f"{EMULATOR_URL}/scim/v2",
            headers={"Authorization": f"Bearer {project_id}:{access_key}", "Accept": SCIM_JSON},
            timeout=30.0,
            trust_env=False,
        )

    def call(self, method: str, path: str, body: dict | None = None, **params) -> httpx.Response:
        headers = {"Content-Type": SCIM_JSON} if body is not None else {}
        content = None if body is None else httpx.Request("POST", "/", json=body).content
        return self.http.request(method, path, content=content, headers=headers, params=params or None)


@pytest.fixture
def setup(client: DescopeClient, project: Project):
    tenant = client.mgmt.tenant.create(f"scim-{uid()}")["id"]
    role = f"engineer-{uid()}"
    client.mgmt.role.create(role)
    client.mgmt.sso.mapping(tenant, [RoleMapping(["Engineering"], role)], AttributeMapping(name="name", email="email"))
    created = client.mgmt.access_key.create(
        name=f"scim-{uid()}", key_tenants=[AssociatedTenant(tenant, ["Tenant Admin"])]
    )
    scim = Scim(project.project_id, created["cleartext"])
    yield tenant, role, scim
    scim.http.close()


def roles_in(user: dict, tenant: str) -> list[str]:
    for t in user["userTenants"]:
        if t["tenantId"] == tenant:
            return sorted(t.get("roleNames") or [])
    raise AssertionError(f"user is not in tenant {tenant}: {user['userTenants']}")


def test_okta_provisioning_sequence(client: DescopeClient, setup) -> None:
    tenant, role, scim = setup
    user_name = f"okta-{uid()}@example.com"

    # Okta first looks the user up by userName.
    r = scim.call("GET", "/Users", filter=f'userName eq "{user_name}"', startIndex="1", count="100")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(SCIM_JSON)
    assert r.json() == {"schemas": [LIST], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}

    new_user = {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Okta", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Okta User",
        "locale": "en-US",
        "externalId": "00u1okta",
        "groups": [],
        "password": "ignored-Pa55",
        "active": True,
    }
    r = scim.call("POST", "/Users", new_user)
    assert r.status_code == 201, r.text
    created = r.json()
    user_id = created["id"]
    assert r.headers["location"].endswith(f"/scim/v2/Users/{user_id}")
    assert created["userName"] == user_name and created["active"] is True
    assert created["externalId"] == "00u1okta"

    r = scim.call("GET", f"/Users/{user_id}")
    assert r.status_code == 200, r.text
    assert r.json()["emails"][0]["value"] == user_name

    # Group push.
    r = scim.call("POST", "/Groups", {"schemas": [GROUP], "displayName": "Engineering", "members": []})
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]
    r = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id, "display": user_name}]}]},
    )
    assert r.status_code == 204, r.text

    loaded = client.mgmt.user.load_by_user_id(user_id)["user"]
    assert loaded["SCIM"] is True
    assert loaded["status"] == "enabled"
    assert roles_in(loaded, tenant) == [role]
    groups = client.mgmt.group.load_all_groups(tenant)
    scim_groups = [g for g in groups if g["source"] == "scim"]
    assert [g["display"] for g in scim_groups] == ["Engineering"]
    assert scim_groups[0]["members"][0]["userId"] == user_id

    # Profile update (PUT), then deactivation (PATCH).
    updated = dict(new_user, id=user_id, name={"givenName": "Okta", "familyName": "Person"})
    r = scim.call("PUT", f"/Users/{user_id}", updated)
    assert r.status_code == 200, r.text
    assert r.json()["name"]["familyName"] == "Person"
    r = scim.call("PATCH", f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False

    # Group membership removal takes the mapped role back.
    r = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{user_id}"]'}]},
    )
    assert r.status_code == 204, r.text

    loaded = client.mgmt.user.load(user_name)["user"]
    assert loaded["status"] == "disabled"
    assert loaded["familyName"] == "Person"
    assert roles_in(loaded, tenant) == []

    # Errors come in the SCIM format.
    r = scim.call("POST", "/Users", new_user)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "409" and body["scimType"] == "uniqueness"
    assert body["errorCode"]

    r = scim.call("DELETE", f"/Users/{user_id}")
    assert r.status_code == 204, r.text
    assert scim.call("GET", f"/Users/{user_id}").status_code == 404
    assert scim.call("DELETE", f"/Groups/{group_id}").status_code == 204


def test_entra_provisioning_sequence(client: DescopeClient, setup) -> None:
    tenant, role, scim = setup
    user_name = f"entra-{uid()}@example.com"

    r = scim.call("GET", "/Users", filter=f'userName eq "{user_name}"')
    assert r.json()["totalResults"] == 0
    body = {
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "entra-1",
        "userName": user_name,
        "active": True,
        "displayName": "Entra User",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"formatted": "Entra User", "familyName": "User", "givenName": "Entra"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
    }
    r = scim.call("POST", "/Users", body)
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    assert r.json()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {"department": "R&D"}

    # Entra checks for the group by name, then creates it.
    r = scim.call("GET", "/Groups", excludedAttributes="members", filter='displayName eq "Engineering"')
    assert r.json()["totalResults"] == 0
    r = scim.call("POST", "/Groups", {"schemas": [GROUP], "externalId": "e-g1", "displayName": "Engineering", "members": []})
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]
    r = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"value": user_id}]}]},
    )
    assert r.status_code == 204, r.text

    # Entra's membership check.
    r = scim.call("GET", "/Groups", excludedAttributes="members", filter=f'id eq "{group_id}" and members eq "{user_id}"')
    listed = r.json()
    assert listed["totalResults"] == 1, r.text
    assert "members" not in listed["Resources"][0]
    assert roles_in(client.mgmt.user.load_by_user_id(user_id)["user"], tenant) == [role]

    # Capitalised ops, "False", a value-filtered path.
    r = scim.call(
        "PATCH",
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": f"new-{user_name}"},
                {"op": "Add", "path": "name.givenName", "value": "Entrada"},
            ],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    loaded = client.mgmt.user.load_by_user_id(user_id)["user"]
    assert loaded["status"] == "disabled"
    assert loaded["email"] == f"new-{user_name}"
    assert loaded["givenName"] == "Entrada"

    r = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": "members", "value": [{"value": user_id}]}]},
    )
    assert r.status_code == 204, r.text
    assert roles_in(client.mgmt.user.load_by_user_id(user_id)["user"], tenant) == []

    r = scim.call("GET", "/Users", filter='userName eq "x" and')
    assert r.status_code == 400 and r.json()["scimType"] == "invalidFilter"
    assert scim.call("DELETE", f"/Users/{user_id}").status_code == 204


def test_scim_needs_a_tenant_admin_key(client: DescopeClient, project: Project) -> None:
    tenant = client.mgmt.tenant.create(f"scim-{uid()}")["id"]
    plain = client.mgmt.access_key.create(name=f"plain-{uid()}", key_tenants=[AssociatedTenant(tenant, [])])
    r = Scim(project.project_id, plain["cleartext"]).call("GET", "/Users")
    assert r.status_code == 403, r.text
    assert r.json()["status"] == "403"
    r = Scim(project.project_id, "not-a-key").call("GET", "/ServiceProviderConfig")
    assert r.status_code == 401, r.text
