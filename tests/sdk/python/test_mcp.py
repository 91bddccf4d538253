"""/mcp through the official Python MCP client (`mcp`), checked with the Descope SDK.

The emulator's MCP endpoint serves the hosted Descope management MCP server's 165 tools; a
tool call runs the REST management operation, so what a tool creates the SDK reads back.
Both the protocol negotiation the client picks by itself (`auto`) and the initialize
handshake of older servers (`legacy`) are exercised.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from descope import DescopeClient
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.shared._httpx_utils import create_mcp_http_client

from conftest import EMULATOR_URL, Project, unique_email

MCP_URL = f"{EMULATOR_URL}/mcp"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def with_client(auth: str, body, *, mode: str = "auto") -> Any:
    """Runs `body(client)` with an MCP client that sends `Authorization: Bearer <auth>`."""
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {auth}"}) as http:
        async with Client(streamable_http_client(MCP_URL, http_client=http), mode=mode) as client:
            return await body(client)


def structured(result: Any) -> dict:
    assert not result.is_error, f"tool failed: {result}"
    assert isinstance(result.structured_content, dict), result
    text = result.content[0].text
    assert json.loads(text) == result.structured_content
    return result.structured_content


@pytest.fixture(scope="module")
def mgmt_auth(project: Project) -> str:
    return f"{project.project_id}:{project.management_key}"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_lists_the_165_management_tools(mgmt_auth: str, mode: str) -> None:
    async def body(client: Client) -> Any:
        return await client.list_tools()

    listing = run(with_client(mgmt_auth, body, mode=mode))
    tools = {t.name: t for t in listing.tools}
    assert len(tools) == 165 + 3
    for tool in tools.values():
        assert tool.input_schema.get("type") == "object", tool.name
        assert tool.description, tool.name
    for name in ("create_tenant", "load_tenant", "create_user", "search_audit", "get_v1_mgmt_fga_mappable_resources"):
        assert name in tools
    assert tools["load_tenant"].annotations.read_only_hint is True
    assert tools["delete_all_test_users"].annotations.destructive_hint is True
    assert "name" in tools["create_tenant"].input_schema["properties"]
    assert {"emulator_outbox_latest", "emulator_clock_advance", "emulator_project_reset"} <= tools.keys()


def test_a_tenant_created_by_tool_is_loaded_by_the_sdk(mgmt_auth: str, client: DescopeClient) -> None:
    name = f"MCP tenant {uuid.uuid4().hex[:8]}"

    async def body(mcp: Client) -> Any:
        return await mcp.call_tool("create_tenant", {"name": name, "selfProvisioningDomains": ["mcp.example"]})

    tenant_id = structured(run(with_client(mgmt_auth, body)))["id"]
    loaded = client.mgmt.tenant.load(tenant_id)
    assert loaded["name"] == name
    assert loaded["selfProvisioningDomains"] == ["mcp.example"]


def test_a_user_created_by_tool_is_loaded_by_the_sdk(mgmt_auth: str, client: DescopeClient) -> None:
    login_id = unique_email()

    async def body(mcp: Client) -> Any:
        created = await mcp.call_tool("create_user", {"loginId": login_id, "email": login_id, "name": "Ada"})
        loaded = await mcp.call_tool("load_user", {"loginId": login_id})
        return created, loaded

    created, loaded = run(with_client(mgmt_auth, body))
    assert structured(created)["user"]["loginIds"] == [login_id]
    assert structured(loaded)["user"]["name"] == "Ada"
    user = client.mgmt.user.load(login_id)
    assert user["user"]["email"] == login_id
    assert user["user"]["name"] == "Ada"


def test_a_wrong_key_is_a_tool_error(project: Project) -> None:
    async def body(mcp: Client) -> Any:
        return await mcp.call_tool("load_all_tenants", {})

    result = run(with_client(f"{project.project_id}:K-not-the-key", body))
    assert result.is_error
    assert result.structured_content["errorCode"] == "E011103"


def test_a_bad_argument_is_a_tool_error(mgmt_auth: str) -> None:
    async def body(mcp: Client) -> Any:
        return await mcp.call_tool("load_outbound_app", {})

    result = run(with_client(mgmt_auth, body))
    assert result.is_error
    assert result.structured_content["errorCode"] == "E011002"


def test_an_unknown_tool_is_an_error(mgmt_auth: str) -> None:
    async def body(mcp: Client) -> Any:
        try:
            await mcp.call_tool("no_such_tool", {})
        except MCPError as e:
            return e
        return None

    error = run(with_client(mgmt_auth, body))
    assert isinstance(error, MCPError), "an unknown tool must be a JSON-RPC error"
    assert error.error.code == -32602
    assert "no_such_tool" in error.error.message


def test_emulator_tools_read_the_outbox(mgmt_auth: str, project: Project, client: DescopeClient) -> None:
    from descope import DeliveryMethod

    login_id = unique_email()
    client.otp.sign_up(DeliveryMethod.EMAIL, login_id)

    async def body(mcp: Client) -> Any:
        return await mcp.call_tool("emulator_outbox_latest", {"loginId": login_id})

    message = structured(run(with_client(mgmt_auth, body)))
    assert len(message["code"]) == 6
    assert message == project.outbox_latest(login_id)
