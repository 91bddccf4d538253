"""Shared fixtures for the Python SDK compatibility suite.

The suite drives the official `descope` SDK, unmodified, against a running emulator. The
emulator's address comes from DESCOPE_EMULATOR_URL (scripts/test.sh sets it); only the
emulator-only surface (projects, outbox, clock; shared/EMULATOR_API.md) is called directly.
Each test module works in a project of its own, created here and deleted afterwards.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import pytest
from descope import AuthException, DeliveryMethod, DescopeClient

EMULATOR_URL = os.environ.get("DESCOPE_EMULATOR_URL", "http://127.0.0.1:4545").rstrip("/")

# The redirect a magic link points at; the emulator appends `t=<token>` to it.
MAGIC_LINK_URI = "http://localhost:3000/verify"


def unique_email() -> str:
    return f"sdk-py-{uuid.uuid4().hex[:12]}@example.com"


def unique_phone() -> str:
    return "+1555" + "".join(random.choice("0123456789") for _ in range(7))


def error_body(exc: AuthException) -> dict[str, Any]:
    """The Descope error body that the SDK keeps as raw text in `error_message`."""
    assert exc.error_message, f"no error body in {exc!r}"
    body = json.loads(exc.error_message)
    assert isinstance(body, dict), f"error body is not an object: {exc.error_message}"
    return body


class Emulator:
    """Plain HTTP access to the emulator-only endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30.0, trust_env=False)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, **kwargs)

    def create_project(self) -> "Project":
        r = self.request("POST", "/emulator/v1/projects", json={})
        assert r.status_code == 200, f"POST /emulator/v1/projects -> {r.status_code} {r.text}"
        body = r.json()
        for field in ("projectId", "name", "managementKey"):
            assert body.get(field), f"POST /emulator/v1/projects: no {field} in {body}"
        return Project(self, body["projectId"], body["name"], body["managementKey"])

    def delete_project(self, project_id: str) -> None:
        r = self.request("DELETE", f"/emulator/v1/projects/{project_id}")
        assert r.status_code < 300, f"DELETE project {project_id} -> {r.status_code} {r.text}"

    def reset_clock(self) -> None:
        r = self.request("POST", "/emulator/v1/clock", json={"reset": True})
        assert r.status_code == 200, f"clock reset -> {r.status_code} {r.text}"

    def advance_clock(self, seconds: int) -> None:
        r = self.request("POST", "/emulator/v1/clock", json={"advanceSeconds": seconds})
        assert r.status_code == 200, f"clock advance -> {r.status_code} {r.text}"


@dataclass
class Project:
    emulator: Emulator
    project_id: str
    name: str
    management_key: str

    def client(self, management_key: str | None = None) -> DescopeClient:
        """A fresh SDK client for this project (so keys are fetched anew)."""
        return DescopeClient(
            project_id=self.project_id,
            management_key=management_key or self.management_key,
            base_url=self.emulator.url,
        )

    def outbox_latest(self, login_id: str, *, newer_than: dict | None = None, timeout: float = 10.0) -> dict:
        """The newest outbox message for `login_id`, waiting for one that is not `newer_than`."""
        path = f"/emulator/v1/projects/{self.project_id}/outbox/latest"
        deadline = time.monotonic() + timeout
        last = "no request made"
        while True:
            r = self.emulator.request("GET", path, params={"loginId": login_id, "wait": 5})
            if r.status_code == 200:
                message = r.json()
                if newer_than is None or message.get("id") != newer_than.get("id"):
                    return message
                last = f"only the earlier message {message.get('id')}"
            elif r.status_code == 404:
                last = f"404 {r.text}"
            else:
                raise AssertionError(f"GET {path}?loginId={login_id} -> {r.status_code} {r.text}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no new outbox message for {login_id} within {timeout}s ({last})")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    emu = Emulator(EMULATOR_URL)
    try:
        r = emu.request("GET", "/emulator/v1/health")
    except httpx.HTTPError as e:
        pytest.exit(f"descope-emulator is not reachable at {EMULATOR_URL} (DESCOPE_EMULATOR_URL): {e}", returncode=3)
    assert r.status_code == 200, f"GET /emulator/v1/health -> {r.status_code} {r.text}"
    yield emu
    emu.http.close()


@pytest.fixture(scope="module")
def project(emulator: Emulator) -> Iterator[Project]:
    p = emulator.create_project()
    yield p
    emulator.delete_project(p.project_id)


@pytest.fixture(scope="module")
def client(project: Project) -> DescopeClient:
    return project.client()


def sign_up_by_email_otp(client: DescopeClient, project: Project, login_id: str | None = None) -> dict:
    """Sign up a new user with email OTP, reading the code from the outbox; returns verify's result."""
    login_id = login_id or unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    assert message.get("code"), f"outbox message has no code: {message}"
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


@pytest.fixture
def session(client: DescopeClient, project: Project) -> dict:
    """A fresh user signed up by email OTP: the SDK's verify result plus `loginId`."""
    login_id = unique_email()
    result = sign_up_by_email_otp(client, project, login_id)
    result["loginId"] = login_id
    return result
