// OTP by email and SMS through @descope/node-sdk, with codes read from the emulator's outbox.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clientFor,
  createProject,
  decodeJwt,
  deleteProject,
  okData,
  outboxLatest,
  uniqueEmail,
  uniquePhone,
} from '../lib/emulator.js';

const wrongCode = (code) => (code === '000000' ? '111111' : '000000');

const channels = [
  { method: 'email', newLoginId: uniqueEmail, masked: 'maskedEmail' },
  { method: 'sms', newLoginId: uniquePhone, masked: 'maskedPhone' },
];

describe('otp', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  for (const { method, newLoginId, masked } of channels) {
    it(`${method}: sign up, then sign in, with codes from the outbox`, async () => {
      const loginId = newLoginId();

      const up = okData(await client.otp.signUp[method](loginId), `otp.signUp.${method}`);
      assert.ok(up[masked], `sign-up answered without ${masked}: ${JSON.stringify(up)}`);
      const first = await outboxLatest(project, loginId);
      assert.equal(first.channel, method);
      assert.equal(first.kind, 'otp');
      assert.equal(first.to, loginId);
      assert.equal(first.loginId, loginId);
      assert.equal(first.projectId, project.projectId);
      assert.ok(first.code, `no code in ${JSON.stringify(first)}`);

      const signedUp = okData(await client.otp.verify[method](loginId, first.code), `otp.verify.${method}`);
      assert.equal(signedUp.firstSeen, true);
      const userId = signedUp.user.userId;
      assert.equal((await client.validateSession(signedUp.sessionJwt)).token.sub, userId);

      const inRes = okData(await client.otp.signIn[method](loginId), `otp.signIn.${method}`);
      assert.ok(inRes[masked], `sign-in answered without ${masked}: ${JSON.stringify(inRes)}`);
      const second = await outboxLatest(project, loginId, { newerThan: first });

      const signedIn = okData(await client.otp.verify[method](loginId, second.code), `otp.verify.${method}`);
      assert.equal(signedIn.firstSeen, false);
      assert.equal(signedIn.user.userId, userId);
      const info = await client.validateSession(signedIn.sessionJwt);
      assert.equal(info.token.sub, userId);
      assert.ok(info.token.amr.includes(method), `amr ${JSON.stringify(info.token.amr)} lacks ${method}`);
    });

    it(`${method}: a wrong code fails with 401 E061102`, async () => {
      const loginId = newLoginId();
      okData(await client.otp.signUp[method](loginId), `otp.signUp.${method}`);
      const message = await outboxLatest(project, loginId);
      const res = await client.otp.verify[method](loginId, wrongCode(message.code));
      assert.equal(res.ok, false);
      assert.equal(res.code, 401, `wrong code: ${JSON.stringify(res.error)}`);
      assert.equal(res.error?.errorCode, 'E061102');
    });
  }

  it('signUpOrIn creates the user, then signs it in', async () => {
    const loginId = uniqueEmail();
    okData(await client.otp.signUpOrIn.email(loginId), 'otp.signUpOrIn.email');
    const first = await outboxLatest(project, loginId);
    const userId = okData(await client.otp.verify.email(loginId, first.code), 'verify').user.userId;

    okData(await client.otp.signUpOrIn.email(loginId), 'otp.signUpOrIn.email');
    const second = await outboxLatest(project, loginId, { newerThan: first });
    assert.equal(okData(await client.otp.verify.email(loginId, second.code), 'verify').user.userId, userId);
  });

  it('sign-in of an unknown user fails', async () => {
    const res = await client.otp.signIn.email(uniqueEmail());
    assert.equal(res.ok, false);
    assert.ok(res.code >= 400 && res.code < 500, `unknown user sign-in: ${res.code} ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode);
  });

  it('email OTP session JWT has drn DS, roles, permissions and amr email', async () => {
    const loginId = uniqueEmail();
    okData(await client.otp.signUp.email(loginId), 'otp.signUp.email');
    const message = await outboxLatest(project, loginId);
    const data = okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
    const claims = decodeJwt(data.sessionJwt);
    assert.equal(claims.drn, 'DS');
    assert.equal(decodeJwt(data.refreshJwt).drn, 'DSR');
    assert.ok(Array.isArray(claims.roles));
    assert.ok(Array.isArray(claims.permissions));
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('email'), `amr: ${JSON.stringify(claims.amr)}`);
    assert.equal(claims.sub, data.user.userId);
  });
});
