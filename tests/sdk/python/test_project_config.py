"""Project configuration through the Python SDK (descope 2.16.1): `mgmt.project` (rename,
tags, list, export/import, snapshots, clone, delete) and `mgmt.flow` (flows and themes)."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest
from conftest import Emulator, Project, error_body
from descope import AuthException, DescopeClient


def uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def fresh(emulator: Emulator) -> Iterator[Project]:
    """A project of its own, for tests that import into or delete it."""
    p = emulator.create_project()
    yield p
    try:
        emulator.delete_project(p.project_id)
    except AssertionError:
        pass  # the test deleted it


def configure(client: DescopeClient) -> None:
    flow = {"id": "ignored", "name": "Checkout", "description": "pay", "dsl": {"start": "s1"}, "disabled": False}
    screens = [{"id": "s1", "inputs": [], "interactions": [{"id": "pay"}], "htmlTemplate": {"h": 1}}]
    client.mgmt.flow.import_flow("checkout", flow, screens)
    client.mgmt.flow.import_theme({"id": "t", "cssTemplate": {"light": {"primary": "#123456"}}})


def test_flows_list_export_import_delete(client: DescopeClient) -> None:
    flows = client.mgmt.flow.list_flows()
    ids = [f["id"] for f in flows["flows"]]
    assert {"sign-up-or-in", "sign-in", "sign-up"} <= set(ids)
    assert flows["total"] == len(ids)

    builtin = client.mgmt.flow.export_flow("sign-up-or-in")
    assert builtin["flow"]["id"] == "sign-up-or-in"
    assert builtin["flow"]["name"] == "Sign Up or In"
    assert builtin["screens"] and builtin["screens"][0]["flowId"] == "sign-up-or-in"

    flow_id = f"flow-{uid()}"
    flow = {"id": flow_id, "name": "Mine", "description": "d", "dsl": {"a": 1}, "disabled": False}
    screens = [{"id": "s1", "flowId": flow_id, "inputs": [{"name": "email"}], "interactions": [{"id": "go"}], "htmlTemplate": {"x": 1}}]
    imported = client.mgmt.flow.import_flow(flow_id, flow, screens)
    exported = client.mgmt.flow.export_flow(flow_id)
    assert imported == exported
    assert exported["flow"]["dsl"] == {"a": 1}
    assert exported["screens"] == screens
    assert flow_id in [f["id"] for f in client.mgmt.flow.list_flows()["flows"]]

    client.mgmt.flow.delete_flows([flow_id])
    with pytest.raises(AuthException) as e:
        client.mgmt.flow.export_flow(flow_id)
    assert e.value.status_code == 404
    assert error_body(e.value)["errorCode"] == "E011008"


def test_theme_round_trip(client: DescopeClient) -> None:
    theme = {"id": "", "cssTemplate": {"dark": {"color": "white"}}}
    assert client.mgmt.flow.import_theme(theme) == {"theme": theme}
    assert client.mgmt.flow.export_theme() == {"theme": theme}
    with pytest.raises(AuthException) as e:
        client.mgmt.flow.import_theme({"cssTemplate": "not json"})
    assert e.value.status_code == 400


def test_rename_tags_list(fresh: Project) -> None:
    client = fresh.client()
    name = f"Renamed {uid()}"
    client.mgmt.project.update_name(name)
    client.mgmt.project.update_tags(["blue", "green"])
    projects = client.mgmt.project.list_projects()["projects"]
    mine = next(p for p in projects if p["id"] == fresh.project_id)
    assert mine == {"id": fresh.project_id, "name": name, "environment": "", "tags": ["blue", "green"]}


def test_export_import_round_trip(client: DescopeClient, fresh: Project) -> None:
    configure(client)
    files = client.mgmt.project.export_project()
    assert "flows/checkout.json" in files and "themes/theme.json" in files and "project.json" in files
    target = fresh.client()
    assert target.mgmt.project.validate_snapshot(files)["ok"] is True
    target.mgmt.project.import_project(files)
    assert target.mgmt.project.export_project() == files
    # the snapshot calls carry the same files
    assert target.mgmt.project.export_snapshot()["files"] == files
    target.mgmt.project.import_snapshot(files, excludes=["lists"])
    assert target.mgmt.flow.export_flow("checkout")["flow"]["name"] == "Checkout"


def test_bad_import_changes_nothing(fresh: Project) -> None:
    client = fresh.client()
    before = client.mgmt.project.export_project()
    bad = {"flows/new.json": {"metadata": {"name": "N"}}, "themes/theme.json": '{"styles": {'}
    result = client.mgmt.project.validate_snapshot(bad)
    assert result["ok"] is False and result["failures"]
    with pytest.raises(AuthException) as e:
        client.mgmt.project.import_project(bad)
    assert e.value.status_code == 400
    assert error_body(e.value)["errorCode"] == "E011004"
    assert client.mgmt.project.export_project() == before


def test_clone_then_use_the_clone(emulator: Emulator, client: DescopeClient, project: Project) -> None:
    configure(client)
    cloned = client.mgmt.project.clone(f"Clone {uid()}", "production", ["ci"])
    clone_id = cloned["projectId"]
    try:
        assert cloned["environment"] == "production" and cloned["tags"] == ["ci"]
        # the same management key manages the clone
        clone = Project(emulator, clone_id, cloned["projectName"], project.management_key).client()
        assert clone.mgmt.flow.export_flow("checkout")["flow"]["name"] == "Checkout"
        assert clone.mgmt.project.export_project() == client.mgmt.project.export_project()
        assert clone.mgmt.user.search_all()["users"] == []
    finally:
        emulator.delete_project(clone_id)


def test_delete_project(fresh: Project) -> None:
    client = fresh.client()
    client.mgmt.project.delete()
    with pytest.raises(AuthException) as e:
        client.mgmt.flow.list_flows()
    assert e.value.status_code == 401
