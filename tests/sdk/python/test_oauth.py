"""OAuth social sign-in through the Python SDK, headless: `oauth.start` answers the URL of the
emulator's fake provider; a plain GET of that URL (plus `email=...`, redirects off) answers a
redirect to the app with `code=`, which `oauth.exchange_token` signs in with."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from conftest import Emulator, Project, error_body, sign_up_by_email_otp, unique_email
from descope import AuthException, DescopeClient, LoginOptions

APP_CALLBACK = "http://localhost:3000/oauth/callback"


def open_provider_page(url: str, **params: str) -> httpx.Response:
    """GETs the fake provider's page with extra query parameters appended (`url` has a query
    already: httpx's `params=` would replace it), without following redirects."""
    if params:
        url = f"{url}&{urlencode(params)}"
    r = httpx.get(url, follow_redirects=False, trust_env=False, timeout=30.0)
    assert r.is_redirect, f"GET {url} -> {r.status_code} {r.text}"
    return r


def redirect_params(r: httpx.Response) -> dict[str, str]:
    location = r.headers["location"]
    assert location.startswith(APP_CALLBACK), f"Location {location} is not the app's callback"
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def code_of(url: str, **params: str) -> str:
    found = redirect_params(open_provider_page(url, **params))
    assert found.get("code"), f"no code in the redirect: {found}"
    return found["code"]


def start_url(client: DescopeClient, provider: str = "google", **kwargs) -> str:
    res = client.oauth.start(provider, return_url=APP_CALLBACK, **kwargs)
    url = res["url"]
    assert url.startswith("http"), f"start answered {res}"
    return url


def oauth_sign_in(client: DescopeClient, email: str, provider: str = "google", **start_kwargs) -> dict:
    code = code_of(start_url(client, provider, **start_kwargs), email=email)
    return client.oauth.exchange_token(code)


def test_sign_up_then_sign_in_with_google(client: DescopeClient) -> None:
    email = unique_email()
    url = start_url(client)
    code = code_of(url, email=email, name="Ann Lee")
    first = client.oauth.exchange_token(code)
    assert first["firstSeen"] is True
    user = first["user"]
    assert user["OAuth"] == {"google": True}
    assert user["email"] == email
    assert user["verifiedEmail"] is True
    assert user["name"] == "Ann Lee"
    claims = client.validate_session(first["sessionToken"]["jwt"])
    assert claims["amr"] == ["oauth"]
    assert claims["sub"] == user["userId"]

    again = oauth_sign_in(client, email)
    assert again["firstSeen"] is False
    assert again["user"]["userId"] == user["userId"]
    refreshed = client.refresh_session(again["refreshSessionToken"]["jwt"])
    assert refreshed["sessionToken"]["jwt"]


def test_merges_into_an_otp_user_by_verified_email(client: DescopeClient, project: Project) -> None:
    email = unique_email()
    otp = sign_up_by_email_otp(client, project, email)
    jwt = oauth_sign_in(client, email, provider="github")
    assert jwt["user"]["userId"] == otp["user"]["userId"]
    assert jwt["firstSeen"] is False
    assert jwt["user"]["OAuth"] == {"github": True}


def test_step_up_with_the_refresh_token(client: DescopeClient, project: Project) -> None:
    email = unique_email()
    otp = sign_up_by_email_otp(client, project, email)
    refresh = otp["refreshSessionToken"]["jwt"]
    # The SDK itself insists on the refresh token for stepup.
    with pytest.raises(AuthException):
        client.oauth.start("google", return_url=APP_CALLBACK, login_options=LoginOptions(stepup=True))
    jwt = oauth_sign_in(client, email, login_options=LoginOptions(stepup=True), refresh_token=refresh)
    assert jwt["user"]["userId"] == otp["user"]["userId"]
    claims = client.validate_session(jwt["sessionToken"]["jwt"])
    assert claims["amr"] == ["email", "oauth"]


def test_login_options_custom_claims(client: DescopeClient) -> None:
    jwt = oauth_sign_in(client, unique_email(), login_options=LoginOptions(custom_claims={"plan": "gold", "n": 3}))
    claims = client.validate_session(jwt["sessionToken"]["jwt"])
    assert claims["plan"] == "gold"
    assert claims["n"] == 3
    assert claims["amr"] == ["oauth"]


def test_queued_identity(client: DescopeClient, project: Project, emulator: Emulator) -> None:
    email = unique_email()
    r = emulator.request(
        "POST",
        f"/emulator/v1/projects/{project.project_id}/idp/next",
        json={"provider": "gitlab", "email": email, "name": "Queued Person", "emailVerified": False},
    )
    assert r.status_code == 200, r.text
    url = start_url(client, "gitlab")
    jwt = client.oauth.exchange_token(code_of(url))
    assert jwt["user"]["email"] == email
    assert jwt["user"]["name"] == "Queued Person"
    assert jwt["user"]["verifiedEmail"] is False
    assert jwt["user"]["OAuth"] == {"gitlab": True}


def test_custom_provider(client: DescopeClient) -> None:
    jwt = oauth_sign_in(client, unique_email(), provider="my-company-idp")
    assert jwt["user"]["OAuth"] == {"my-company-idp": True}


def test_the_person_refuses(client: DescopeClient) -> None:
    found = redirect_params(open_provider_page(start_url(client), deny="1"))
    assert found["error"] == "access_denied"
    assert "code" not in found


def test_codes_are_single_use(client: DescopeClient) -> None:
    code = code_of(start_url(client), email=unique_email())
    client.oauth.exchange_token(code)
    with pytest.raises(AuthException) as e:
        client.oauth.exchange_token(code)
    assert e.value.status_code == 401
    assert error_body(e.value)["errorCode"] == "E061301"
    with pytest.raises(AuthException):
        client.oauth.exchange_token("no-such-code")


def test_no_identity_is_a_descope_error(client: DescopeClient) -> None:
    r = httpx.get(start_url(client), follow_redirects=False, trust_env=False)
    assert r.status_code == 400
    assert r.json()["errorCode"] == "E011002"
