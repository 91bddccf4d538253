// OAuth social sign-in through @descope/node-sdk, headless: `oauth.start` answers the URL of the
// emulator's fake provider; a GET of it (plus `email=`, redirects off) redirects to the app with
// `code=`, which `oauth.exchange` signs in with. Native sign-in and Google One Tap use ID tokens
// minted by the fake provider (POST /emulator/v1/projects/{p}/idp/oauth/{provider}/id-token).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  clientFor,
  createProject,
  decodeJwt,
  deleteProject,
  EMULATOR_URL,
  okData,
  signUpByEmailOtp,
  uniqueEmail,
} from '../lib/emulator.js';

const CALLBACK = 'http://localhost:3000/oauth/callback';

/** Opens the fake provider's page with extra query parameters; the redirect's query. */
async function openPage(url, params = {}) {
  const extra = new URLSearchParams(params).toString();
  const res = await fetch(extra ? `${url}&${extra}` : url, { redirect: 'manual' });
  const location = res.headers.get('location');
  assert.ok(res.status >= 300 && res.status < 400 && location, `GET ${url} -> ${res.status} ${await res.text()}`);
  assert.ok(location.startsWith(CALLBACK), `Location ${location}`);
  return new URL(location).searchParams;
}

async function codeOf(url, params) {
  const code = (await openPage(url, params)).get('code');
  assert.ok(code, 'no code in the redirect');
  return code;
}

/** An ID token of the project's fake provider. */
async function mintIdToken(project, provider, body) {
  const res = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${project.projectId}/idp/oauth/${provider}/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json.idToken;
}

async function amrOf(client, data) {
  const { token } = await client.validateSession(data.sessionJwt);
  return token.amr;
}

describe('oauth', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('start.google, the page, exchange; then again', async () => {
    const email = uniqueEmail();
    const { url } = okData(await client.oauth.start.google(CALLBACK), 'oauth.start.google');
    const code = await codeOf(url, { email, name: 'Ann Lee' });
    const first = okData(await client.oauth.exchange(code), 'oauth.exchange');
    assert.equal(first.firstSeen, true);
    assert.deepEqual(first.user.OAuth, { google: true });
    assert.equal(first.user.email, email);
    assert.equal(first.user.verifiedEmail, true);
    assert.equal(first.user.name, 'Ann Lee');
    assert.ok(first.refreshJwt, 'refreshJwt');
    assert.deepEqual(await amrOf(client, first), ['oauth']);

    const again = await codeOf(
      okData(await client.oauth.start('google', CALLBACK), 'oauth.start').url,
      { email },
    );
    const second = okData(await client.oauth.exchange(again), 'oauth.exchange');
    assert.equal(second.firstSeen, false);
    assert.equal(second.user.userId, first.user.userId);

    // A replayed code is refused.
    const replay = await client.oauth.exchange(code);
    assert.equal(replay.ok, false);
    assert.equal(replay.code, 401);
    assert.equal(replay.error.errorCode, 'E061301');
  });

  it('start with a custom provider, loginHint and login options', async () => {
    const email = uniqueEmail();
    const res = await client.oauth.start('my-idp', CALLBACK, { customClaims: { plan: 'gold' } }, undefined, email);
    const { url } = okData(res, 'oauth.start');
    const data = okData(await client.oauth.exchange(await codeOf(url)), 'oauth.exchange');
    assert.equal(data.user.email, email);
    assert.deepEqual(data.user.OAuth, { 'my-idp': true });
    const { token } = await client.validateSession(data.sessionJwt);
    assert.equal(token.plan, 'gold');
  });

  it('step-up of an OTP user with the refresh token', async () => {
    const otp = await signUpByEmailOtp(client, project);
    const { url } = okData(await client.oauth.start.github(CALLBACK, { stepup: true }, otp.refreshJwt), 'start');
    const data = okData(await client.oauth.exchange(await codeOf(url, { email: otp.loginId })), 'exchange');
    assert.equal(data.user.userId, otp.user.userId);
    assert.deepEqual(data.user.OAuth, { github: true });
    assert.deepEqual(await amrOf(client, data), ['email', 'oauth']);
  });

  it('deny redirects with error=access_denied', async () => {
    const { url } = okData(await client.oauth.start.slack(CALLBACK), 'oauth.start.slack');
    const params = await openPage(url, { deny: '1' });
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('code'), null);
  });

  it('native start and finish with the fake provider ID token', async () => {
    const started = okData(await client.oauth.startNative('google', undefined, false), 'oauth.startNative');
    assert.equal(started.clientId, `emulator-google-${project.projectId}`);
    assert.ok(started.stateId && started.nonce);
    const email = uniqueEmail();
    // A token with another nonce is refused.
    const wrong = await mintIdToken(project, 'google', { email, nonce: 'not-the-nonce' });
    const refused = await client.oauth.finishNative('google', started.stateId, undefined, undefined, wrong);
    assert.equal(refused.ok, false);
    assert.equal(refused.error.errorCode, 'E061301');

    const idToken = await mintIdToken(project, 'google', { email, name: 'Nat', nonce: started.nonce });
    assert.equal(decodeJwt(idToken).aud, started.clientId);
    const data = okData(
      await client.oauth.finishNative('google', started.stateId, undefined, undefined, idToken),
      'oauth.finishNative',
    );
    assert.equal(data.user.email, email);
    assert.deepEqual(data.user.OAuth, { google: true });
    assert.deepEqual(decodeJwt(data.sessionJwt).amr, ['oauth']);
  });

  it('native Apple sign-in with the user blob', async () => {
    const started = okData(await client.oauth.startNative('apple'), 'oauth.startNative');
    const sub = `apple-${randomBytes(4).toString('hex')}`;
    const idToken = await mintIdToken(project, 'apple', { sub, email: uniqueEmail(), nonce: started.nonce });
    const user = JSON.stringify({ name: { firstName: 'Ann', lastName: 'Lee' } });
    const data = okData(
      await client.oauth.finishNative('apple', started.stateId, user, undefined, idToken),
      'oauth.finishNative',
    );
    assert.equal(data.user.givenName, 'Ann');
    assert.equal(data.user.familyName, 'Lee');
    assert.deepEqual(data.user.OAuth, { apple: true });
  });

  it('One Tap: client ID, exchange, verify then OAuth exchange', async () => {
    const { clientId } = okData(await client.oauth.getOneTapClientId('google'), 'getOneTapClientId');
    assert.equal(clientId, `emulator-google-${project.projectId}`);
    const nonce = randomBytes(16).toString('hex');
    const email = uniqueEmail();
    const idToken = await mintIdToken(project, 'google', { email, nonce });

    const data = okData(await client.oauth.exchangeOneTapIDToken('google', idToken, nonce), 'exchangeOneTapIDToken');
    assert.equal(data.user.email, email);
    assert.equal(data.firstSeen, true);
    assert.deepEqual(await amrOf(client, data), ['oauth']);

    const bad = await client.oauth.exchangeOneTapIDToken('google', idToken, 'other-nonce');
    assert.equal(bad.ok, false);
    assert.equal(bad.error.errorCode, 'E061301');

    const { code } = okData(await client.oauth.verifyOneTapIDToken('google', idToken, nonce), 'verifyOneTapIDToken');
    const again = okData(await client.oauth.exchange(code), 'oauth.exchange');
    assert.equal(again.user.userId, data.user.userId);
    assert.equal(again.firstSeen, false);
  });
});
