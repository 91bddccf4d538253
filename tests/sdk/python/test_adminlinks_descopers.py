"""Tenant admin links and descopers through the Python SDK (`mgmt.tenant`, `mgmt.descoper`).

descope 2.16.1 exposes generate (v2) and revoke of the SSO configuration link, and all five
descoper calls; the other admin link calls (send, authenticated) have no Python method.
"""

from __future__ import annotations

import uuid

import pytest
from conftest import error_body, unique_email
from descope import (
    AuthException,
    DescopeClient,
    DescoperAttributes,
    DescoperCreate,
    DescoperProjectRole,
    DescoperRBAC,
    DescoperRole,
    DescoperTagRole,
)


def uid() -> str:
    return uuid.uuid4().hex[:10]


def test_generate_sso_configuration_link_and_mail_it(client: DescopeClient, project) -> None:
    tenant_id = f"T-al-{uid()}"
    client.mgmt.tenant.create(f"Links {uid()}", id=tenant_id)
    email = unique_email()
    link = client.mgmt.tenant.generate_sso_configuration_link(tenant_id, expire_time=3600, email=email, sso_id="okta")
    assert isinstance(link, str) and "/sso-setup?t=" in link
    message = project.outbox_latest(email)
    assert message["kind"] == "adminlink"
    assert message["link"] == link
    # revoke answers nothing and a second link is a different one
    client.mgmt.tenant.revoke_sso_configuration_link(tenant_id, sso_id="okta")
    client.mgmt.tenant.revoke_sso_configuration_link(tenant_id)
    again = client.mgmt.tenant.generate_sso_configuration_link(tenant_id, expire_time=60)
    assert again != link


def test_admin_link_of_an_unknown_tenant(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as e:
        client.mgmt.tenant.generate_sso_configuration_link(f"nope-{uid()}", expire_time=60)
    assert e.value.status_code == 404
    assert error_body(e.value)["errorCode"] == "E011008"


def test_descopers_crud(client: DescopeClient) -> None:
    login = unique_email()
    created = client.mgmt.descoper.create(
        [
            DescoperCreate(
                login_id=login,
                attributes=DescoperAttributes(display_name="Dev One", email=login),
                rbac=DescoperRBAC(
                    projects=[DescoperProjectRole(project_ids=["P1"], role=DescoperRole.DEVELOPER)],
                ),
            )
        ]
    )
    assert created["total"] == 1
    d = created["descopers"][0]
    assert d["id"].startswith("D")
    assert d["loginIds"] == [login]
    assert d["attributes"]["displayName"] == "Dev One"
    assert d["rbac"]["projects"] == [{"projectIds": ["P1"], "role": "developer"}]

    loaded = client.mgmt.descoper.load(d["id"])
    assert loaded["descoper"] == d

    updated = client.mgmt.descoper.update(
        d["id"], rbac=DescoperRBAC(tags=[DescoperTagRole(tags=["prod"], role=DescoperRole.AUDITOR)])
    )
    assert updated["descoper"]["rbac"]["tags"] == [{"tags": ["prod"], "role": "auditor"}]
    assert updated["descoper"]["attributes"]["displayName"] == "Dev One"

    listed = client.mgmt.descoper.list()
    assert d["id"] in [x["id"] for x in listed["descopers"]]
    assert listed["total"] == len(listed["descopers"])

    client.mgmt.descoper.delete(d["id"])
    with pytest.raises(AuthException) as e:
        client.mgmt.descoper.load(d["id"])
    assert e.value.status_code == 404


def test_descoper_without_role_is_refused(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as e:
        client.mgmt.descoper.create(
            [DescoperCreate(login_id=unique_email(), rbac=DescoperRBAC(tags=[DescoperTagRole(tags=["x"])]))]
        )
    assert e.value.status_code == 400
