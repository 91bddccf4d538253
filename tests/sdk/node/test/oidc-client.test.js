// The emulator as an OIDC provider, driven by a standard client library (openid-client 6),
// plus @descope/node-sdk's SSO-application management calls.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { EMULATOR_URL, clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

const REDIRECT = 'http://rp.test/callback';

describe('OIDC provider: openid-client', () => {
  let project;
  let client;
  let config;
  let user;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    const key = okData(await client.management.accessKey.create(`oidc-${uid()}`), 'accessKey.create').cleartext;
    const email = uniqueEmail();
    const created = okData(
      await client.management.user.create(email, { email, displayName: 'Ann Lee', verifiedEmail: true }),
      'user.create',
    );
    user = { email, userId: created.userId };
    config = await oidc.discovery(new URL(`${EMULATOR_URL}/${project.projectId}`), project.projectId, key, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  async function signIn(extra = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      ...extra,
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    const back = new URL(res.headers.get('location'));
    return oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
  }

  it('discovers the issuer and its endpoints', () => {
    const m = config.serverMetadata();
    assert.equal(m.issuer, `${EMULATOR_URL}/${project.projectId}`);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.ok(m.supportsPKCE());
  });

  it('signs in with code + PKCE; the ID token validates; userinfo and refresh work', async () => {
    const tokens = await signIn({ login_hint: user.email });
    const claims = tokens.claims();
    assert.equal(claims.sub, user.userId);
    assert.equal(claims.email, user.email);
    assert.equal(claims.aud, project.projectId);

    // The access token is a Descope session JWT the SDK validates.
    const validated = await client.validateSession(tokens.access_token);
    assert.equal(validated.token.sub, user.userId);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, user.email);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.claims().sub, user.userId);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  });

  it('signs in the queued identity', async () => {
    const q = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${project.projectId}/signin/next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ loginId: user.email }),
    });
    assert.equal(q.status, 200);
    const tokens = await signIn();
    assert.equal(tokens.claims().sub, user.userId);
  });

  it('manages SSO applications through the SDK', async () => {
    const apps = client.management.ssoApplication;
    const id = okData(await apps.createOidcApplication({ name: `crm-${uid()}`, loginPageUrl: 'http://login.test' }), 'create').id;
    const loaded = okData(await apps.load(id), 'load');
    assert.equal(loaded.appType, 'oidc');
    assert.equal(loaded.oidcSettings.issuer, `${EMULATOR_URL}/${project.projectId}/${id}`);
    const all = okData(await apps.loadAll(), 'loadAll');
    assert.equal(all[0].id, 'descope-default-oidc');
    assert.ok(all.some((a) => a.id === id));
    const secret = okData(await apps.getApplicationSecret(id), 'secret').cleartext;
    const rotated = okData(await apps.rotateApplicationSecret(id), 'rotate').cleartext;
    assert.ok(secret && rotated && secret !== rotated);
    okData(await apps.updateOidcApplication({ id, name: 'renamed', loginPageUrl: '' }), 'update');
    assert.equal(okData(await apps.load(id), 'load').name, 'renamed');
    okData(await apps.delete(id), 'delete');
    assertClientError(await apps.load(id), 'load deleted');
    assertClientError(await apps.delete('descope-default-oidc'), 'delete default');
  });
});
