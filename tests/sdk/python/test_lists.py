"""Project lists through the Python SDK's `mgmt.list` client (descope 2.16.1)."""

from __future__ import annotations

import uuid

import pytest
from conftest import error_body
from descope import AuthException, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:10]


def test_create_load_update_delete(client: DescopeClient) -> None:
    name = f"deny-{uid()}"
    created = client.mgmt.list.create(name, "texts", description="blocked words", data=["a", "b"])["list"]
    list_id = created["id"]
    assert created == {"id": list_id, "name": name, "description": "blocked words", "type": "texts", "data": ["a", "b"]}
    # python-sdk loads with query parameters
    assert client.mgmt.list.load(list_id)["list"] == created
    assert client.mgmt.list.load_by_name(name)["list"]["id"] == list_id
    assert list_id in [entry["id"] for entry in client.mgmt.list.load_all()["lists"]]

    updated = client.mgmt.list.update(list_id, name, "json", data={"k": [1, 2]})["list"]
    assert updated["type"] == "json" and updated["data"] == {"k": [1, 2]}
    client.mgmt.list.clear(list_id)
    assert client.mgmt.list.load(list_id)["list"]["data"] == {}

    client.mgmt.list.delete(list_id)
    with pytest.raises(AuthException) as e:
        client.mgmt.list.load(list_id)
    assert e.value.status_code == 404
    assert error_body(e.value)["errorCode"] == "E011008"


def test_duplicate_name_and_wrong_type(client: DescopeClient) -> None:
    name = f"dup-{uid()}"
    texts = client.mgmt.list.create(name, "texts")["list"]
    with pytest.raises(AuthException) as e:
        client.mgmt.list.create(name, "ips")
    assert e.value.status_code == 409
    assert error_body(e.value)["errorCode"] == "E011009"
    with pytest.raises(AuthException) as e:
        client.mgmt.list.add_ips(texts["id"], ["1.2.3.4"])
    assert e.value.status_code == 400
    with pytest.raises(AuthException) as e:
        client.mgmt.list.create(f"ips-{uid()}", "ips", data=["not-an-ip"])
    assert e.value.status_code == 400


def test_ips(client: DescopeClient) -> None:
    list_id = client.mgmt.list.create(f"ips-{uid()}", "ips", data=["10.0.0.0/8"])["list"]["id"]
    client.mgmt.list.add_ips(list_id, ["1.2.3.4", "10.0.0.0/8"])
    assert client.mgmt.list.load(list_id)["list"]["data"] == ["10.0.0.0/8", "1.2.3.4"]
    assert client.mgmt.list.check_ip(list_id, "1.2.3.4") is True
    assert client.mgmt.list.check_ip(list_id, "10.42.0.1") is True
    assert client.mgmt.list.check_ip(list_id, "192.168.0.1") is False
    client.mgmt.list.remove_ips(list_id, ["10.0.0.0/8", "8.8.8.8"])
    assert client.mgmt.list.check_ip(list_id, "10.42.0.1") is False


def test_texts(client: DescopeClient) -> None:
    list_id = client.mgmt.list.create(f"texts-{uid()}", "texts")["list"]["id"]
    client.mgmt.list.add_texts(list_id, ["x", "y"])
    client.mgmt.list.add_texts(list_id, ["y", "z"])
    client.mgmt.list.remove_texts(list_id, ["x", "missing"])
    assert client.mgmt.list.load(list_id)["list"]["data"] == ["y", "z"]
    assert client.mgmt.list.check_text(list_id, "y") is True
    assert client.mgmt.list.check_text(list_id, "x") is False
    assert client.mgmt.list.check_texts(list_id, ["x", "z"]) is True
    assert client.mgmt.list.check_texts(list_id, ["x", "z"], match_all=True) is False
    assert client.mgmt.list.check_texts(list_id, ["y", "z"], match_all=True) is True


def test_import(client: DescopeClient) -> None:
    list_id = f"LI-py-{uid()}"
    name = f"imported-{uid()}"
    client.mgmt.list.import_lists([{"id": list_id, "name": name, "type": "ips", "data": ["::1"]}])
    assert client.mgmt.list.load(list_id)["list"]["name"] == name
    client.mgmt.list.import_lists([{"id": list_id, "name": name, "type": "texts", "data": ["again"]}])
    assert client.mgmt.list.load(list_id)["list"]["data"] == ["again"]
