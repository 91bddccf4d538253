"""Legacy ReBAC through the Python SDK's `mgmt.authz` client (descope 2.16.1)."""

from __future__ import annotations

import pytest
from descope import AuthException, DescopeClient

SCHEMA = {
    "name": "Files",
    "namespaces": [
        {"name": "org", "relationDefinitions": [{"name": "admin"}]},
        {
            "name": "folder",
            "relationDefinitions": [
                {"name": "parent"},
                {"name": "org"},
                {
                    "name": "owner",
                    "complexDefinition": {
                        "nType": "union",
                        "children": [
                            {"nType": "child", "expression": {"neType": "self"}},
                            {
                                "nType": "child",
                                "expression": {
                                    "neType": "relationRight",
                                    "relationDefinition": "parent",
                                    "relationDefinitionNamespace": "folder",
                                    "targetRelationDefinition": "owner",
                                    "targetRelationDefinitionNamespace": "folder",
                                },
                            },
                        ],
                    },
                },
            ],
        },
    ],
}


def rel(ns: str, resource: str, rd: str, target: str) -> dict:
    return {"namespace": ns, "resource": resource, "relationDefinition": rd, "target": target}


@pytest.fixture
def authz(client: DescopeClient):
    client.mgmt.authz.save_schema(SCHEMA, upgrade=True)
    client.mgmt.authz.create_relations([rel("folder", "root", "owner", "u1"), rel("folder", "sub", "parent", "root")])
    return client.mgmt.authz


def test_schema_round_trip(authz) -> None:
    loaded = authz.load_schema()
    assert loaded["name"] == "Files"
    assert loaded["namespaces"] == SCHEMA["namespaces"]
    authz.save_namespace({"name": "doc", "relationDefinitions": [{"name": "viewer"}]})
    authz.save_relation_definition({"name": "editor"}, "doc")
    names = {ns["name"]: [rd["name"] for rd in ns["relationDefinitions"]] for ns in authz.load_schema()["namespaces"]}
    assert names["doc"] == ["viewer", "editor"]
    authz.delete_relation_definition("editor", "doc")
    authz.delete_namespace("doc")
    assert "doc" not in {ns["name"] for ns in authz.load_schema()["namespaces"]}


def test_derived_checks_and_queries(authz) -> None:
    answers = authz.has_relations([rel("folder", "sub", "owner", "u1"), rel("folder", "sub", "owner", "u2")])
    assert [a["hasRelation"] for a in answers] == [True, False]
    assert authz.who_can_access("sub", "owner", "folder") == ["u1"]
    assert len(authz.resource_relations("sub")) == 1
    assert len(authz.targets_relations(["u1"])) == 1
    what = authz.what_can_target_access("u1")
    assert {(r["resource"], r["relationDefinition"]) for r in what} == {("root", "owner"), ("sub", "owner")}
    with_rel = authz.what_can_target_access_with_relation("u1", "owner", "folder")
    assert sorted(r["resource"] for r in with_rel) == ["root", "sub"]
    modified = authz.get_modified()
    assert "root" in modified["resources"] and "u1" in modified["targets"]


def test_deletes(authz) -> None:
    authz.delete_relations([rel("folder", "sub", "parent", "root")])
    assert authz.has_relations([rel("folder", "sub", "owner", "u1")])[0]["hasRelation"] is False
    authz.delete_relations_for_resources(["root"])
    assert authz.targets_relations(["u1"]) == []
    with pytest.raises(AuthException) as e:
        authz.create_relations([rel("nope", "x", "y", "z")])
    assert e.value.status_code == 400
    authz.delete_schema()
    assert authz.load_schema()["namespaces"] == []
