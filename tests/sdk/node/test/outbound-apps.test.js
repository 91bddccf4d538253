// Outbound apps with @descope/node-sdk's `management.outboundApplication` (CRUD, by template,
// uploads, fetches, refresh on the emulator clock, listing, deletes) and the SDK's
// `outbound.connect`, whose URL (the emulator's fake provider page) is followed with fetch.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { advanceClock, clientFor, createProject, deleteProject, okData, resetClock, signUpByEmailOtp } from '../lib/emulator.js';
import { assertClientError, createUser, uid } from '../lib/mgmt.js';

const REDIRECT = 'https://app.example.com/connected';

describe('Outbound apps: node SDK', () => {
  let project;
  let client;
  let apps;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    apps = client.management.outboundApplication;
  });

  after(async () => {
    await resetClock();
    if (project) await deleteProject(project.projectId);
  });

  async function newUser() {
    const loginId = `sdk-node-ob-${uid()}@example.com`;
    return (await createUser(client, loginId)).userId;
  }

  it('creates, loads, updates and deletes apps', async () => {
    const created = okData(
      await apps.createApplication({
        name: `Drive ${uid()}`,
        description: 'files',
        clientId: 'cid',
        clientSecret: 'secret',
        authorizationUrl: 'https://accounts.example.com/auth',
        authorizationUrlParams: [{ key: 'hd', value: 'example.com' }],
        defaultScopes: ['openid'],
        accessType: 'offline',
        prompt: ['consent'],
      }),
      'createApplication',
    );
    assert.ok(created.id);
    assert.equal(created.clientId, 'cid');
    assert.equal(created.clientSecret, undefined);
    assert.deepEqual(okData(await apps.loadApplication(created.id), 'loadApplication'), created);
    const all = okData(await apps.loadAllApplications(), 'loadAllApplications');
    assert.ok(all.some((a) => a.id === created.id));

    const updated = okData(
      await apps.updateApplication({ id: created.id, name: `Renamed ${uid()}`, description: 'new' }),
      'updateApplication',
    );
    assert.equal(updated.description, 'new');
    assert.equal(updated.authorizationUrl, undefined);

    const templated = okData(
      await apps.createApplicationByTemplate({ templateId: `github-${uid()}`, clientId: 'gh', overrides: { defaultScopes: ['repo'] } }),
      'createApplicationByTemplate',
    );
    assert.deepEqual(templated.defaultScopes, ['repo']);
    assert.equal(templated.clientId, 'gh');

    assertClientError(await apps.createApplication({ name: updated.name }), 'duplicate name');
    okData(await apps.deleteApplication(created.id), 'deleteApplication');
    const gone = await apps.loadApplication(created.id);
    assertClientError(gone, 'load deleted');
    assert.equal(gone.code, 404);
  });

  it('uploads, fetches, refreshes and deletes tokens', async () => {
    const app = okData(await apps.createApplication({ name: `Mail ${uid()}` }), 'create');
    const userId = await newUser();
    okData(
      await apps.uploadUserToken({
        appId: app.id,
        userId,
        accessToken: 'at-1',
        refreshToken: 'rt-1',
        accessTokenExpiry: Math.floor(Date.now() / 1000) + 600,
        scopes: ['read', 'send'],
      }),
      'uploadUserToken',
    );
    const token = okData(await apps.fetchTokenByScopes(app.id, userId, ['read']), 'fetchTokenByScopes');
    assert.equal(token.accessToken, 'at-1');
    assert.equal(token.hasRefreshToken, true);
    assert.equal(token.refreshToken, undefined);
    assert.equal(typeof token.accessTokenExpiry, 'string');
    assertClientError(await apps.fetchTokenByScopes(app.id, userId, ['admin']), 'missing scope');

    const withRefresh = okData(await apps.fetchToken(app.id, userId, undefined, { withRefreshToken: true }), 'fetchToken');
    assert.equal(withRefresh.refreshToken, 'rt-1');
    const forced = okData(await apps.fetchToken(app.id, userId, undefined, { forceRefresh: true }), 'forceRefresh');
    assert.notEqual(forced.accessToken, 'at-1');
    assert.ok(forced.lastRefreshTime);

    await advanceClock(7200);
    const later = okData(await apps.fetchToken(app.id, userId), 'fetchToken after expiry');
    assert.notEqual(later.accessToken, forced.accessToken);
    await resetClock();

    assert.deepEqual(okData(await apps.listAppsWithUserToken(userId), 'listAppsWithUserToken'), [app.id]);
    okData(await apps.deleteTokenById(token.id), 'deleteTokenById');
    assert.deepEqual(okData(await apps.listAppsWithUserToken(userId), 'list after delete'), []);

    okData(await apps.uploadUserApiKey(app.id, userId, 'key-1'), 'uploadUserApiKey');
    assert.equal(okData(await apps.fetchToken(app.id, userId), 'fetch api key').accessToken, 'key-1');
    // Node sends the omitted appId as the literal `undefined`.
    okData(await apps.deleteUserTokens(undefined, userId), 'deleteUserTokens');
    assertClientError(await apps.fetchToken(app.id, userId), 'fetch after delete');
    assertClientError(await apps.deleteUserTokens(), 'deleteUserTokens with nothing');
  });

  it('keeps tenant tokens and batch uploads all or nothing', async () => {
    const app = okData(await apps.createApplication({ name: `CRM ${uid()}` }), 'create');
    const tenantId = okData(await client.management.tenant.create(`Acme ${uid()}`), 'tenant.create').id;
    okData(await apps.uploadTenantApiKey(app.id, tenantId, 'tk'), 'uploadTenantApiKey');
    assert.equal(okData(await apps.fetchTenantToken(app.id, tenantId), 'fetchTenantToken').accessToken, 'tk');
    okData(await apps.uploadTenantToken({ appId: app.id, tenantId, accessToken: 'tat', scopes: ['crm'] }), 'uploadTenantToken');
    const t = okData(await apps.fetchTenantTokenByScopes(app.id, tenantId, ['crm']), 'fetchTenantTokenByScopes');
    assert.equal(t.accessToken, 'tat');

    const a = await newUser();
    const failed = okData(
      await apps.batchUploadUserTokens([
        { appId: app.id, userId: a, accessToken: 'a1' },
        { appId: app.id, userId: 'U-nobody', accessToken: 'x' },
      ]),
      'batchUploadUserTokens',
    );
    assert.equal(failed.failures.length, 1);
    assert.equal(failed.failures[0].userId, 'U-nobody');
    assertClientError(await apps.fetchToken(app.id, a), 'nothing stored');
    const ok = okData(await apps.batchUploadUserTokens([{ appId: app.id, userId: a, accessToken: 'a1' }]), 'batch');
    assert.deepEqual(ok.failures, []);
    assert.equal(okData(await apps.fetchToken(app.id, a), 'fetch').accessToken, 'a1');
    const tb = okData(await apps.batchUploadTenantTokens([{ appId: app.id, tenantId, accessToken: 't2' }]), 'tenant batch');
    assert.deepEqual(tb.failures, []);
  });

  it('connects a signed-in user through the fake provider', async () => {
    const app = okData(
      await apps.createApplication({
        name: `Calendar ${uid()}`,
        defaultScopes: ['openid'],
        defaultRedirectUrl: REDIRECT,
        accessType: 'offline',
      }),
      'create',
    );
    const session = await signUpByEmailOtp(client, project);
    const { url } = okData(
      await client.outbound.connect(app.id, { scopes: ['calendar.read'] }, session.refreshJwt),
      'outbound.connect',
    );
    const res = await fetch(url, { redirect: 'manual' });
    assert.ok([302, 303].includes(res.status), `provider page answered ${res.status}`);
    assert.equal(res.headers.get('location'), REDIRECT);

    const userId = session.user.userId;
    const token = okData(
      await apps.fetchTokenByScopes(app.id, userId, ['calendar.read', 'openid'], { withRefreshToken: true }),
      'fetch connected token',
    );
    assert.ok(token.accessToken);
    assert.ok(token.refreshToken);

    // Refused at the provider: back with an error, and no new token.
    const again = okData(await client.outbound.connect(app.id, { scopes: ['more'] }, session.refreshJwt), 'connect again');
    const denied = await fetch(`${again.url}&deny=1`, { redirect: 'manual' });
    assert.match(denied.headers.get('location'), /error=access_denied/);
    assertClientError(await apps.fetchTokenByScopes(app.id, userId, ['more']), 'denied scope');
    assertClientError(await client.outbound.connect(app.id, { redirectUrl: 'https://evil.example.net/' }, session.refreshJwt), 'bad redirect');
  });
});
