"""Magic links through the Python SDK, with the token read from the emulator's outbox."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import MAGIC_LINK_URI, Project, unique_email, unique_phone
from descope import AuthException, DeliveryMethod, DescopeClient


def token_of(message: dict) -> str:
    assert message["kind"] == "magiclink", f"not a magic link message: {message}"
    link = message["link"]
    assert link and link.startswith(MAGIC_LINK_URI), f"link {link!r} does not start with {MAGIC_LINK_URI}"
    t = parse_qs(urlsplit(link).query).get("t")
    assert t == [message["token"]], f"t parameter of {link!r} is not the message token {message['token']!r}"
    return message["token"]


@pytest.mark.parametrize(
    ("method", "channel", "new_login_id"),
    [
        pytest.param(DeliveryMethod.EMAIL, "email", unique_email, id="email"),
        pytest.param(DeliveryMethod.SMS, "sms", unique_phone, id="sms"),
    ],
)
def test_sign_up_then_sign_in(client: DescopeClient, project: Project, method, channel, new_login_id) -> None:
    login_id = new_login_id()

    masked = client.magiclink.sign_up(method, login_id, MAGIC_LINK_URI)
    assert isinstance(masked, str) and masked
    first = project.outbox_latest(login_id)
    assert first["channel"] == channel
    assert first["loginId"] == login_id

    signed_up = client.magiclink.verify(token_of(first))
    user_id = signed_up["user"]["userId"]
    assert signed_up["firstSeen"] is True
    assert client.validate_session(signed_up["sessionToken"]["jwt"])["sub"] == user_id

    client.magiclink.sign_in(method, login_id, MAGIC_LINK_URI)
    second = project.outbox_latest(login_id, newer_than=first)
    signed_in = client.magiclink.verify(token_of(second))
    assert signed_in["user"]["userId"] == user_id
    assert signed_in["firstSeen"] is False
    claims = client.validate_session(signed_in["sessionToken"]["jwt"])
    assert claims["sub"] == user_id
    assert claims["drn"] == "DS"


def test_token_works_only_once(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.magiclink.sign_up(DeliveryMethod.EMAIL, login_id, MAGIC_LINK_URI)
    token = token_of(project.outbox_latest(login_id))
    client.magiclink.verify(token)
    with pytest.raises(AuthException) as err:
        client.magiclink.verify(token)
    assert 400 <= err.value.status_code < 500, f"second use of a magic link: {err.value!r}"


def test_unknown_token_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.magiclink.verify("no-such-token")
    assert 400 <= err.value.status_code < 500, f"unknown magic link token: {err.value!r}"
