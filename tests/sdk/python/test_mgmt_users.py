"""User management through the Python SDK's `mgmt.user` client (issue 4, group 1)."""

from __future__ import annotations

import uuid

import pytest
from conftest import Project, error_body, unique_email, unique_phone
from descope import AssociatedTenant, AuthException, DeliveryMethod, DescopeClient, UserObj
from descope.management.common import Sort

# Strong enough for any password policy the emulator applies.
PASSWORD = "Sdk-Py-Passw0rd!x"


def uid() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def attrs(client: DescopeClient) -> dict:
    """Declares the user custom attributes this module's users carry."""
    names = {"department": f"dept{uid()}", "level": f"level{uid()}", "vip": f"vip{uid()}"}
    client.mgmt.user.create_custom_attribute(names["department"], "Department", "string")
    client.mgmt.user.create_custom_attribute(names["level"], "Level", "number")
    client.mgmt.user.create_custom_attribute(names["vip"], "VIP", "boolean")
    return names


@pytest.fixture
def grants(client: DescopeClient) -> dict:
    """Two fresh project roles and a fresh tenant, uniquely named."""
    role_a, role_b = f"role-a-{uid()}", f"role-b-{uid()}"
    client.mgmt.role.create(role_a, description="first")
    client.mgmt.role.create(role_b, description="second")
    tenant_name = f"tenant-{uid()}"
    tenant_id = client.mgmt.tenant.create(tenant_name)["id"]
    return {"role_a": role_a, "role_b": role_b, "tenant_id": tenant_id, "tenant_name": tenant_name}


def tenant_entry(user: dict, tenant_id: str) -> dict | None:
    return next((t for t in user["userTenants"] if t["tenantId"] == tenant_id), None)


def sign_in_by_otp(client: DescopeClient, project: Project, login_id: str) -> dict:
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)
    message = project.outbox_latest(login_id)
    assert message.get("code"), f"outbox message has no code: {message}"
    return client.otp.verify_code(DeliveryMethod.EMAIL, login_id, message["code"])


def test_create_with_roles_tenants_and_custom_attributes(client: DescopeClient, grants: dict, attrs: dict) -> None:
    login_id = unique_email()
    phone = unique_phone()
    user = client.mgmt.user.create(
        login_id=login_id,
        email=login_id,
        phone=phone,
        display_name="Rita Roles",
        given_name="Rita",
        middle_name="R",
        family_name="Roles",
        role_names=[grants["role_a"]],
        user_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_b"]])],
        picture="https://example.com/rita.png",
        custom_attributes={attrs["department"]: "eng", attrs["level"]: 3, attrs["vip"]: True},
        verified_email=True,
        verified_phone=True,
    )["user"]
    assert user["userId"]
    assert user["loginIds"] == [login_id]
    assert user["email"] == login_id and user["verifiedEmail"] is True
    assert user["phone"] == phone and user["verifiedPhone"] is True
    assert user["name"] == "Rita Roles"
    assert (user["givenName"], user["middleName"], user["familyName"]) == ("Rita", "R", "Roles")
    assert user["picture"] == "https://example.com/rita.png"
    assert user["roleNames"] == [grants["role_a"]]
    entry = tenant_entry(user, grants["tenant_id"])
    assert entry is not None, f"tenant missing from userTenants: {user['userTenants']}"
    assert entry["roleNames"] == [grants["role_b"]]
    assert entry["tenantName"] == grants["tenant_name"]
    assert user["customAttributes"] == {attrs["department"]: "eng", attrs["level"]: 3, attrs["vip"]: True}
    assert user["status"] in {"enabled", "invited"}
    assert user["test"] is False
    assert isinstance(user["createdTime"], int) and user["createdTime"] > 1_600_000_000


def test_create_with_an_unknown_role_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.user.create(login_id=unique_email(), role_names=[f"no-such-role-{uid()}"])
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert error_body(err.value)["errorCode"]


def test_create_with_an_unknown_tenant_fails(client: DescopeClient) -> None:
    with pytest.raises(AuthException) as err:
        client.mgmt.user.create(login_id=unique_email(), user_tenants=[AssociatedTenant(f"T-no-such-{uid()}")])
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert error_body(err.value)["errorCode"]


def test_patch_with_an_unknown_role_fails(client: DescopeClient, grants: dict) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, role_names=[grants["role_a"]])
    with pytest.raises(AuthException) as err:
        client.mgmt.user.patch(login_id, role_names=[f"no-such-role-{uid()}"])
    assert 400 <= err.value.status_code < 500, repr(err.value)
    assert client.mgmt.user.load(login_id)["user"]["roleNames"] == [grants["role_a"]], "a refused patch changed the user"


def test_create_duplicate_login_id_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    with pytest.raises(AuthException) as err:
        client.mgmt.user.create(login_id=login_id, email=login_id)
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_create_test_user(client: DescopeClient) -> None:
    login_id = unique_email()
    user = client.mgmt.user.create_test_user(login_id=login_id, email=login_id, display_name="Tess Test")["user"]
    assert user["test"] is True
    assert user["name"] == "Tess Test"
    assert client.mgmt.user.load(login_id)["user"]["test"] is True


def test_load_by_login_id_and_by_user_id(client: DescopeClient, grants: dict) -> None:
    login_id = unique_email()
    created = client.mgmt.user.create(
        login_id=login_id, email=login_id, display_name="Lou Load", role_names=[grants["role_a"]]
    )["user"]
    by_login = client.mgmt.user.load(login_id)["user"]
    by_id = client.mgmt.user.load_by_user_id(created["userId"])["user"]
    assert by_login == by_id
    assert by_login["userId"] == created["userId"]
    assert by_login["name"] == "Lou Load"
    assert by_login["roleNames"] == [grants["role_a"]]
    # A user ID also works where a login ID is expected.
    assert client.mgmt.user.load(created["userId"])["user"]["userId"] == created["userId"]

    loaded = client.mgmt.user.load_users([created["userId"]])["users"]
    assert [u["userId"] for u in loaded] == [created["userId"]]


def test_update_replaces_the_whole_user(client: DescopeClient, grants: dict, attrs: dict) -> None:
    login_id = unique_email()
    client.mgmt.user.create(
        login_id=login_id,
        email=login_id,
        display_name="Old Name",
        given_name="Old",
        role_names=[grants["role_a"]],
        custom_attributes={attrs["department"]: "eng"},
    )
    updated = client.mgmt.user.update(
        login_id=login_id,
        email=login_id,
        display_name="New Name",
        role_names=[grants["role_b"]],
        custom_attributes={attrs["level"]: 7},
    )["user"]
    assert updated["name"] == "New Name"
    assert updated["givenName"] == "", "update must clear fields it was not given"
    assert updated["roleNames"] == [grants["role_b"]]
    assert updated["customAttributes"] == {attrs["level"]: 7}
    loaded = client.mgmt.user.load(login_id)["user"]
    assert loaded["name"] == "New Name" and loaded["roleNames"] == [grants["role_b"]]


def test_patch_changes_only_the_given_fields(client: DescopeClient, grants: dict, attrs: dict) -> None:
    login_id = unique_email()
    client.mgmt.user.create(
        login_id=login_id,
        email=login_id,
        display_name="Pat Patch",
        given_name="Pat",
        family_name="Patch",
        role_names=[grants["role_a"]],
        custom_attributes={attrs["department"]: "eng"},
    )
    patched = client.mgmt.user.patch(login_id, display_name="Pat Patched", custom_attributes={attrs["vip"]: True})[
        "user"
    ]
    assert patched["name"] == "Pat Patched"
    assert patched["givenName"] == "Pat"
    assert patched["familyName"] == "Patch"
    assert patched["roleNames"] == [grants["role_a"]]
    assert patched["customAttributes"].get(attrs["vip"]) is True

    phone = unique_phone()
    patched = client.mgmt.user.patch(
        login_id,
        phone=phone,
        role_names=[grants["role_b"]],
        user_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_a"]])],
        status="disabled",
    )["user"]
    assert patched["phone"] == phone
    assert patched["roleNames"] == [grants["role_b"]]
    assert tenant_entry(patched, grants["tenant_id"])["roleNames"] == [grants["role_a"]]
    assert patched["status"] == "disabled"
    assert patched["name"] == "Pat Patched"
    assert client.mgmt.user.load(login_id)["user"]["status"] == "disabled"


def test_single_field_updates(client: DescopeClient, attrs: dict) -> None:
    login_id = unique_email()
    user_id = client.mgmt.user.create(login_id=login_id, email=login_id)["user"]["userId"]

    new_email = unique_email()
    user = client.mgmt.user.update_email(login_id, new_email, verified=True)["user"]
    assert user["email"] == new_email and user["verifiedEmail"] is True

    phone = unique_phone()
    user = client.mgmt.user.update_phone(login_id, phone, verified=False)["user"]
    assert user["phone"] == phone and user["verifiedPhone"] is False

    user = client.mgmt.user.update_display_name(
        login_id, display_name="Dee Splay", given_name="Dee", middle_name="M", family_name="Splay"
    )["user"]
    assert (user["name"], user["givenName"], user["middleName"], user["familyName"]) == ("Dee Splay", "Dee", "M", "Splay")

    user = client.mgmt.user.update_picture(login_id, "https://example.com/p.png")["user"]
    assert user["picture"] == "https://example.com/p.png"

    user = client.mgmt.user.update_custom_attribute(login_id, attrs["department"], "sales")["user"]
    assert user["customAttributes"][attrs["department"]] == "sales"
    user = client.mgmt.user.update_custom_attribute(login_id, attrs["level"], 42)["user"]
    assert user["customAttributes"][attrs["level"]] == 42
    assert user["customAttributes"][attrs["department"]] == "sales"

    user = client.mgmt.user.deactivate(login_id)["user"]
    assert user["status"] == "disabled"
    user = client.mgmt.user.activate(login_id)["user"]
    assert user["status"] == "enabled"

    new_login_id = unique_email()
    user = client.mgmt.user.update_login_id(login_id, new_login_id)["user"]
    assert new_login_id in user["loginIds"] and login_id not in user["loginIds"]
    assert client.mgmt.user.load(new_login_id)["user"]["userId"] == user_id
    with pytest.raises(AuthException):
        client.mgmt.user.load(login_id)


def test_add_and_remove_roles(client: DescopeClient, grants: dict) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    user = client.mgmt.user.add_roles(login_id, [grants["role_a"], grants["role_b"]])["user"]
    assert sorted(user["roleNames"]) == sorted([grants["role_a"], grants["role_b"]])
    user = client.mgmt.user.remove_roles(login_id, [grants["role_a"]])["user"]
    assert user["roleNames"] == [grants["role_b"]]
    user = client.mgmt.user.set_roles(login_id, [grants["role_a"]])["user"]
    assert user["roleNames"] == [grants["role_a"]]
    assert client.mgmt.user.load(login_id)["user"]["roleNames"] == [grants["role_a"]]


def test_add_and_remove_tenant_and_tenant_roles(client: DescopeClient, grants: dict) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    tenant_id = grants["tenant_id"]
    user = client.mgmt.user.add_tenant(login_id, tenant_id)["user"]
    entry = tenant_entry(user, tenant_id)
    assert entry is not None and entry["roleNames"] == []
    assert entry["tenantName"] == grants["tenant_name"]

    user = client.mgmt.user.add_tenant_roles(login_id, tenant_id, [grants["role_a"], grants["role_b"]])["user"]
    assert sorted(tenant_entry(user, tenant_id)["roleNames"]) == sorted([grants["role_a"], grants["role_b"]])
    assert user["roleNames"] == [], "tenant roles must not become project roles"
    user = client.mgmt.user.remove_tenant_roles(login_id, tenant_id, [grants["role_a"]])["user"]
    assert tenant_entry(user, tenant_id)["roleNames"] == [grants["role_b"]]
    user = client.mgmt.user.set_tenant_roles(login_id, tenant_id, [grants["role_a"]])["user"]
    assert tenant_entry(user, tenant_id)["roleNames"] == [grants["role_a"]]

    user = client.mgmt.user.remove_tenant(login_id, tenant_id)["user"]
    assert tenant_entry(user, tenant_id) is None
    assert tenant_entry(client.mgmt.user.load(login_id)["user"], tenant_id) is None


def test_add_an_unknown_tenant_fails(client: DescopeClient) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    with pytest.raises(AuthException) as err:
        client.mgmt.user.add_tenant(login_id, f"T-no-such-{uid()}")
    assert 400 <= err.value.status_code < 500, repr(err.value)


def test_search_all_with_filters(client: DescopeClient, grants: dict, attrs: dict) -> None:
    marker = f"srch{uid()}"
    ids = [f"sdk-py-{marker}-{i}@example.com" for i in range(3)]
    u0 = client.mgmt.user.create(
        login_id=ids[0],
        email=ids[0],
        user_tenants=[AssociatedTenant(grants["tenant_id"], [grants["role_b"]])],
    )["user"]
    u1 = client.mgmt.user.create(
        login_id=ids[1], email=ids[1], role_names=[grants["role_a"]], custom_attributes={attrs["department"]: marker}
    )["user"]
    u2 = client.mgmt.user.create(login_id=ids[2], email=ids[2], role_names=[grants["role_a"]])["user"]
    client.mgmt.user.deactivate(ids[2])
    test_login = f"sdk-py-{marker}-test@example.com"
    tu = client.mgmt.user.create_test_user(login_id=test_login, email=test_login)["user"]

    def found(**kwargs) -> set[str]:
        return {u["userId"] for u in client.mgmt.user.search_all(**kwargs)["users"]}

    assert found(text=marker) == {u0["userId"], u1["userId"], u2["userId"]}, "text search (test users hidden)"
    assert found(tenant_ids=[grants["tenant_id"]]) == {u0["userId"]}
    assert found(role_names=[grants["role_a"]]) == {u1["userId"], u2["userId"]}
    assert found(text=marker, statuses=["disabled"]) == {u2["userId"]}
    assert found(emails=[ids[1]]) == {u1["userId"]}
    assert found(login_ids=[ids[0]]) == {u0["userId"]}
    assert found(user_ids=[u2["userId"]]) == {u2["userId"]}
    assert found(custom_attributes={attrs["department"]: marker}) == {u1["userId"]}
    assert found(text=marker, with_test_user=True) == {u0["userId"], u1["userId"], u2["userId"], tu["userId"]}
    assert found(text=marker, test_users_only=True) == {tu["userId"]}
    test_only = client.mgmt.user.search_all_test_users(text=marker)["users"]
    assert [u["userId"] for u in test_only] == [tu["userId"]]

    desc = client.mgmt.user.search_all(text=marker, sort=[Sort("email", desc=True)])["users"]
    assert [u["userId"] for u in desc] == [u2["userId"], u1["userId"], u0["userId"]], "sort by email, descending"
    asc = client.mgmt.user.search_all(text=marker, sort=[Sort("email")])["users"]
    assert [u["userId"] for u in asc] == [u0["userId"], u1["userId"], u2["userId"]], "sort by email, ascending"

    page0 = client.mgmt.user.search_all(text=marker, limit=2, page=0)["users"]
    page1 = client.mgmt.user.search_all(text=marker, limit=2, page=1)["users"]
    assert len(page0) == 2, f"limit 2 gave {len(page0)}"
    assert len(page1) == 1, f"second page of 3 with limit 2 gave {len(page1)}"
    assert {u["userId"] for u in page0 + page1} == {u0["userId"], u1["userId"], u2["userId"]}
    assert client.mgmt.user.search_all(text=marker, limit=2, page=5)["users"] == []


def test_delete_and_delete_by_user_id(client: DescopeClient) -> None:
    a, b = unique_email(), unique_email()
    client.mgmt.user.create(login_id=a, email=a)
    b_id = client.mgmt.user.create(login_id=b, email=b)["user"]["userId"]
    client.mgmt.user.delete(a)
    client.mgmt.user.delete_by_user_id(b_id)
    for login_id in (a, b):
        with pytest.raises(AuthException) as err:
            client.mgmt.user.load(login_id)
        assert 400 <= err.value.status_code < 500
    client.mgmt.user.delete(a)  # deleting a deleted user is not an error


def test_delete_all_test_users(client: DescopeClient) -> None:
    regular = unique_email()
    client.mgmt.user.create(login_id=regular, email=regular)
    tests = [unique_email(), unique_email()]
    for login_id in tests:
        client.mgmt.user.create_test_user(login_id=login_id, email=login_id)
    client.mgmt.user.delete_all_test_users()
    for login_id in tests:
        with pytest.raises(AuthException):
            client.mgmt.user.load(login_id)
    assert client.mgmt.user.load(regular)["user"]["loginIds"] == [regular]
    assert client.mgmt.user.search_all_test_users()["users"] == []


def test_set_temporary_and_active_password(client: DescopeClient) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True)
    user = client.mgmt.user.set_temporary_password(login_id, PASSWORD)
    assert user is None
    assert client.mgmt.user.load(login_id)["user"]["password"] is True
    with pytest.raises(AuthException) as err:
        client.password.sign_in(login_id, PASSWORD)
    assert 400 <= err.value.status_code < 500, f"sign-in with a temporary password: {err.value!r}"

    client.mgmt.user.set_active_password(login_id, PASSWORD)
    result = client.password.sign_in(login_id, PASSWORD)
    assert result["user"]["loginIds"] == [login_id]
    assert client.validate_session(result["sessionToken"]["jwt"])


def test_logout_user_revokes_refresh_tokens(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True)
    first = sign_in_by_otp(client, project, login_id)
    refresh = first["refreshSessionToken"]["jwt"]
    client.refresh_session(refresh)  # works before
    client.mgmt.user.logout_user(login_id)
    with pytest.raises(AuthException) as err:
        client.refresh_session(refresh)
    assert err.value.status_code == 401, f"refresh after mgmt logout: {err.value!r}"

    # By user ID as well.
    second = sign_in_by_otp(client, project, login_id)
    client.mgmt.user.logout_user_by_user_id(second["user"]["userId"])
    with pytest.raises(AuthException):
        client.refresh_session(second["refreshSessionToken"]["jwt"])


def test_a_disabled_or_deleted_user_cannot_refresh_or_sign_in(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True)
    session = sign_in_by_otp(client, project, login_id)
    client.mgmt.user.deactivate(login_id)
    with pytest.raises(AuthException) as err:
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert 400 <= err.value.status_code < 500, f"refresh of a disabled user: {err.value!r}"
    with pytest.raises(AuthException):
        client.otp.sign_in(DeliveryMethod.EMAIL, login_id)

    client.mgmt.user.activate(login_id)
    session = sign_in_by_otp(client, project, login_id)
    client.mgmt.user.delete(login_id)
    with pytest.raises(AuthException) as err:
        client.refresh_session(session["refreshSessionToken"]["jwt"])
    assert 400 <= err.value.status_code < 500, f"refresh of a deleted user: {err.value!r}"


def test_history(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    user_id = client.mgmt.user.create(login_id=login_id, email=login_id, verified_email=True)["user"]["userId"]
    assert client.mgmt.user.history([user_id]) == []
    sign_in_by_otp(client, project, login_id)
    sign_in_by_otp(client, project, login_id)
    history = client.mgmt.user.history([user_id])
    assert isinstance(history, list)
    assert len(history) == 2, f"two sign-ins, history: {history}"
    for entry in history:
        assert entry["userId"] == user_id
        assert isinstance(entry["loginTime"], int) and entry["loginTime"] > 1_600_000_000


def test_custom_attribute_definitions(client: DescopeClient, attrs: dict) -> None:
    names = {a["name"] for a in client.mgmt.user.load_custom_attributes()["data"]}
    assert set(attrs.values()) <= names

    extra = f"extra{uid()}"
    client.mgmt.user.create_custom_attribute(extra, "Extra", "string")
    assert extra in {a["name"] for a in client.mgmt.user.load_custom_attributes()["data"]}
    client.mgmt.user.delete_custom_attribute(extra)
    assert extra not in {a["name"] for a in client.mgmt.user.load_custom_attributes()["data"]}

    login_id = unique_email()
    client.mgmt.user.create(login_id=login_id, email=login_id)
    with pytest.raises(AuthException) as err:
        client.mgmt.user.update_custom_attribute(login_id, f"undeclared{uid()}", "x")
    assert 400 <= err.value.status_code < 500, f"undeclared attribute: {err.value!r}"
    with pytest.raises(AuthException) as err:
        client.mgmt.user.update_custom_attribute(login_id, attrs["level"], "not a number")
    assert 400 <= err.value.status_code < 500, f"wrong attribute type: {err.value!r}"


def test_invite_sends_an_invitation(client: DescopeClient, project: Project) -> None:
    login_id = unique_email()
    user = client.mgmt.user.invite(
        login_id, email=login_id, display_name="Ivy", invite_url="https://app.example.com/accept", send_mail=True
    )["user"]
    assert user["status"] == "invited"
    message = project.outbox_latest(login_id)
    assert message["kind"] == "invite", message
    assert message["channel"] == "email"
    assert message["to"] == login_id
    assert message["link"] == "https://app.example.com/accept"
    assert "invited" in message["subject"].lower()

    phone = unique_phone()
    client.mgmt.user.invite(phone, phone=phone, send_mail=False, send_sms=True)
    message = project.outbox_latest(phone)
    assert (message["kind"], message["channel"], message["to"]) == ("invite", "sms", phone)

    logins = [unique_email(), unique_email()]
    client.mgmt.user.invite_batch([UserObj(login_id=x, email=x) for x in logins], invite_url="https://app.example.com/b")
    for x in logins:
        message = project.outbox_latest(x)
        assert (message["kind"], message["link"]) == ("invite", "https://app.example.com/b"), message
