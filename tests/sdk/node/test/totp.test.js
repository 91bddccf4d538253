// TOTP through @descope/node-sdk, with codes computed in the test from the key (RFC 6238).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clientFor,
  createProject,
  deleteProject,
  okData,
  signUpByEmailOtp,
  uniqueEmail,
} from '../lib/emulator.js';
import { emulatorNow, totpCode } from '../lib/totp.js';

function checkTotpResponse(data) {
  for (const field of ['provisioningURL', 'image', 'key']) {
    assert.ok(data[field], `TOTP response has no ${field}: ${JSON.stringify(data)}`);
  }
  const url = new URL(data.provisioningURL);
  assert.equal(url.protocol, 'otpauth:');
  assert.ok(data.provisioningURL.startsWith('otpauth://totp/'), data.provisioningURL);
  assert.equal(url.searchParams.get('secret'), data.key, 'the provisioning URL secret is not the key');
  assert.ok(Buffer.from(data.image, 'base64').subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])), 'image is not a base64 PNG');
  return data.key;
}

describe('totp', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('sign up, then verify a code computed from the key', async () => {
    const loginId = uniqueEmail();
    const key = checkTotpResponse(okData(await client.totp.signUp(loginId, { name: 'Toto Tp' }), 'totp.signUp'));

    const data = okData(await client.totp.verify(loginId, totpCode(key, await emulatorNow())), 'totp.verify');
    assert.deepEqual(data.user.loginIds, [loginId]);
    assert.equal(data.user.TOTP, true);
    const { token } = await client.validateSession(data.sessionJwt);
    assert.equal(token.sub, data.user.userId);
    assert.ok(token.amr.includes('totp'), `amr ${token.amr}`);

    const again = okData(await client.totp.verify(loginId, totpCode(key, await emulatorNow())), 'totp.verify');
    assert.equal(again.firstSeen, false);
    assert.equal((await clientFor(project).validateSession(again.sessionJwt)).token.sub, data.user.userId);
  });

  it('a code from a day ago fails', async () => {
    const loginId = uniqueEmail();
    const key = checkTotpResponse(okData(await client.totp.signUp(loginId), 'totp.signUp'));
    const now = await emulatorNow();
    const valid = [now - 30, now, now + 30].map((t) => totpCode(key, t));
    let old = totpCode(key, now - 24 * 3600);
    if (valid.includes(old)) old = totpCode(key, now - 48 * 3600); // a one-in-a-million collision

    const res = await client.totp.verify(loginId, old);
    assert.equal(res.ok, false, 'a day-old TOTP code was accepted');
    assert.ok(res.code >= 400 && res.code < 500, `a day-old TOTP code: ${res.code} ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode);

    const data = okData(await client.totp.verify(loginId, totpCode(key, await emulatorNow())), 'totp.verify');
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, data.user.userId);
  });

  it('a second sign-up of the same login ID fails', async () => {
    const loginId = uniqueEmail();
    okData(await client.totp.signUp(loginId), 'totp.signUp');
    const res = await client.totp.signUp(loginId);
    assert.equal(res.ok, false);
    assert.ok(res.code >= 400 && res.code < 500, `second TOTP sign-up: ${res.code} ${JSON.stringify(res.error)}`);
  });

  it('add TOTP to a signed-in user with the refresh token', async () => {
    const first = await signUpByEmailOtp(client, project);
    const key = checkTotpResponse(okData(await client.totp.update(first.loginId, first.refreshJwt), 'totp.update'));

    const data = okData(await client.totp.verify(first.loginId, totpCode(key, await emulatorNow())), 'totp.verify');
    assert.equal(data.user.userId, first.user.userId);
    const { token } = await client.validateSession(data.sessionJwt);
    assert.equal(token.sub, first.user.userId);
    assert.ok(token.amr.includes('totp'), `amr ${token.amr}`);
  });
});
