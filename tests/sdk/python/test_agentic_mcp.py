"""An MCP server protected by the emulator's agentic authorization server, driven the way an
agent does it with Authlib: discovery of the MCP server's issuer, dynamic client registration
(RFC 7591) under the MCP server, code + PKCE with an RFC 8707 `resource`, then the token: its
`aud` and `scope` checked and its signature verified against the JWKS. Resources, policies and
MCP servers are managed with plain HTTP (no Descope SDK has these operations)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, jwt
from conftest import EMULATOR_URL, Project
from descope import DescopeClient

REDIRECT = "http://127.0.0.1:33418/callback"
MCP_URL = "http://localhost:3000/mcp"


def uid() -> str:
    return uuid.uuid4().hex[:10]


def mgmt(project: Project, path: str, body: dict | None = None, method: str = "POST") -> httpx.Response:
    return httpx.request(
        method,
        f"{EMULATOR_URL}{path}",
        json=body,
        headers={"Authorization": f"Bearer {project.project_id}:{project.management_key}"},
        trust_env=False,
    )


@pytest.fixture(scope="module")
def server(project: Project) -> dict:
    r = mgmt(
        project,
        "/v1/mgmt/mcp/server/create",
        {
            "name": f"Docs MCP {uid()}",
            "approvedScopes": {"permissionsScopes": [{"name": "docs:read", "description": "Read docs"}]},
            "audienceWhitelist": ["docs-api"],
        },
    )
    assert r.status_code == 200, r.text
    return r.json()["server"]


def test_manage_servers_resources_and_policies(project: Project, server: dict) -> None:
    assert server["id"].startswith("MS") and server["dynamicRegistration"]["enabled"] is True
    r = mgmt(project, "/v1/mgmt/mcp/server/load", {"id": server["id"]})
    assert r.status_code == 200 and r.json()["server"]["name"] == server["name"]
    uri = f"https://api-{uid()}.example.com"
    r = mgmt(
        project,
        "/v1/mgmt/resource/create",
        {"name": "API", "uri": uri, "type": "api", "scopes": {"permissionsScopes": [{"name": "a"}]}},
    )
    assert r.status_code == 200, r.text
    resource = r.json()["resource"]
    r = mgmt(project, f"/v1/mgmt/resource/load/uri?uri={uri}", method="GET")
    assert r.json()["resource"]["id"] == resource["id"]
    # Bad input: a Descope error body, and nothing stored.
    r = mgmt(project, "/v1/mgmt/resource/create", {"name": "x", "uri": uri, "type": "api"})
    assert r.status_code == 400 and r.json()["errorCode"] == "E011004"
    r = mgmt(project, "/v1/mgmt/resourcepolicy/create", {"thirdPartyApplicationId": "TPAnope", "resourceId": resource["id"]})
    assert r.status_code == 404 and r.json()["errorCode"] == "E011008"
    r = mgmt(project, "/v1/mgmt/resource/delete", {"id": resource["id"]})
    assert r.status_code == 200
    r = mgmt(project, f"/v1/mgmt/resource/load?id={resource['id']}", method="GET")
    assert r.status_code == 404


def test_agent_signs_in_with_dcr_pkce_and_resource(project: Project, client: DescopeClient, server: dict) -> None:
    base = f"{EMULATOR_URL}/v1/apps/agentic/{project.project_id}/{server['id']}"
    d = httpx.get(f"{base}/.well-known/oauth-authorization-server", trust_env=False)
    assert d.status_code == 200, d.text
    discovery = d.json()
    assert discovery["issuer"] == base
    assert "S256" in discovery["code_challenge_methods_supported"]

    reg = httpx.post(
        discovery["registration_endpoint"],
        json={
            "client_name": "Test agent",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid docs:read",
        },
        trust_env=False,
    )
    assert reg.status_code == 201, reg.text
    client_id = reg.json()["client_id"]
    assert "client_secret" not in reg.json()

    email = f"agent-{uid()}@example.com"
    client.mgmt.user.create(login_id=email, email=email, verified_email=True)
    oauth = OAuth2Client(
        client_id=client_id,
        scope="openid docs:read",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        trust_env=False,
    )
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, login_hint=email, resource=MCP_URL
    )
    r = httpx.get(url, follow_redirects=False, trust_env=False)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith(REDIRECT) and f"state={state}" in location, location
    token = oauth.fetch_token(
        discovery["token_endpoint"], authorization_response=location, code_verifier=verifier, resource=MCP_URL
    )
    assert token["scope"] == "openid docs:read"

    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"], trust_env=False).json())
    access = jwt.decode(token["access_token"], jwks)
    access.validate()
    assert access["aud"] == [MCP_URL, project.project_id, "docs-api"]
    assert access["scope"] == "openid docs:read"
    assert access["azp"] == client_id
    id_token = jwt.decode(token["id_token"], jwks)
    assert id_token["iss"] == base and id_token["aud"] == client_id

    # Another MCP server's authorization server refuses this client.
    other = mgmt(project, "/v1/mgmt/mcp/server/create", {"name": f"Other {uid()}"}).json()["server"]
    r = httpx.post(
        f"{EMULATOR_URL}/oauth2/v1/apps/agentic/{project.project_id}/{other['id']}/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": client_id},
        trust_env=False,
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # Its own refreshes, keeping the audience.
    refreshed = oauth.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert jwt.decode(refreshed["access_token"], jwks)["aud"] == [MCP_URL, project.project_id, "docs-api"]
