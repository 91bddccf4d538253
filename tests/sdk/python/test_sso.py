"""SSO sign-in through the Python SDK's `sso` client and the emulator's fake IdP (issue 13, part S)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from conftest import Emulator, Project, error_body
from descope import AttributeMapping, AuthException, DescopeClient, OIDCAttributeMapping, RoleMapping, SSOOIDCSettings, SSOSAMLSettings

CB = "http://localhost:3000/sso-callback"


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def roles(client: DescopeClient) -> tuple[str, str]:
    dev, viewer = f"dev-{uid()}", f"viewer-{uid()}"
    client.mgmt.role.create(dev)
    client.mgmt.role.create(viewer)
    return dev, viewer


@pytest.fixture
def saml_tenant(client: DescopeClient, roles: tuple[str, str]) -> tuple[str, str]:
    """A tenant with SAML SSO: group `eng` → dev, default role viewer; returns (tenant, domain)."""
    dev, viewer = roles
    tenant = client.mgmt.tenant.create(f"sso-{uid()}")["id"]
    domain = f"{uid()}.corp.test"
    settings = SSOSAMLSettings(
        idp_url="https://idp.example.com/saml", idp_entity_id="e", idp_cert="c",
        attribute_mapping=AttributeMapping(name="displayName", email="mail", group="memberOf"),
        role_mappings=[RoleMapping(groups=["eng"], role_name=dev)],
        default_sso_roles=[viewer],
    )
    client.mgmt.sso.configure_saml_settings(tenant, settings, domains=[domain])
    return tenant, domain


def code_from(emulator: Emulator, url: str, **knobs: str) -> str:
    """Approves at the fake IdP page headlessly (no redirects followed); the code of the redirect."""
    r = httpx.get(f"{url}&{urlencode(knobs)}", follow_redirects=False, trust_env=False)
    assert r.status_code in (302, 303), f"{r.status_code} {r.text}"
    location = r.headers["location"]
    assert location.startswith(CB), location
    return parse_qs(urlparse(location).query)["code"][0]


def test_saml_sign_in(client: DescopeClient, emulator: Emulator, saml_tenant: tuple[str, str], roles: tuple[str, str]) -> None:
    tenant, domain = saml_tenant
    dev, viewer = roles
    email = f"ann-{uid()}@{domain}"
    url = client.sso.start(tenant, CB)["url"]
    code = code_from(emulator, url, email=email, name="Ann", groups="eng")
    jwt = client.sso.exchange_token(code)
    assert jwt["sessionToken"]["amr"] == ["fed"]
    assert client.validate_tenant_roles(jwt, tenant, [dev])
    assert jwt["sessionToken"]["dct"] == tenant
    assert jwt["user"]["SAML"] is True
    assert jwt["user"]["email"] == email
    assert jwt["user"]["name"] == "Ann"
    # (python 2.16's exchange_token keeps only the JWTs, user and firstSeen: idpResponse is
    # checked by the in-process and Node tests)
    # the code works once
    with pytest.raises(AuthException) as e:
        client.sso.exchange_token(code)
    assert e.value.status_code == 401

    # by email domain, no group matched: the default SSO roles
    url = client.sso.start(f"someone@{domain}", CB)["url"]
    code = code_from(emulator, url, email=email, groups="sales")
    jwt = client.sso.exchange_token(code)
    assert client.validate_tenant_roles(jwt, tenant, [viewer])
    assert not client.validate_tenant_roles(jwt, tenant, [dev])
    assert jwt["firstSeen"] is False


def test_oidc_and_sso_id(client: DescopeClient, emulator: Emulator, saml_tenant: tuple[str, str]) -> None:
    tenant, _ = saml_tenant
    client.mgmt.sso.new_settings(tenant, "Okta", sso_id="okta")
    settings = SSOOIDCSettings(
        name="okta", client_id="cid", auth_url="https://okta.test/auth",
        attribute_mapping=OIDCAttributeMapping(login_id="sub", name="name", given_name="given_name", middle_name="", family_name="",
                                               email="email", verified_email="email_verified", username="", phone_number="",
                                               verified_phone="", picture=""),
    )
    other = client.mgmt.tenant.create(f"oidc-{uid()}")["id"]
    client.mgmt.sso.configure_oidc_settings(other, settings)
    url = client.sso.start(other, CB)["url"]
    code = code_from(emulator, url, email=f"olga-{uid()}@okta.test", sub="okta-1", groups="admins", **{"attr.department": "R&D"})
    jwt = client.sso.exchange_token(code)
    assert jwt["sessionToken"]["amr"] == ["fed"]
    assert jwt["user"]["SAML"] is True
    assert jwt["user"]["verifiedEmail"] is True
    # the named configuration of the SAML tenant is not set up: starting it is refused
    with pytest.raises(AuthException) as e:
        client.sso.start(tenant, CB, sso_id="okta")
    assert e.value.status_code == 400


def test_refusals(client: DescopeClient, project: Project, emulator: Emulator, saml_tenant: tuple[str, str]) -> None:
    tenant, _ = saml_tenant
    with pytest.raises(AuthException) as e:
        client.sso.start("no-such-tenant", CB)
    assert e.value.status_code == 400
    assert error_body(e.value)["errorCode"] == "E011004"
    # a code of another project
    other = emulator.create_project()
    try:
        url = client.sso.start(tenant, CB)["url"]
        code = code_from(emulator, url, email=f"x-{uid()}@corp.test")
        with pytest.raises(AuthException) as e:
            other.client().sso.exchange_token(code)
        assert e.value.status_code == 401
    finally:
        emulator.delete_project(other.project_id)
    # an expired code
    url = client.sso.start(tenant, CB)["url"]
    code = code_from(emulator, url, email=f"y-{uid()}@corp.test")
    emulator.advance_clock(6 * 60)
    try:
        with pytest.raises(AuthException) as e:
            client.sso.exchange_token(code)
        assert e.value.status_code == 401
    finally:
        emulator.reset_clock()


def test_real_oidc_loop(client: DescopeClient, project: Project, emulator: Emulator) -> None:
    """A tenant whose OIDC settings point at the emulator's own OIDC IdP: code, token, ID token for real."""
    tenant = client.mgmt.tenant.create(f"oidc-real-{uid()}")["id"]
    iss = f"{emulator.url}/emulator/v1/idp/oidc/{project.project_id}/corp"
    discovery = httpx.get(f"{iss}/.well-known/openid-configuration", trust_env=False).json()
    assert discovery["issuer"] == iss
    settings = SSOOIDCSettings(
        name="corp", client_id="my-client", client_secret="s", auth_url=discovery["authorization_endpoint"],
        token_url=discovery["token_endpoint"], jwks_url=discovery["jwks_uri"], scope=["openid", "email"],
    )
    client.mgmt.sso.configure_oidc_settings(tenant, settings)
    url = client.sso.start(tenant, CB)["url"]
    assert url.startswith(f"{iss}/authorize?")
    email = f"ivy-{uid()}@corp.test"
    r = httpx.get(f"{url}&{urlencode({'email': email, 'name': 'Ivy'})}", follow_redirects=False, trust_env=False)
    assert r.status_code in (302, 303), r.text
    callback = r.headers["location"]
    assert "/v1/oauth/callback?" in callback
    r = httpx.get(callback, follow_redirects=False, trust_env=False)
    assert r.status_code in (302, 303), r.text
    code = parse_qs(urlparse(r.headers["location"]).query)["code"][0]
    jwt = client.sso.exchange_token(code)
    assert jwt["sessionToken"]["amr"] == ["fed"]
    assert jwt["user"]["email"] == email
    assert jwt["user"]["name"] == "Ivy"
    assert jwt["sessionToken"]["dct"] == tenant
