// /mcp through the official TypeScript MCP client (@modelcontextprotocol/sdk), checked with
// @descope/node-sdk: a tool call runs the REST management operation, so what a tool creates
// the SDK reads back.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EMULATOR_URL, clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';

/** A connected MCP client sending `Authorization: Bearer <auth>`. */
async function connect(auth) {
  const transport = new StreamableHTTPClientTransport(new URL(`${EMULATOR_URL}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${auth}` } },
  });
  const client = new Client({ name: 'descope-emulator-node-tests', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

function structured(result) {
  assert.notEqual(result.isError, true, `tool failed: ${JSON.stringify(result)}`);
  assert.equal(typeof result.structuredContent, 'object');
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
  return result.structuredContent;
}

describe('MCP endpoint', () => {
  let project;
  let sdk;
  let mcp;

  before(async () => {
    project = await createProject();
    sdk = clientFor(project);
    mcp = await connect(`${project.projectId}:${project.managementKey}`);
  });

  after(async () => {
    await mcp?.close();
    if (project) await deleteProject(project.projectId);
  });

  it('initializes with the tools capability', () => {
    assert.ok(mcp.getServerCapabilities()?.tools);
    assert.equal(mcp.getServerVersion()?.name, 'descope-emulator');
  });

  it('lists the 165 management tools and the emulator tools', async () => {
    const { tools } = await mcp.listTools();
    assert.equal(tools.length, 165 + 3);
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.ok(tool.description, tool.name);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const name of ['create_tenant', 'load_tenant', 'create_user', 'patch_user', 'who_can_access']) {
      assert.ok(byName[name], name);
    }
    assert.equal(byName.load_user.annotations?.readOnlyHint, true);
    assert.equal(byName.delete_sso_settings.annotations?.destructiveHint, true);
    assert.ok(byName.emulator_clock_advance);
  });

  it('creates a tenant that the SDK loads', async () => {
    const name = `MCP tenant ${Date.now()}`;
    const created = structured(await mcp.callTool({ name: 'create_tenant', arguments: { name } }));
    const loaded = okData(await sdk.management.tenant.load(created.id), 'tenant.load');
    assert.equal(loaded.name, name);
  });

  it('creates a user that the SDK loads', async () => {
    const loginId = uniqueEmail();
    const created = structured(
      await mcp.callTool({ name: 'create_user', arguments: { loginId, email: loginId, name: 'Grace' } }),
    );
    assert.deepEqual(created.user.loginIds, [loginId]);
    const loaded = okData(await sdk.management.user.load(loginId), 'user.load');
    assert.equal(loaded.email, loginId);
    assert.equal(loaded.name, 'Grace');
  });

  it('answers a wrong management key with a tool error', async () => {
    const bad = await connect(`${project.projectId}:K-not-the-key`);
    try {
      const result = await bad.callTool({ name: 'load_all_tenants', arguments: {} });
      assert.equal(result.isError, true);
      assert.equal(result.structuredContent.errorCode, 'E011103');
    } finally {
      await bad.close();
    }
  });

  it('answers an unknown tool with an error', async () => {
    await assert.rejects(mcp.callTool({ name: 'no_such_tool', arguments: {} }), /no_such_tool|Unknown tool/);
  });
});
