"""Inbound (third-party) apps with the Python SDK's `mgmt.third_party_application`, and the
inbound authorization server (`/v1/apps/<P>` discovery) driven by Authlib: code + PKCE,
consent recorded, refresh, userinfo, revoke, client credentials and dynamic registration."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, jwt
from conftest import EMULATOR_URL, Project, error_body
from descope import AuthException, DescopeClient

REDIRECT = "http://agent.test/callback"


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def discovery(project: Project) -> dict:
    r = httpx.get(f"{EMULATOR_URL}/v1/apps/{project.project_id}/.well-known/openid-configuration", trust_env=False)
    assert r.status_code == 200, r.text
    return r.json()


def create_app(client: DescopeClient, **extra) -> dict:
    return client.mgmt.third_party_application.create(
        name=f"Agent {uid()}",
        login_page_url="http://agent.test/login",
        description="an agent",
        approved_callback_urls=[REDIRECT],
        permissions_scopes=[{"name": "read:docs", "description": "Read docs", "values": []}],
        attributes_scopes=[{"name": "profile.email", "description": "Email", "values": ["email"]}],
        **extra,
    )


def test_crud_secret_rotate_and_delete(project: Project, client: DescopeClient) -> None:
    apps = client.mgmt.third_party_application
    created = create_app(client)
    app_id, secret = created["id"], created["cleartext"]
    assert app_id.startswith("TPA") and secret
    loaded = apps.load(app_id)
    assert loaded["id"] == app_id and loaded["description"] == "an agent"
    client_id = loaded["clientId"]
    assert base64.b64decode(client_id).decode() == f"{project.project_id}:{app_id}"
    assert apps.get_secret(app_id)["cleartext"] == secret

    apps.patch(app_id, description="patched")
    assert apps.load(app_id)["description"] == "patched"
    apps.update(app_id, name="Renamed", login_page_url="http://agent.test/login2")
    loaded = apps.load(app_id)
    assert loaded["name"] == "Renamed" and loaded["loginPageUrl"] == "http://agent.test/login2"
    assert loaded["description"] == ""

    rotated = apps.rotate_secret(app_id)["cleartext"]
    assert rotated != secret and apps.get_secret(app_id)["cleartext"] == rotated

    assert any(a["id"] == app_id for a in apps.load_all()["apps"])
    apps.delete(app_id)
    with pytest.raises(AuthException) as e:
        apps.load(app_id)
    assert e.value.status_code == 404
    other = create_app(client)
    apps.delete_batch([other["id"]])
    assert all(a["id"] != other["id"] for a in apps.load_all()["apps"])


def test_create_refuses_bad_input(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as e:
        client.mgmt.third_party_application.create(name="", login_page_url="x")
    assert e.value.status_code == 400
    assert error_body(e.value)["errorCode"] == "E011002"


def test_discovery_is_the_inbound_issuer(project: Project, discovery: dict) -> None:
    assert discovery["issuer"] == f"{EMULATOR_URL}/v1/apps/{project.project_id}"
    assert discovery["token_endpoint"] == f"{EMULATOR_URL}/oauth2/v1/apps/{project.project_id}/token"
    assert discovery["registration_endpoint"].endswith(f"/v1/mgmt/inboundapp/app/{project.project_id}/register")


def authorize(oauth: OAuth2Client, discovery: dict, login_hint: str) -> tuple[dict, str]:
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, login_hint=login_hint, nonce="n-1"
    )
    r = httpx.get(url, follow_redirects=False, trust_env=False)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith(REDIRECT) and f"state={state}" in location, location
    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=location, code_verifier=verifier)
    return token, verifier


def test_code_flow_consents_refresh_userinfo_revoke(project: Project, client: DescopeClient, discovery: dict) -> None:
    apps = client.mgmt.third_party_application
    created = create_app(client)
    app_id = created["id"]
    client_id = apps.load(app_id)["clientId"]
    email = f"in-{uid()}@example.com"
    user_id = client.mgmt.user.create(login_id=email, email=email, verified_email=True)["user"]["userId"]

    oauth = OAuth2Client(
        client_id=client_id,
        client_secret=created["cleartext"],
        scope="openid read:docs",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        trust_env=False,
    )
    token, _ = authorize(oauth, discovery, email)
    assert token["scope"] == "openid read:docs"
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json())
    access = jwt.decode(token["access_token"], jwks)
    assert access["iss"] == discovery["issuer"] and access["sub"] == user_id
    assert access["scope"] == "openid read:docs" and access["azp"] == client_id
    assert project.project_id in access["aud"] and client_id in access["aud"]
    id_token = jwt.decode(token["id_token"], jwks)
    assert id_token["iss"] == discovery["issuer"] and id_token["aud"] == client_id and id_token["nonce"] == "n-1"

    # The consent, searchable by app and by user.
    consents = apps.search_consents(app_id=app_id)
    assert consents["total"] == 1
    consent = consents["consents"][0]
    assert consent["userId"] == user_id and consent["grantedBy"] == user_id
    assert set(consent["scopes"]) == {"openid", "read:docs"}
    assert apps.search_consents(user_id=user_id)["consents"][0]["id"] == consent["id"]

    # Userinfo and refresh with the standard client.
    info = oauth.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == user_id and info["email"] == email
    refreshed = oauth.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]

    # Deleting the consent revokes the refresh tokens it backed.
    apps.delete_consents(consent_ids=[consent["id"]])
    assert apps.search_consents(app_id=app_id)["total"] == 0
    r = httpx.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        auth=(client_id, created["cleartext"]),
        trust_env=False,
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text

    # Revocation answers 200 whatever the token (RFC 7009).
    r = httpx.post(discovery["revocation_endpoint"], data={"token": "nope"}, trust_env=False)
    assert r.status_code == 200


def test_tenant_consents(client: DescopeClient, discovery: dict) -> None:
    apps = client.mgmt.third_party_application
    created = create_app(client)
    client_id = apps.load(created["id"])["clientId"]
    tenant_id = client.mgmt.tenant.create(name=f"Acme {uid()}")["id"]
    email = f"tn-{uid()}@example.com"
    client.mgmt.user.create(login_id=email, email=email)
    oauth = OAuth2Client(
        client_id=client_id,
        client_secret=created["cleartext"],
        scope="read:docs",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        trust_env=False,
    )
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, login_hint=email, tenant=tenant_id
    )
    r = httpx.get(url, follow_redirects=False, trust_env=False)
    assert r.status_code == 302 and "code=" in r.headers["location"], r.text
    found = apps.search_consents(tenant_id=tenant_id)
    assert found["total"] == 1 and found["consents"][0]["tenantId"] == tenant_id
    apps.delete_tenant_consents(tenant_id)
    assert apps.search_consents(tenant_id=tenant_id)["total"] == 0


def test_client_credentials(project: Project, client: DescopeClient, discovery: dict) -> None:
    created = create_app(client, default_audience="projectId")
    client_id = client.mgmt.third_party_application.load(created["id"])["clientId"]
    oauth = OAuth2Client(client_id=client_id, client_secret=created["cleartext"], scope="read:docs", trust_env=False)
    token = oauth.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json())
    claims = jwt.decode(token["access_token"], jwks)
    assert claims["sub"] == created["id"] and claims["scope"] == "read:docs"
    assert claims["aud"] == [project.project_id]
    # The SDK validates it as a session of the project.
    assert client.validate_session(token["access_token"])["sub"] == created["id"]


def test_dynamic_registration_then_public_code_flow(client: DescopeClient, discovery: dict) -> None:
    r = httpx.post(
        discovery["registration_endpoint"],
        json={"client_name": "Inspector", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"},
        trust_env=False,
    )
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["token_endpoint_auth_method"] == "none" and "client_secret" not in reg
    email = f"dcr-{uid()}@example.com"
    client.mgmt.user.create(login_id=email, email=email)
    oauth = OAuth2Client(
        client_id=reg["client_id"],
        scope="openid",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        trust_env=False,
    )
    token, _ = authorize(oauth, discovery, email)
    assert token["access_token"] and token["refresh_token"]
    dynamic = [a for a in client.mgmt.third_party_application.load_all()["apps"] if a["clientId"] == reg["client_id"]]
    assert dynamic and dynamic[0]["dynamic"] is True

    r = httpx.post(discovery["registration_endpoint"], json={"redirect_uris": ["not a url"]}, trust_env=False)
    assert r.status_code == 400 and r.json()["error"] == "invalid_redirect_uri"


def test_ciba_poll_mode(project: Project, client: DescopeClient, discovery: dict) -> None:
    created = create_app(client)
    client_id = client.mgmt.third_party_application.load(created["id"])["clientId"]
    email = f"ciba-{uid()}@example.com"
    user_id = client.mgmt.user.create(login_id=email, email=email)["user"]["userId"]
    auth = (client_id, created["cleartext"])
    r = httpx.post(
        discovery["backchannel_authentication_endpoint"],
        data={"scope": "openid read:docs", "login_hint": email, "binding_message": "42"},
        auth=auth,
        trust_env=False,
    )
    assert r.status_code == 200, r.text
    start = r.json()
    assert start["expires_in"] > 0 and start["interval"] > 0
    r = httpx.post(
        discovery["token_endpoint"],
        data={"grant_type": "urn:openid:params:grant-type:ciba", "auth_req_id": start["auth_req_id"]},
        auth=auth,
        trust_env=False,
    )
    assert r.status_code == 200, r.text
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json())
    assert jwt.decode(r.json()["access_token"], jwks)["sub"] == user_id
