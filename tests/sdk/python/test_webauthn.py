"""WebAuthn (passkeys) through the Python SDK.

The browser's part is played by the emulator's software authenticator
(`/emulator/v1/projects/{p}/authenticators`), except in one test, where the test's own
authenticator (ES256 with `cryptography`, a tiny CBOR encoder) proves that output of a
third-party authenticator verifies the same way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import jwt as pyjwt
import pytest
from conftest import Project, error_body, sign_up_by_email_otp, unique_email
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from descope import AuthException, DescopeClient

ORIGIN = "http://localhost:3000"


def amr(jwt_response: dict) -> list:
    token = jwt_response["sessionToken"]["jwt"]
    return pyjwt.decode(token, options={"verify_signature": False})["amr"]


class SoftAuthenticator:
    """The emulator's software authenticator, over plain HTTP."""

    def __init__(self, project: Project, **options) -> None:
        self.project = project
        self.base = f"/emulator/v1/projects/{project.project_id}/authenticators"
        r = project.emulator.request("POST", self.base, json=options)
        assert r.status_code == 200, f"POST {self.base} -> {r.status_code} {r.text}"
        self.id = r.json()["authenticatorId"]

    def _act(self, verb: str, options, origin: str = ORIGIN) -> str:
        r = self.project.emulator.request(
            "POST", f"{self.base}/{self.id}/{verb}", json={"options": options, "origin": origin}
        )
        assert r.status_code == 200, f"{verb} -> {r.status_code} {r.text}"
        response = r.json()["response"]
        assert isinstance(response, str), response
        return response

    def create(self, options, origin: str = ORIGIN) -> str:
        return self._act("create", options, origin)

    def get(self, options, origin: str = ORIGIN) -> str:
        return self._act("get", options, origin)

    def credentials(self) -> list:
        r = self.project.emulator.request("GET", f"{self.base}/{self.id}/credentials")
        assert r.status_code == 200, r.text
        return r.json()["credentials"]


def sign_up(client: DescopeClient, auth: SoftAuthenticator, login_id: str) -> dict:
    started = client.webauthn.sign_up_start(login_id, ORIGIN, {"name": "Py Key"})
    assert started["create"] is True
    return client.webauthn.sign_up_finish(started["transactionId"], auth.create(started["options"]))


def assert_error(exc: pytest.ExceptionInfo, status: int, code: str) -> None:
    assert exc.value.status_code == status, exc.value
    assert error_body(exc.value)["errorCode"] == code, exc.value.error_message


def test_sign_up_then_sign_in(client: DescopeClient, project: Project) -> None:
    auth = SoftAuthenticator(project)
    login_id = unique_email()
    started = client.webauthn.sign_up_start(login_id, ORIGIN, {"name": "Py Key"})
    options = json.loads(started["options"])
    assert options["publicKey"]["rp"]["id"] == "localhost"
    assert options["publicKey"]["user"]["name"] == login_id

    resp = client.webauthn.sign_up_finish(started["transactionId"], auth.create(started["options"]))
    assert resp["user"]["loginIds"] == [login_id]
    assert resp["user"]["webauthn"] is True
    assert resp["firstSeen"] is True
    assert amr(resp) == ["webauthn"]
    credential_id = auth.credentials()[0]["id"]

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    allowed = json.loads(started["options"])["publicKey"]["allowCredentials"]
    assert [c["id"] for c in allowed] == [credential_id]
    resp = client.webauthn.sign_in_finish(started["transactionId"], auth.get(started["options"]))
    assert resp["firstSeen"] is False
    assert client.validate_session(resp["sessionToken"]["jwt"])["sub"] == resp["user"]["userId"]
    assert auth.credentials()[0]["signCount"] == 1

    passkeys = client.mgmt.user.list_passkeys(login_id)
    assert [p["id"] for p in passkeys["passkeys"]] == [credential_id]
    assert passkeys["passkeys"][0]["rpId"] == "localhost"


def test_sign_up_or_in_both_branches(client: DescopeClient, project: Project) -> None:
    auth = SoftAuthenticator(project)
    login_id = unique_email()
    started = client.webauthn.sign_up_or_in_start(login_id, ORIGIN)
    assert started["create"] is True
    first = client.webauthn.sign_up_finish(started["transactionId"], auth.create(started["options"]))

    started = client.webauthn.sign_up_or_in_start(login_id, ORIGIN)
    assert started["create"] is False
    again = client.webauthn.sign_in_finish(started["transactionId"], auth.get(started["options"]))
    assert again["user"]["userId"] == first["user"]["userId"]


def test_update_adds_a_passkey(client: DescopeClient, project: Project) -> None:
    signed_in = sign_up_by_email_otp(client, project)
    login_id = signed_in["user"]["loginIds"][0]
    refresh = signed_in["refreshSessionToken"]["jwt"]
    auth = SoftAuthenticator(project)

    started = client.webauthn.update_start(login_id, refresh, ORIGIN)
    assert started["create"] is True
    result = client.webauthn.update_finish(started["transactionId"], auth.create(started["options"]))
    assert not result  # no session without mfa

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    resp = client.webauthn.sign_in_finish(started["transactionId"], auth.get(started["options"]))
    assert resp["user"]["userId"] == signed_in["user"]["userId"]
    assert resp["user"]["webauthn"] is True


def test_update_with_mfa_merges_amr(client: DescopeClient, project: Project) -> None:
    signed_in = sign_up_by_email_otp(client, project)
    login_id = signed_in["user"]["loginIds"][0]
    refresh = signed_in["refreshSessionToken"]["jwt"]
    auth = SoftAuthenticator(project)
    started = client.webauthn.update_start(login_id, refresh, ORIGIN, mfa=True)
    result = client.webauthn.update_finish(started["transactionId"], auth.create(started["options"]))
    assert result, "update_finish with mfa returns a session"
    assert amr(result) == ["email", "webauthn", "mfa"]


def test_negative_cases(client: DescopeClient, project: Project) -> None:
    auth = SoftAuthenticator(project)
    login_id = unique_email()
    sign_up(client, auth, login_id)

    # Wrong origin.
    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    wrong = auth.get(started["options"], origin="http://evil.test")
    with pytest.raises(AuthException) as exc:
        client.webauthn.sign_in_finish(started["transactionId"], wrong)
    assert_error(exc, 401, "E067002")

    # Tampered signature; the good response still works after, once (replay fails).
    response = json.loads(auth.get(started["options"]))
    good = json.dumps(response)
    sig = bytearray(base64.urlsafe_b64decode(response["response"]["signature"] + "=="))
    sig[-1] ^= 1
    response["response"]["signature"] = base64.urlsafe_b64encode(bytes(sig)).decode().rstrip("=")
    with pytest.raises(AuthException) as exc:
        client.webauthn.sign_in_finish(started["transactionId"], json.dumps(response))
    assert_error(exc, 401, "E067002")
    client.webauthn.sign_in_finish(started["transactionId"], good)
    with pytest.raises(AuthException) as exc:
        client.webauthn.sign_in_finish(started["transactionId"], good)
    assert_error(exc, 401, "E067001")


# --- the test's own authenticator: ES256 with `cryptography`, attestation "none" ---


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cbor(value) -> bytes:
    """A tiny CBOR encoder: ints, byte and text strings, maps (enough for WebAuthn)."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | info]) + struct.pack(fmt, n)
        raise ValueError(n)

    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


class OwnAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(20)
        self.count = 0

    def create(self, options: str, origin: str = ORIGIN) -> str:
        pk = json.loads(options)["publicKey"]
        numbers = self.key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        auth_data = (
            hashlib.sha256(pk["rp"]["id"].encode()).digest()
            + bytes([0x01 | 0x04 | 0x40])
            + struct.pack(">I", self.count)
            + bytes(16)
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + cbor(cose)
        )
        client_data = json.dumps({"type": "webauthn.create", "challenge": pk["challenge"], "origin": origin}).encode()
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": b64u(self.credential_id),
                "rawId": b64u(self.credential_id),
                "type": "public-key",
                "response": {"attestationObject": b64u(attestation), "clientDataJSON": b64u(client_data)},
            }
        )

    def get(self, options: str, origin: str = ORIGIN) -> str:
        pk = json.loads(options)["publicKey"]
        assert b64u(self.credential_id) in [c["id"] for c in pk["allowCredentials"]]
        self.count += 1
        auth_data = hashlib.sha256(pk["rpId"].encode()).digest() + bytes([0x05]) + struct.pack(">I", self.count)
        client_data = json.dumps({"type": "webauthn.get", "challenge": pk["challenge"], "origin": origin}).encode()
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64u(self.credential_id),
                "rawId": b64u(self.credential_id),
                "type": "public-key",
                "response": {
                    "authenticatorData": b64u(auth_data),
                    "clientDataJSON": b64u(client_data),
                    "signature": b64u(signature),
                },
            }
        )


def test_third_party_authenticator_verifies(client: DescopeClient) -> None:
    own = OwnAuthenticator()
    login_id = unique_email()
    started = client.webauthn.sign_up_start(login_id, ORIGIN, {"name": "Own Key"})
    resp = client.webauthn.sign_up_finish(started["transactionId"], own.create(started["options"]))
    assert resp["user"]["webauthn"] is True

    started = client.webauthn.sign_in_start(login_id, ORIGIN)
    resp = client.webauthn.sign_in_finish(started["transactionId"], own.get(started["options"]))
    assert resp["user"]["loginIds"] == [login_id]
    assert amr(resp) == ["webauthn"]
