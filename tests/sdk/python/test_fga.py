"""FGA through the Python SDK's `mgmt.fga` client (descope 2.16.1)."""

from __future__ import annotations

import pytest
from conftest import error_body
from descope import AuthException, DescopeClient

SCHEMA = """model AuthZ 1.0
type user
type org
  relation member: user
type folder
  relation parent: folder
  relation owner: user | org#member
  relation viewer: user
  permission can_create: owner | parent.owner
  permission can_view: viewer | can_create
type doc
  relation parent: folder
  relation owner: user | org#member
  relation viewer: user
  permission can_create: owner | parent.owner
  permission can_view: viewer | can_create
"""


def t(rt: str, r: str, rel: str, tt: str, tg: str) -> dict:
    return {"resourceType": rt, "resource": r, "relation": rel, "targetType": tt, "target": tg}


@pytest.fixture
def fga(client: DescopeClient):
    client.mgmt.fga.save_schema(SCHEMA)
    client.mgmt.fga.create_relations(
        [
            t("folder", "f1", "owner", "user", "alice"),
            t("doc", "d1", "parent", "folder", "f1"),
            t("doc", "d1", "viewer", "user", "bob"),
            t("org", "acme", "member", "user", "carol"),
            t("doc", "d2", "owner", "org#member", "acme"),
        ]
    )
    return client.mgmt.fga


def test_check_answers_in_order(fga) -> None:
    queries = [
        t("doc", "d1", "can_view", "user", "alice"),
        t("doc", "d1", "owner", "user", "alice"),
        t("doc", "d1", "can_view", "user", "bob"),
        t("doc", "d2", "can_create", "user", "carol"),
        t("doc", "d9", "can_view", "user", "alice"),
    ]
    answers = fga.check(queries)
    assert [a["allowed"] for a in answers] == [True, False, True, True, False]
    assert [a["relation"] for a in answers] == queries


def test_delete_relations_changes_answers(fga) -> None:
    q = [t("doc", "d1", "can_view", "user", "alice")]
    assert fga.check(q)[0]["allowed"] is True
    fga.delete_relations([t("doc", "d1", "parent", "folder", "f1")])
    assert fga.check(q)[0]["allowed"] is False


def test_invalid_schema_and_unknown_types(fga) -> None:
    with pytest.raises(AuthException) as e:
        fga.save_schema("model AuthZ 1.0\ntype doc\n  relation owner: nobody\n")
    assert e.value.status_code == 400
    assert "line 3" in error_body(e.value)["errorMessage"]
    with pytest.raises(AuthException) as e:
        fga.create_relations([t("doc", "d1", "owner", "folder", "f1")])
    assert e.value.status_code == 400
    with pytest.raises(AuthException):
        fga.check([t("nope", "d1", "owner", "user", "u")])


def test_dryrun_previews_deletes(fga) -> None:
    smaller = SCHEMA.replace("type org\n  relation member: user\n", "").replace(" | org#member", "")
    preview = fga.save_schema_dryrun(smaller)["deletesPreview"]
    assert preview["hasDeletes"] is True
    assert preview["types"] == ["org"]
    assert sorted(preview["relations"]) == ["doc#owner", "folder#owner"]
    # nothing changed
    assert fga.check([t("doc", "d2", "can_create", "user", "carol")])[0]["allowed"] is True


def test_resource_details_and_mappable(fga) -> None:
    fga.save_resources_details([{"resourceId": "d1", "resourceType": "doc", "displayName": "Budget"}])
    details = fga.load_resources_details([{"resourceId": "d1", "resourceType": "doc"}])
    assert details == [{"resourceId": "d1", "resourceType": "doc", "displayName": "Budget"}]
    found = fga.load_mappable_resources("t1", [{"type": "doc", "queries": ["budg"]}], resources_limit=5)
    assert found == [{"type": "doc", "resources": [{"resource": "d1", "displayName": "Budget"}]}]
    schema = fga.load_mappable_schema("t1", resources_limit=10)
    assert {ns["name"] for ns in schema["schema"]["namespaces"]} == {"user", "org", "folder", "doc"}
