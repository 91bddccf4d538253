// An MCP server's authorization server (`/v1/apps/agentic/<P>/<MS>`) driven by openid-client 6
// as an MCP client does it: discovery, dynamic client registration (RFC 7591), code + PKCE with
// an RFC 8707 `resource`; then @descope/node-sdk validates the access token for the MCP server's
// URL as audience, as a Node MCP server would. MCP servers are managed with plain HTTP (the
// node SDK has no such operations).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { EMULATOR_URL, clientFor, createProject, decodeJwt, deleteProject } from '../lib/emulator.js';
import { createUser, uid } from '../lib/mgmt.js';

const REDIRECT = 'http://127.0.0.1:33418/callback';
const MCP_URL = 'http://localhost:3000/mcp';

describe('MCP servers: agentic authorization server + openid-client + node SDK validation', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  async function mgmt(path, body) {
    const res = await fetch(`${EMULATOR_URL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.projectId}:${project.managementKey}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  it('manages MCP servers and refuses bad input', async () => {
    const created = await mgmt('/v1/mgmt/mcp/server/create', { name: `S ${uid()}` });
    assert.equal(created.status, 200);
    assert.match(created.body.server.id, /^MS.{27}$/);
    const bad = await mgmt('/v1/mgmt/mcp/server/create', { name: 5 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorCode, 'E011004');
    const all = await mgmt('/v1/mgmt/mcp/servers/all', {});
    assert.equal(all.body.total, 1);
  });

  it('registers, signs an agent in, and the node SDK validates the token for the MCP URL', async () => {
    const { body } = await mgmt('/v1/mgmt/mcp/server/create', {
      name: `Docs ${uid()}`,
      approvedScopes: { permissionsScopes: [{ name: 'docs:read', description: 'Read docs' }] },
    });
    const issuer = `${EMULATOR_URL}/v1/apps/agentic/${project.projectId}/${body.server.id}`;
    const config = await oidc.dynamicClientRegistration(
      new URL(issuer),
      { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'Node agent', scope: 'openid docs:read' },
      oidc.None(),
      { execute: [oidc.allowInsecureRequests] },
    );
    assert.equal(config.serverMetadata().issuer, issuer);
    const clientId = config.clientMetadata().client_id;

    const email = `mcp-${uid()}@example.com`;
    const user = await createUser(client, email);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid docs:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      login_hint: email,
      resource: MCP_URL,
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    const tokens = await oidc.authorizationCodeGrant(
      config,
      new URL(res.headers.get('location')),
      { pkceCodeVerifier: verifier, idTokenExpected: true },
      { resource: MCP_URL },
    );
    assert.equal(tokens.claims().sub, user.userId);
    const access = decodeJwt(tokens.access_token);
    assert.deepEqual(access.aud, [MCP_URL, project.projectId]);
    assert.equal(access.scope, 'openid docs:read');
    assert.equal(access.azp, clientId);
    const validated = await client.validateSession(tokens.access_token, { audience: MCP_URL });
    assert.equal(validated.token.sub, user.userId);
    await assert.rejects(client.validateSession(tokens.access_token, { audience: 'http://other.example/mcp' }));
  });
});
