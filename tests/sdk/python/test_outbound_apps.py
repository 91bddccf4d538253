"""Outbound apps with the Python SDK's `mgmt.outbound_application`: CRUD, token and API key
uploads (single and batch), fetches (by scopes, latest, forced refresh, expiry on the
emulator clock), listing and deleting tokens, and connecting a user through the emulator's
fake provider page (the SDK has no connect call; it is made as core-js makes it), and
`mgmt.outbound_application_by_token` with an inbound app's access token (Authlib)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from conftest import EMULATOR_URL, Emulator, Project, error_body, sign_up_by_email_otp
from descope import AuthException, DescopeClient
from descope.management.common import AccessType, PromptType, URLParam

REDIRECT = "https://app.example.com/connected"


def uid() -> str:
    return uuid.uuid4().hex[:10]


def new_user(client: DescopeClient) -> str:
    login_id = f"sdk-py-ob-{uid()}@example.com"
    return client.mgmt.user.create(login_id, email=login_id)["user"]["userId"]


def test_crud(client: DescopeClient) -> None:
    apps = client.mgmt.outbound_application
    app_id = f"drive-{uid()}"
    created = apps.create_application(
        name=f"Drive {app_id}",
        id=app_id,
        description="files",
        client_id="cid",
        client_secret="secret",
        authorization_url="https://accounts.example.com/auth",
        authorization_url_params=[URLParam("hd", "example.com")],
        token_url="https://accounts.example.com/token",
        default_scopes=["openid"],
        default_redirect_url=REDIRECT,
        pkce=True,
        access_type=AccessType.OFFLINE,
        prompt=[PromptType.CONSENT],
    )["app"]
    assert created["id"] == app_id and created["description"] == "files"
    assert created["accessType"] == "offline" and created["prompt"] == ["consent"]
    assert "clientSecret" not in created

    loaded = apps.load_application(app_id)["app"]
    assert loaded == created
    generated = apps.create_application(name=f"Slack {uid()}")["app"]
    ids = [a["id"] for a in apps.load_all_applications()["apps"]]
    assert app_id in ids and generated["id"] in ids

    updated = apps.update_application(app_id, name=f"Google Drive {uid()}", description="renamed")["app"]
    assert updated["description"] == "renamed" and "tokenUrl" not in updated

    with pytest.raises(AuthException) as e:
        apps.create_application(name=updated["name"])
    assert e.value.status_code == 409
    assert error_body(e.value)["errorCode"] == "E011009"

    apps.delete_application(app_id)
    with pytest.raises(AuthException) as e:
        apps.load_application(app_id)
    assert e.value.status_code == 404
    with pytest.raises(AuthException) as e:
        apps.create_application(name="")
    assert error_body(e.value)["errorCode"] == "E011002"


def test_upload_fetch_refresh_and_delete(client: DescopeClient, emulator: Emulator) -> None:
    apps = client.mgmt.outbound_application
    app_id = apps.create_application(name=f"Mail {uid()}")["app"]["id"]
    user_id = new_user(client)
    expiry = int(time.time()) + 600
    apps.upload_user_token(
        app_id,
        user_id,
        access_token="at-1",
        refresh_token="rt-1",
        access_token_expiry=expiry,
        scopes=["read", "send"],
        granted_by="admin",
    )
    token = apps.fetch_token_by_scopes(app_id, user_id, ["read"])["token"]
    assert token["accessToken"] == "at-1" and token["hasRefreshToken"] is True
    assert "refreshToken" not in token
    assert isinstance(token["accessTokenExpiry"], str)
    assert sorted(token["scopes"]) == ["read", "send"]
    with pytest.raises(AuthException) as e:
        apps.fetch_token_by_scopes(app_id, user_id, ["admin"])
    assert e.value.status_code == 404

    latest = apps.fetch_token(app_id, user_id, options={"withRefreshToken": True})["token"]
    assert latest["refreshToken"] == "rt-1"
    refreshed = apps.fetch_token(app_id, user_id, options={"forceRefresh": True})["token"]
    assert refreshed["accessToken"] != "at-1" and refreshed["lastRefreshTime"]

    # Expiry by the emulator clock: a new access token, minted with the refresh token.
    emulator.advance_clock(7200)
    try:
        after = apps.fetch_token(app_id, user_id)["token"]
        assert after["accessToken"] != refreshed["accessToken"]
        assert int(after["lastRefreshTime"]) > int(refreshed["lastRefreshTime"])
    finally:
        emulator.reset_clock()

    assert apps.list_apps_with_user_token(user_id)["appIds"] == [app_id]
    apps.delete_token(token["id"])
    assert apps.list_apps_with_user_token(user_id)["appIds"] == []

    apps.upload_user_api_key(app_id, user_id, "key-1")
    assert apps.fetch_token(app_id, user_id)["token"]["accessToken"] == "key-1"
    apps.delete_user_tokens(user_id=user_id)
    with pytest.raises(AuthException) as e:
        apps.fetch_token(app_id, user_id)
    assert e.value.status_code == 404


def test_tenant_tokens_and_batches(client: DescopeClient) -> None:
    apps = client.mgmt.outbound_application
    app_id = apps.create_application(name=f"CRM {uid()}")["app"]["id"]
    tenant_id = client.mgmt.tenant.create(f"Acme {uid()}")["id"]
    apps.upload_tenant_api_key(app_id, tenant_id, "tk")
    assert apps.fetch_tenant_token(app_id, tenant_id)["token"]["accessToken"] == "tk"
    apps.upload_tenant_token(app_id, tenant_id, access_token="tat", scopes=["crm"])
    token = apps.fetch_tenant_token_by_scopes(app_id, tenant_id, ["crm"])["token"]
    assert token["accessToken"] == "tat" and token["tenantId"] == tenant_id

    a, b = new_user(client), new_user(client)
    failed = apps.batch_upload_user_tokens(
        [
            {"appId": app_id, "userId": a, "accessToken": "a1"},
            {"appId": app_id, "userId": "U-nobody", "accessToken": "x"},
        ]
    )["failures"]
    assert len(failed) == 1 and failed[0]["userId"] == "U-nobody" and failed[0]["errorCode"]
    with pytest.raises(AuthException):
        apps.fetch_token(app_id, a)
    assert apps.batch_upload_user_tokens(
        [{"appId": app_id, "userId": a, "accessToken": "a1"}, {"appId": app_id, "userId": b, "refreshToken": "b1"}]
    )["failures"] == []
    assert apps.fetch_token(app_id, a)["token"]["accessToken"] == "a1"
    assert apps.fetch_token(app_id, b)["token"]["hasRefreshToken"] is True
    assert apps.batch_upload_tenant_tokens([{"appId": app_id, "tenantId": tenant_id, "accessToken": "t2"}])[
        "failures"
    ] == []
    assert apps.fetch_tenant_token(app_id, tenant_id)["token"]["accessToken"] == "t2"
    apps.delete_user_tokens(app_id=app_id)
    assert apps.list_apps_with_user_token(a)["appIds"] == []


def test_connect_through_the_fake_provider(client: DescopeClient, project: Project) -> None:
    apps = client.mgmt.outbound_application
    app_id = apps.create_application(
        name=f"Calendar {uid()}",
        client_id="cal-client",
        default_scopes=["openid"],
        callback_domain="app.example.com",
        access_type=AccessType.OFFLINE,
    )["app"]["id"]
    signed_in = sign_up_by_email_otp(client, project)
    user_id = signed_in["user"]["userId"]
    refresh = signed_in["refreshSessionToken"]["jwt"]
    with httpx.Client(base_url=EMULATOR_URL, trust_env=False) as http:
        r = http.post(
            "/v1/mgmt/outbound/app/connect",
            headers={"Authorization": f"Bearer {project.project_id}:{refresh}"},
            json={"appId": app_id, "options": {"redirectUrl": REDIRECT, "scopes": ["calendar.read"]}},
        )
        assert r.status_code == 200, r.text
        url = r.json()["url"]
        assert "client_id=cal-client" in url
        # The provider's page approves at once and sends the browser back.
        page = http.get(url, follow_redirects=False)
        assert page.status_code in (302, 303), page.text
        assert page.headers["location"] == REDIRECT
        # A redirect outside the callback domain is refused.
        r = http.post(
            "/v1/mgmt/outbound/app/connect",
            headers={"Authorization": f"Bearer {project.project_id}:{refresh}"},
            json={"appId": app_id, "options": {"redirectUrl": "https://evil.example.net/"}},
        )
        assert r.status_code == 400 and r.json()["errorCode"] == "E011004"

    token = apps.fetch_token_by_scopes(app_id, user_id, ["calendar.read", "openid"], {"withRefreshToken": True})[
        "token"
    ]
    assert token["userId"] == user_id and token["refreshToken"]
    assert apps.list_apps_with_user_token(user_id)["appIds"] == [app_id]


def test_fetch_by_inbound_app_token(project: Project, client: DescopeClient) -> None:
    apps = client.mgmt.outbound_application
    app_id = apps.create_application(name=f"Notes {uid()}")["app"]["id"]
    email = f"sdk-py-ob-{uid()}@example.com"
    user_id = client.mgmt.user.create(email, email=email, verified_email=True)["user"]["userId"]
    other = new_user(client)
    apps.upload_user_token(app_id, user_id, access_token="mine", scopes=["notes"])
    apps.upload_user_token(app_id, other, access_token="theirs")

    callback = "http://agent.test/callback"
    inbound = client.mgmt.third_party_application.create(
        name=f"Agent {uid()}",
        login_page_url="http://agent.test/login",
        approved_callback_urls=[callback],
        permissions_scopes=[{"name": "outbound.token.fetch", "description": "Fetch tokens", "values": []}],
    )
    client_id = client.mgmt.third_party_application.load(inbound["id"])["clientId"]
    discovery = httpx.get(
        f"{EMULATOR_URL}/v1/apps/{project.project_id}/.well-known/openid-configuration", trust_env=False
    ).json()
    oauth = OAuth2Client(
        client_id=client_id,
        client_secret=inbound["cleartext"],
        scope="outbound.token.fetch",
        redirect_uri=callback,
        code_challenge_method="S256",
        trust_env=False,
    )
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, login_hint=email
    )
    location = httpx.get(url, follow_redirects=False, trust_env=False).headers["location"]
    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=location, code_verifier=verifier)

    # A client without a management key.
    by_token = DescopeClient(project_id=project.project_id, base_url=EMULATOR_URL).mgmt.outbound_application_by_token
    fetched = by_token.fetch_token_by_scopes(token["access_token"], app_id, user_id, ["notes"])["token"]
    assert fetched["accessToken"] == "mine"
    assert by_token.fetch_token(token["access_token"], app_id, user_id)["token"]["accessToken"] == "mine"
    with pytest.raises(AuthException) as e:
        by_token.fetch_token(token["access_token"], app_id, other)
    assert e.value.status_code == 401
