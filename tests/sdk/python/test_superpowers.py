"""Tools for test authors, as the Python SDK sees them: fault rules, the request log, key
rotation and forged tokens."""

from __future__ import annotations

import pytest
from conftest import Emulator, Project, sign_up_by_email_otp, unique_email
from descope import AuthException, DeliveryMethod, RateLimitException


def forge(project: Project, **body) -> str:
    r = project.emulator.request("POST", f"/emulator/v1/projects/{project.project_id}/tokens", json=body)
    assert r.status_code == 200, r.text
    return r.json()["jwt"]


def test_a_429_fault_is_a_rate_limit_exception(project: Project) -> None:
    path = f"/emulator/v1/projects/{project.project_id}/faults"
    r = project.emulator.request(
        "POST", path, json={"match": "POST /v1/auth/otp/signup/email", "status": 429, "retryAfterSeconds": 3}
    )
    assert r.status_code == 200, r.text
    client = project.client()
    with pytest.raises(RateLimitException) as e:
        client.otp.sign_up(DeliveryMethod.EMAIL, unique_email())
    assert e.value.status_code == "E130429"
    assert e.value.rate_limit_parameters == {"Retry-After": 3}
    # times defaults to 1: the next call goes through.
    client.otp.sign_up(DeliveryMethod.EMAIL, unique_email())


def test_a_500_fault_then_success(project: Project) -> None:
    path = f"/emulator/v1/projects/{project.project_id}/faults"
    r = project.emulator.request("POST", path, json={"match": "UserSignupOtpEmail", "status": 500, "times": 0})
    assert r.status_code == 200, r.text
    client = project.client()
    with pytest.raises(AuthException) as e:
        client.otp.sign_up(DeliveryMethod.EMAIL, unique_email())
    assert e.value.status_code == 500
    assert project.emulator.request("DELETE", path).status_code == 200
    client.otp.sign_up(DeliveryMethod.EMAIL, unique_email())


def test_the_request_log_shows_the_sdk_calls_redacted(project: Project) -> None:
    client = project.client()
    session = sign_up_by_email_otp(client, project)
    r = project.emulator.request("GET", f"/emulator/v1/projects/{project.project_id}/requests", params={"limit": 10})
    assert r.status_code == 200, r.text
    # Newest first; the SDK also fetches the project's keys to validate the session.
    auth_calls = [e for e in r.json()["requests"] if e["path"].startswith("/v1/auth/otp/")]
    verify, start = auth_calls[:2]
    assert verify["path"] == "/v1/auth/otp/verify/email"
    assert verify["status"] == 200
    assert verify["requestBody"]["code"] == "[redacted]"
    assert verify["responseBody"]["sessionJwt"] == "[redacted]"
    assert start["path"] == "/v1/auth/otp/signup/email"
    assert start["requestHeaders"]["x-descope-sdk-name"] == "python"
    assert session["sessionToken"]["jwt"] not in r.text


def test_a_forged_expired_session_is_refused(project: Project) -> None:
    client = project.client()
    session = sign_up_by_email_otp(client, project)
    login_id = session["user"]["loginIds"][0]
    good = forge(project, loginId=login_id)
    assert client.validate_session(good)["sub"] == session["user"]["userId"]
    expired = forge(project, loginId=login_id, ttlSeconds=-120)
    with pytest.raises(AuthException):
        project.client().validate_session(expired)
    foreign = forge(project, loginId=login_id, key="foreign")
    with pytest.raises(AuthException):
        project.client().validate_session(foreign)
    unsigned = forge(project, loginId=login_id, alg="none")
    with pytest.raises(AuthException):
        project.client().validate_session(unsigned)


def test_a_rotated_out_key_stops_validating_after_the_grace_period(emulator: Emulator, project: Project) -> None:
    client = project.client()
    session = sign_up_by_email_otp(client, project)
    old = session["sessionToken"]["jwt"]
    r = emulator.request("POST", f"/emulator/v1/projects/{project.project_id}/keys/rotate", json={"graceSeconds": 60})
    assert r.status_code == 200, r.text
    # During the grace period a fresh client (fresh key cache) still validates the old token.
    assert project.client().validate_session(old)["sub"] == session["user"]["userId"]
    try:
        emulator.advance_clock(61)
        with pytest.raises(AuthException):
            project.client().validate_session(old)
    finally:
        emulator.reset_clock()
    # Tokens of the new key validate.
    fresh = sign_up_by_email_otp(client, project)
    assert project.client().validate_session(fresh["sessionToken"]["jwt"])["sub"] == fresh["user"]["userId"]
