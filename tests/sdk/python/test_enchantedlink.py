"""Enchanted links through the Python SDK: start, poll (pending), verify the token from the
outbox, then the pending session is handed out once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import MAGIC_LINK_URI, Project, error_body, unique_email
from descope import AuthException, DescopeClient


def token_of(message: dict, link_id: str) -> str:
    assert message["kind"] == "enchantedlink", f"not an enchanted link message: {message}"
    assert message["channel"] == "email"
    assert message["code"] == link_id, f"message code {message['code']!r} is not the linkId {link_id!r}"
    link = message["link"]
    assert link and link.startswith(MAGIC_LINK_URI), f"link {link!r} does not start with {MAGIC_LINK_URI}"
    assert parse_qs(urlsplit(link).query).get("t") == [message["token"]], f"t of {link!r} is not the token"
    return message["token"]


def assert_pending(client: DescopeClient, pending_ref: str) -> None:
    with pytest.raises(AuthException) as err:
        client.enchantedlink.get_session(pending_ref)
    assert err.value.status_code == 401, f"poll before the link is followed: {err.value!r}"
    assert error_body(err.value)["errorCode"] == "E062503", f"poll before the link is followed: {err.value!r}"


def check_started(started: dict) -> tuple[str, str]:
    for field in ("pendingRef", "linkId", "maskedEmail"):
        assert started.get(field), f"enchanted link start answered without {field}: {started}"
    return started["pendingRef"], started["linkId"]


def test_sign_up_then_sign_in(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()

    pending_ref, link_id = check_started(client.enchantedlink.sign_up(login_id, MAGIC_LINK_URI, {"name": "Ena Link"}))
    first = project.outbox_latest(login_id)
    assert first["to"] == login_id
    token = token_of(first, link_id)

    assert_pending(client, pending_ref)
    assert client.enchantedlink.verify(token) is None

    signed_up = client.enchantedlink.get_session(pending_ref)
    assert signed_up["firstSeen"] is True
    user_id = signed_up["user"]["userId"]
    assert signed_up["user"]["name"] == "Ena Link"
    claims = client.validate_session(signed_up["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert "email" in claims["amr"]

    # The session is handed out once.
    with pytest.raises(AuthException) as err:
        client.enchantedlink.get_session(pending_ref)
    assert 400 <= err.value.status_code < 500, f"second poll: {err.value!r}"

    pending_ref, link_id = check_started(client.enchantedlink.sign_in(login_id, MAGIC_LINK_URI))
    second = project.outbox_latest(login_id, newer_than=first)
    assert_pending(client, pending_ref)
    client.enchantedlink.verify(token_of(second, link_id))
    signed_in = client.enchantedlink.get_session(pending_ref)
    assert signed_in["firstSeen"] is False
    assert signed_in["user"]["userId"] == user_id
    claims = project.client().validate_session(signed_in["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert claims["drn"] == "DS"

    with pytest.raises(AuthException) as err:
        client.enchantedlink.get_session(pending_ref)
    assert 400 <= err.value.status_code < 500, f"second poll: {err.value!r}"


def test_sign_up_or_in(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    pending_ref, link_id = check_started(client.enchantedlink.sign_up_or_in(login_id, MAGIC_LINK_URI))
    assert_pending(client, pending_ref)
    client.enchantedlink.verify(token_of(project.outbox_latest(login_id), link_id))
    result = client.enchantedlink.get_session(pending_ref)
    assert result["user"]["loginIds"] == [login_id]
    assert client.validate_session(result["sessionToken"]["jwt"])["sub"] == result["user"]["userId"]


def test_token_works_only_once(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    pending_ref, link_id = check_started(client.enchantedlink.sign_up(login_id, MAGIC_LINK_URI, None))
    token = token_of(project.outbox_latest(login_id), link_id)
    client.enchantedlink.verify(token)
    with pytest.raises(AuthException) as err:
        client.enchantedlink.verify(token)
    assert 400 <= err.value.status_code < 500, f"second verify: {err.value!r}"
    result = client.enchantedlink.get_session(pending_ref)
    assert client.validate_session(result["sessionToken"]["jwt"])["sub"] == result["user"]["userId"]


def test_unknown_token_and_pending_ref_fail(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.enchantedlink.verify("no-such-token")
    assert 400 <= err.value.status_code < 500, f"unknown token: {err.value!r}"
    with pytest.raises(AuthException) as err:
        client.enchantedlink.get_session("no-such-pending-ref")
    assert 400 <= err.value.status_code < 500, f"unknown pendingRef: {err.value!r}"
    assert error_body(err.value).get("errorCode")
