"""The emulator as an OIDC provider, driven by a standard client library (Authlib), plus the
Descope SDK's SSO-application management calls."""

from __future__ import annotations

import uuid

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from conftest import EMULATOR_URL, Project
from descope import AuthException, DescopeClient

REDIRECT = "http://rp.test/callback"


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def discovery(project: Project) -> dict:
    r = httpx.get(f"{EMULATOR_URL}/{project.project_id}/.well-known/openid-configuration", trust_env=False)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def access_key(client: DescopeClient) -> str:
    return client.mgmt.access_key.create(f"oidc-{uid()}")["cleartext"]


@pytest.fixture
def user(client: DescopeClient) -> dict:
    email = f"oidc-{uid()}@example.com"
    created = client.mgmt.user.create(login_id=email, email=email, display_name="Ann Lee", verified_email=True)
    return {"email": email, "userId": created["user"]["userId"]}


def signed_in(project: Project, discovery: dict, key: str, user: dict) -> tuple[OAuth2Client, dict, str]:
    """Code flow with PKCE; the user named by login_hint; answers the client, token and verifier."""
    oauth = OAuth2Client(
        client_id=project.project_id,
        client_secret=key,
        scope="openid email profile",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        trust_env=False,
    )
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-42", login_hint=user["email"]
    )
    r = httpx.get(url, follow_redirects=False, trust_env=False)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith(REDIRECT) and f"state={state}" in location
    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=location, code_verifier=verifier)
    return oauth, token, verifier


def test_discovery_matches_the_issuer(project: Project, discovery: dict) -> None:
    assert discovery["issuer"] == f"{EMULATOR_URL}/{project.project_id}"
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint", "jwks_uri"):
        assert discovery[name].startswith(EMULATOR_URL)


def test_code_flow_id_token_refresh_userinfo_revoke(
    project: Project, client: DescopeClient, discovery: dict, access_key: str, user: dict
) -> None:
    oauth, token, _ = signed_in(project, discovery, access_key, user)
    assert token["token_type"] == "Bearer"

    # The ID token verifies against the JWKS, with nonce, audience and at_hash.
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": discovery["issuer"]}},
        claims_params={"nonce": "n-42", "client_id": project.project_id, "access_token": token["access_token"]},
    )
    claims.validate()
    assert claims["sub"] == user["userId"]
    assert claims["email"] == user["email"]

    # The access token is a Descope session JWT the SDK validates.
    validated = client.validate_session(token["access_token"])
    assert validated["sub"] == user["userId"]

    info = oauth.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == user["userId"] and info["email"] == user["email"]

    refreshed = oauth.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    # The rotated-out token is refused.
    stale = httpx.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(project.project_id, access_key),
        trust_env=False,
    )
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"

    r = oauth.revoke_token(discovery["revocation_endpoint"], token=refreshed["refresh_token"], token_type_hint="refresh_token")
    assert r.status_code == 200
    with pytest.raises(AuthException):
        client.refresh_session(refreshed["refresh_token"])


def test_client_credentials_with_an_access_key(project: Project, client: DescopeClient, discovery: dict, access_key: str) -> None:
    oauth = OAuth2Client(client_id=project.project_id, client_secret=access_key, trust_env=False)
    token = oauth.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert "refresh_token" not in token
    assert client.validate_session(token["access_token"])["sub"].startswith("K")
    bad = OAuth2Client(client_id=project.project_id, client_secret="wrong", trust_env=False)
    r = bad.post(discovery["token_endpoint"], data={"grant_type": "client_credentials"}, auth=(project.project_id, "wrong"))
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")


def test_queued_identity_signs_in(project: Project, discovery: dict, access_key: str, user: dict) -> None:
    r = project.emulator.request("POST", f"/emulator/v1/projects/{project.project_id}/signin/next", json={"loginId": user["email"]})
    assert r.status_code == 200, r.text
    oauth = OAuth2Client(client_id=project.project_id, client_secret=access_key, scope="openid", redirect_uri=REDIRECT, trust_env=False)
    url, _ = oauth.create_authorization_url(discovery["authorization_endpoint"])
    r = httpx.get(url, follow_redirects=False, trust_env=False)
    assert r.status_code == 302, r.text
    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=r.headers["location"])
    assert jwt.decode(token["id_token"], JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json()))["sub"] == user["userId"]


def test_sso_application_management(client: DescopeClient, project: Project) -> None:
    apps = client.mgmt.sso_application
    oidc_id = apps.create_oidc_application(name=f"crm-{uid()}", login_page_url="http://login.test")["id"]
    saml_id = apps.create_saml_application(
        name=f"wiki-{uid()}", login_page_url="", entity_id="ent", acs_url="http://wiki.test/acs", certificate="cert"
    )["id"]
    loaded = apps.load(oidc_id)
    assert loaded["appType"] == "oidc"
    assert loaded["oidcSettings"]["issuer"] == f"{EMULATOR_URL}/{project.project_id}/{oidc_id}"
    assert loaded["oidcSettings"]["clientId"]
    assert apps.load(saml_id)["samlSettings"]["acsUrl"] == "http://wiki.test/acs"
    ids = [a["id"] for a in apps.load_all()["apps"]]
    assert ids[0] == "descope-default-oidc" and oidc_id in ids and saml_id in ids

    secret = apps.get_application_secret(oidc_id)
    rotated = apps.rotate_application_secret(oidc_id)
    assert secret and rotated and rotated != secret

    apps.update_oidc_application(id=oidc_id, name="renamed", login_page_url="http://login.test")
    assert apps.load(oidc_id)["name"] == "renamed"
    apps.delete(oidc_id)
    with pytest.raises(AuthException):
        apps.load(oidc_id)
    with pytest.raises(AuthException):
        apps.delete("descope-default-oidc")
