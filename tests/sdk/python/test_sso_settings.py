"""Tenant SSO settings through the Python SDK's `mgmt.sso` client (issue 13, part S)."""

from __future__ import annotations

import uuid

import pytest
from conftest import Project, error_body
from descope import (
    AttributeMapping,
    AuthException,
    DescopeClient,
    OIDCAttributeMapping,
    RoleMapping,
    SSOOIDCSettings,
    SSOSAMLSettings,
    SSOSAMLSettingsByMetadata,
)


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def tenant(client: DescopeClient) -> str:
    return client.mgmt.tenant.create(f"sso-tenant-{uid()}")["id"]


@pytest.fixture(scope="module")
def role(client: DescopeClient) -> str:
    name = f"sso-role-{uid()}"
    client.mgmt.role.create(name)
    return name


def test_saml_settings(client: DescopeClient, project: Project, tenant: str, role: str) -> None:
    settings = SSOSAMLSettings(
        idp_url="https://dummy.com/saml",
        idp_entity_id="entity1234",
        idp_cert="my certificate",
        attribute_mapping=AttributeMapping(name="name", email="email", phone_number="phoneNumber", group="groups"),
        role_mappings=[RoleMapping(groups=["grp1"], role_name=role)],
    )
    client.mgmt.sso.configure_saml_settings(tenant, settings, redirect_url="https://app.example.com/cb", domains=["corp.example.com"])
    res = client.mgmt.sso.load_settings(tenant)
    saml = res["saml"]
    assert saml["idpSSOUrl"] == "https://dummy.com/saml"
    assert saml["idpEntityId"] == "entity1234"
    assert saml["idpCertificate"] == "my certificate"
    assert saml["spEntityId"] == f"{project.project_id}-{tenant}"
    assert f"projectId={project.project_id}" in saml["spACSUrl"]
    assert f"tenantId={tenant}" in saml["spACSUrl"]
    assert saml["attributeMapping"]["group"] == "groups"
    assert saml["groupsMapping"][0]["role"]["name"] == role
    assert saml["groupsMapping"][0]["groups"] == ["grp1"]
    assert saml["redirectUrl"] == "https://app.example.com/cb"
    assert res["tenant"]["authType"] == "saml"
    assert res["tenant"]["domains"] == ["corp.example.com"]
    # both protocols are always there
    assert res["oidc"]["userAttrMapping"]["loginId"] == "sub"


def test_saml_settings_by_metadata(client: DescopeClient, project: Project, tenant: str, role: str) -> None:
    settings = SSOSAMLSettingsByMetadata(
        idp_metadata_url="https://dummy.com/saml",
        attribute_mapping=AttributeMapping(name="name", group="groups"),
        role_mappings=[RoleMapping(groups=["grp1"], role_name=role)],
    )
    client.mgmt.sso.configure_saml_settings_by_metadata(tenant, settings)
    saml = client.mgmt.sso.load_settings(tenant)["saml"]
    assert saml["idpMetadataUrl"] == "https://dummy.com/saml"
    assert saml["spEntityId"] == f"{project.project_id}-{tenant}"
    assert saml["attributeMapping"]["group"] == "groups"
    assert saml["groupsMapping"][0]["role"]["name"] == role


def test_oidc_settings(client: DescopeClient, tenant: str) -> None:
    settings = SSOOIDCSettings(
        name="myProvider",
        client_id="iddd",
        client_secret="secret",
        auth_url="https://dummy.com/auth",
        token_url="https://dummy.com/token",
        user_data_url="https://dummy.com/userInfo",
        scope=["openid", "profile", "email"],
        attribute_mapping=OIDCAttributeMapping(
            login_id="subject", name="name", given_name="givenName", middle_name="middleName",
            family_name="familyName", email="email", verified_email="verifiedEmail", username="username",
            phone_number="phoneNumber", verified_phone="verifiedPhone", picture="picture",
        ),
    )
    client.mgmt.sso.configure_oidc_settings(tenant, settings)
    res = client.mgmt.sso.load_settings(tenant)
    oidc = res["oidc"]
    assert res["tenant"]["authType"] == "oidc"
    assert oidc["name"] == "myProvider"
    assert oidc["clientId"] == "iddd"
    assert oidc["clientSecret"] == ""
    assert oidc["scope"] == ["openid", "profile", "email"]
    assert oidc["userAttrMapping"]["loginId"] == "subject"
    assert oidc["userAttrMapping"]["verifiedPhone"] == "verifiedPhone"
    client.mgmt.sso.delete_settings(tenant)
    res = client.mgmt.sso.load_settings(tenant)
    assert res["tenant"]["authType"] == "none"
    assert res["oidc"]["clientId"] == ""


def test_legacy_calls(client: DescopeClient, project: Project, tenant: str) -> None:
    settings = client.mgmt.sso.get_settings(tenant)
    assert settings["tenantId"] == tenant
    assert settings["idpEntityId"] == ""
    assert settings["spEntityId"] == f"{project.project_id}-{tenant}"
    assert settings["domains"] == []
    assert settings["userMapping"] == {
        "name": "name", "email": "email", "username": "", "phoneNumber": "phone", "group": "",
        "givenName": "", "middleName": "", "familyName": "", "picture": "", "verifiedEmail": "",
        "verifiedPhone": "", "customAttributes": {},
    }
    client.mgmt.sso.configure(tenant, "http://idpURL", "entity", "mycert", "https://redirect", ["domain.com", "app.domain.com"])
    settings = client.mgmt.sso.get_settings(tenant)
    assert settings["idpSSOUrl"] == "http://idpURL"
    assert settings["idpCertificate"] == "mycert"
    assert settings["redirectUrl"] == "https://redirect"
    assert settings["domain"] == "domain.com"
    client.mgmt.sso.configure_via_metadata(tenant, "http://idpMetadataURL", domains=["domain2.com", "app.domain2.com"])
    client.mgmt.sso.mapping(tenant, role_mappings=[RoleMapping(["a"], "Tenant Admin")], attribute_mapping=AttributeMapping(name="MyName"))
    settings = client.mgmt.sso.get_settings(tenant)
    assert settings["idpMetadataUrl"] == "http://idpMetadataURL"
    assert settings["redirectUrl"] == "https://redirect"
    assert set(settings["domains"]) == {"domain2.com", "app.domain2.com"}
    assert settings["userMapping"]["name"] == "MyName"
    assert settings["userMapping"]["email"] == ""
    assert settings["groupsMapping"][0]["role"]["name"] == "Tenant Admin"
    client.mgmt.sso.delete_settings(tenant)
    settings = client.mgmt.sso.get_settings(tenant)
    assert settings["idpSSOUrl"] == ""
    assert settings["idpCertificate"] == ""


def test_errors(client: DescopeClient, tenant: str) -> None:
    with pytest.raises(AuthException) as e:
        client.mgmt.sso.load_settings("no-such-tenant")
    assert e.value.status_code == 404
    assert error_body(e.value)["errorCode"] == "E011008"
    bad_role = SSOSAMLSettings(idp_url="https://x.test", idp_entity_id="e", idp_cert="c",
                               role_mappings=[RoleMapping(["g"], "no-such-role")])
    with pytest.raises(AuthException) as e:
        client.mgmt.sso.configure_saml_settings(tenant, bad_role)
    assert e.value.status_code == 400
    bad_url = SSOSAMLSettings(idp_url="not a url", idp_entity_id="e", idp_cert="c")
    with pytest.raises(AuthException) as e:
        client.mgmt.sso.configure_saml_settings(tenant, bad_url)
    assert e.value.status_code == 400
