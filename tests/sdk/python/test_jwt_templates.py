"""JWT templates (issue 17): the project's user and access-key templates shape the session JWTs
the Python SDK validates. descope 2.16.1 has no JWT template client, so the templates are
managed over plain HTTP with the management key; everything else goes through the SDK."""

from __future__ import annotations

import uuid

import httpx
import pytest
from conftest import Project, unique_email
from descope import AccessKeyLoginOptions, AssociatedTenant, DeliveryMethod, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


def mgmt_post(project: Project, op: str, body: dict) -> httpx.Response:
    return project.emulator.request(
        "POST",
        f"/v1/mgmt/jwt/templates/{op}",
        json=body,
        headers={"Authorization": f"Bearer {project.project_id}:{project.management_key}"},
    )


def create_template(project: Project, template: dict) -> dict:
    r = mgmt_post(project, "create", {"template": template})
    assert r.status_code == 200, f"create -> {r.status_code} {r.text}"
    return r.json()["template"]


@pytest.fixture(scope="module")
def world(client: DescopeClient, project: Project) -> dict:
    """A declared user attribute `plan`, a tenant with a custom attribute `tier`, a role in
    it, and a user of the tenant with `plan` set."""
    client.mgmt.user.create_custom_attribute("plan", "Plan", "string")
    role = f"editor-{uid()}"
    tenant_name = f"Acme {uid()}"
    tenant_id = client.mgmt.tenant.create(tenant_name, custom_attributes={"tier": "gold"})["id"]
    client.mgmt.role.create(role, tenant_id=tenant_id)
    login_id = unique_email()
    client.mgmt.user.create(
        login_id,
        email=login_id,
        display_name="Ada Lovelace",
        user_tenants=[AssociatedTenant(tenant_id, [role])],
        custom_attributes={"plan": "pro"},
    )
    return {"tenant_id": tenant_id, "tenant_name": tenant_name, "role": role, "login_id": login_id}


def sign_in_by_otp(client: DescopeClient, project: Project, login_id: str) -> dict:
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


def test_user_template_claims_in_a_validated_session(client: DescopeClient, project: Project, world: dict) -> None:
    template = create_template(
        project,
        {
            "name": f"app-{uid()}",
            "isDefault": True,
            "authSchema": "tenantOnly",
            "template": {
                "email": "{{user.email}}",
                "plan": "{{user.customAttributes.plan}}",
                "org": "{{tenant.name}}",
                "tier": "{{tenant.customAttributes.tier}}",
                "greeting": "Hello {{user.name}}",
                "app": {"name": "demo", "tenant": "{{tenant.id}}"},
            },
        },
    )
    try:
        result = sign_in_by_otp(client, project, world["login_id"])
        claims = project.client().validate_session(result["sessionToken"]["jwt"])
        assert claims["email"] == world["login_id"]
        assert claims["plan"] == "pro"
        assert claims["org"] == world["tenant_name"]
        assert claims["tier"] == "gold"
        assert claims["greeting"] == "Hello Ada Lovelace"
        assert claims["app"] == {"name": "demo", "tenant": world["tenant_id"]}
        # tenantOnly: the selected tenant's roles at the root, no `tenants` claim.
        assert claims["dct"] == world["tenant_id"]
        assert claims["roles"] == [world["role"]]
        # The SDK itself fills in `tenants` ({}) when the token has none.
        assert claims["tenants"] == {}
        raw = claims.get("sessionToken", claims)
        assert "tenants" not in raw or raw["tenants"] == {}
        # The SDK's own role check reads the root roles.
        assert client.validate_roles(claims, [world["role"]])

        # A refresh computes the claims again.
        refreshed = client.refresh_session(result["refreshSessionToken"]["jwt"])
        assert client.validate_session(refreshed["sessionToken"]["jwt"])["plan"] == "pro"
    finally:
        assert mgmt_post(project, "delete", {"id": template["id"]}).status_code == 200

    # Without the template: Descope's default claims again.
    claims = client.validate_session(sign_in_by_otp(client, project, world["login_id"])["sessionToken"]["jwt"])
    assert "plan" not in claims
    assert claims["tenants"][world["tenant_id"]]["roles"] == [world["role"]]


def test_access_key_template_claims_in_a_validated_session(client: DescopeClient, project: Project, world: dict) -> None:
    name = f"ci-{uid()}"
    created = client.mgmt.access_key.create(
        name=name,
        key_tenants=[AssociatedTenant(world["tenant_id"], [])],
        custom_attributes={"team": "infra"},
    )
    template = create_template(
        project,
        {
            "name": f"keys-{uid()}",
            "type": "key",
            "isDefault": True,
            "template": {"keyName": "{{accessKey.name}}", "team": "{{accessKey.customAttributes.team}}",
                         "org": "{{tenant.name}}"},
        },
    )
    try:
        result = project.client().exchange_access_key(
            created["cleartext"], login_options=AccessKeyLoginOptions(selected_tenant=world["tenant_id"])
        )
        claims = client.validate_session(result["sessionToken"]["jwt"])
        assert claims["sub"] == created["key"]["id"]
        assert claims["keyName"] == name
        assert claims["team"] == "infra"
        assert claims["org"] == world["tenant_name"]
    finally:
        assert mgmt_post(project, "delete", {"id": template["id"]}).status_code == 200


def test_a_template_referencing_an_unknown_attribute_is_refused(project: Project) -> None:
    r = mgmt_post(project, "create", {"template": {"name": f"bad-{uid()}", "template": {"x": "{{user.customAttributes.nope}}"}}})
    assert r.status_code == 400, r.text
    assert r.json()["errorCode"] == "E011004"
    assert "nope" in r.json()["errorMessage"]
    listed = mgmt_post(project, "list", {}).json()["templates"]
    assert all(not t["name"].startswith("bad-") for t in listed)
