// Inbound (third-party) apps with @descope/node-sdk's `management.inboundApplication`, and the
// inbound authorization server (`/v1/apps/<P>` discovery) driven by openid-client 6.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { EMULATOR_URL, clientFor, createProject, decodeJwt, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, createUser, uid } from '../lib/mgmt.js';

const REDIRECT = 'http://agent.test/callback';

describe('Inbound apps: node SDK management + openid-client', () => {
  let project;
  let client;
  let apps;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    apps = client.management.inboundApplication;
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  async function createApp(extra = {}) {
    return okData(
      await apps.createApplication({
        name: `Agent ${uid()}`,
        description: 'an agent',
        loginPageUrl: 'http://agent.test/login',
        approvedCallbackUrls: [REDIRECT],
        permissionsScopes: [{ name: 'read:docs', description: 'Read docs', values: [] }],
        ...extra,
      }),
      'inboundApplication.createApplication',
    );
  }

  it('creates, loads, patches, updates, rotates and deletes', async () => {
    const created = await createApp();
    assert.match(created.id, /^TPA.{27}$/);
    assert.ok(created.cleartext);
    const loaded = okData(await apps.loadApplication(created.id), 'loadApplication');
    assert.equal(loaded.id, created.id);
    assert.equal(Buffer.from(loaded.clientId, 'base64').toString(), `${project.projectId}:${created.id}`);
    assert.deepEqual(loaded.approvedCallbackUrls, [REDIRECT]);

    okData(await apps.patchApplication({ id: created.id, description: 'patched' }), 'patchApplication');
    assert.equal(okData(await apps.loadApplication(created.id), 'load').description, 'patched');
    okData(await apps.updateApplication({ id: created.id, name: 'Renamed' }), 'updateApplication');
    const updated = okData(await apps.loadApplication(created.id), 'load');
    assert.equal(updated.name, 'Renamed');
    assert.equal(updated.description, '');

    const secret = okData(await apps.getApplicationSecret(created.id), 'getApplicationSecret');
    assert.equal(secret.cleartext, created.cleartext);
    okData(await apps.rotateApplicationSecret(created.id), 'rotateApplicationSecret');
    const rotated = okData(await apps.getApplicationSecret(created.id), 'getApplicationSecret');
    assert.notEqual(rotated.cleartext, created.cleartext);

    const all = okData(await apps.loadAllApplications(), 'loadAllApplications');
    assert.ok(all.some((a) => a.id === created.id));
    okData(await apps.deleteApplicationBatch([created.id]), 'deleteApplicationBatch');
    assertClientError(await apps.loadApplication(created.id), 'load after delete');
  });

  it('refuses an app without a name', async () => {
    assertClientError(await apps.createApplication({ description: 'x' }), 'createApplication');
  });

  it('signs in with code + PKCE, records a consent, refreshes; deleting the consent revokes', async () => {
    const created = await createApp();
    const { clientId } = okData(await apps.loadApplication(created.id), 'load');
    const email = uniqueEmail();
    const user = await createUser(client, email);
    const config = await oidc.discovery(
      new URL(`${EMULATOR_URL}/v1/apps/${project.projectId}`),
      clientId,
      created.cleartext,
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    assert.equal(config.serverMetadata().issuer, `${EMULATOR_URL}/v1/apps/${project.projectId}`);

    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid read:docs',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      login_hint: email,
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims().sub, user.userId);
    const access = decodeJwt(tokens.access_token);
    assert.equal(access.iss, `${EMULATOR_URL}/v1/apps/${project.projectId}`);
    assert.equal(access.scope, 'openid read:docs');
    assert.equal(access.azp, clientId);
    // The node SDK accepts the inbound issuer (the project ID is its last segment).
    const validated = await client.validateSession(tokens.access_token, { audience: clientId });
    assert.equal(validated.token.sub, user.userId);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
    assert.equal(info.email, email);

    const consents = okData(await apps.searchConsents({ appId: created.id }), 'searchConsents');
    assert.equal(consents.length, 1);
    assert.equal(consents[0].userId, user.userId);
    assert.deepEqual(consents[0].scopes, ['openid', 'read:docs']);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

    okData(await apps.deleteConsents({ consentIds: [consents[0].id] }), 'deleteConsents');
    assert.equal(okData(await apps.searchConsents({ appId: created.id }), 'search').length, 0);
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');
  });

  it('deletes the consents of a tenant', async () => {
    const created = await createApp();
    const { clientId } = okData(await apps.loadApplication(created.id), 'load');
    const tenant = okData(await client.management.tenant.create(`Acme ${uid()}`), 'tenant.create');
    const email = uniqueEmail();
    await createUser(client, email);
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'read:docs',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      login_hint: email,
      tenant: tenant.id,
    });
    const res = await fetch(`${EMULATOR_URL}/oauth2/v1/apps/authorize?${params}`, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    const found = okData(await apps.searchConsents({ tenantId: tenant.id }), 'searchConsents');
    assert.equal(found.length, 1);
    assert.equal(found[0].tenantId, tenant.id);
    okData(await apps.deleteTenantConsents({ tenantId: tenant.id }), 'deleteTenantConsents');
    assert.equal(okData(await apps.searchConsents({ tenantId: tenant.id }), 'search').length, 0);
  });

  it('registers a public client dynamically (RFC 7591)', async () => {
    const res = await fetch(`${EMULATOR_URL}/v1/mgmt/inboundapp/app/${project.projectId}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Inspector', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(res.status, 201);
    const reg = await res.json();
    assert.equal(reg.token_endpoint_auth_method, 'none');
    const all = okData(await apps.loadAllApplications(), 'loadAllApplications');
    const dynamic = all.find((a) => a.clientId === reg.client_id);
    assert.equal(dynamic?.dynamic, true);
    assert.equal(dynamic?.nonConfidentialClient, true);
  });
});
