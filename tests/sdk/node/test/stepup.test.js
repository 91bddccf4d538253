// Step-up through @descope/node-sdk: a second factor signed in with `stepup` and the refresh
// token adds to the first session's `amr`.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clientFor,
  createProject,
  deleteProject,
  okData,
  outboxLatest,
  signUpByEmailOtp,
  uniqueEmail,
  uniquePhone,
} from '../lib/emulator.js';
import { emulatorNow, totpCode } from '../lib/totp.js';

async function amrOf(client, data, userId) {
  const { token } = await client.validateSession(data.sessionJwt);
  assert.equal(token.sub, userId);
  return token.amr;
}

describe('step-up', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('email OTP, then email OTP with stepup', async () => {
    const loginId = uniqueEmail();
    okData(await client.otp.signUp.email(loginId), 'otp.signUp.email');
    const firstMessage = await outboxLatest(project, loginId);
    const first = okData(await client.otp.verify.email(loginId, firstMessage.code), 'otp.verify.email');
    const userId = first.user.userId;
    assert.deepEqual(await amrOf(client, first, userId), ['email']);

    okData(await client.otp.signIn.email(loginId, { stepup: true }, first.refreshJwt), 'otp.signIn.email (stepup)');
    const message = await outboxLatest(project, loginId, { newerThan: firstMessage });
    const stepped = okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
    assert.equal(stepped.user.userId, userId);
    const amr = await amrOf(client, stepped, userId);
    assert.ok(amr.includes('email'), `amr after step-up: ${amr}`);
  });

  it('email OTP, then SMS OTP with stepup', async () => {
    const loginId = uniqueEmail();
    const phone = uniquePhone();
    okData(await client.otp.signUp.email(loginId, { phone }), 'otp.signUp.email');
    const firstMessage = await outboxLatest(project, loginId);
    const first = okData(await client.otp.verify.email(loginId, firstMessage.code), 'otp.verify.email');
    const userId = first.user.userId;
    assert.equal(first.user.phone, phone);

    okData(await client.otp.signIn.sms(loginId, { stepup: true }, first.refreshJwt), 'otp.signIn.sms (stepup)');
    const message = await outboxLatest(project, loginId, { newerThan: firstMessage });
    assert.equal(message.channel, 'sms');
    assert.equal(message.to, phone);
    const stepped = okData(await client.otp.verify.sms(loginId, message.code), 'otp.verify.sms');
    const amr = await amrOf(client, stepped, userId);
    assert.ok(amr.includes('email') && amr.includes('sms'), `amr after step-up: ${amr}`);
  });

  it('password, then email OTP with stepup', async () => {
    const loginId = uniqueEmail();
    const first = okData(await client.password.signUp(loginId, 'Step-Up-Password-1'), 'password.signUp');
    const userId = first.user.userId;
    assert.deepEqual(await amrOf(client, first, userId), ['pwd']);

    okData(await client.otp.signIn.email(loginId, { stepup: true }, first.refreshJwt), 'otp.signIn.email (stepup)');
    const message = await outboxLatest(project, loginId);
    const stepped = okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
    const amr = await amrOf(clientFor(project), stepped, userId);
    assert.ok(amr.includes('pwd') && amr.includes('email'), `amr after step-up: ${amr}`);
  });

  it('email OTP, then TOTP with stepup', async () => {
    const first = await signUpByEmailOtp(client, project);
    const userId = first.user.userId;
    const { key } = okData(await client.totp.update(first.loginId, first.refreshJwt), 'totp.update');

    const stepped = okData(
      await client.totp.verify(first.loginId, totpCode(key, await emulatorNow()), { stepup: true }, first.refreshJwt),
      'totp.verify (stepup)',
    );
    const amr = await amrOf(client, stepped, userId);
    assert.ok(amr.includes('email') && amr.includes('totp'), `amr after step-up: ${amr}`);
  });

  it('without stepup the amr is only the new method', async () => {
    const loginId = uniqueEmail();
    const first = okData(await client.password.signUp(loginId, 'Step-Up-Password-2'), 'password.signUp');
    okData(await client.otp.signIn.email(loginId), 'otp.signIn.email');
    const message = await outboxLatest(project, loginId);
    const plain = okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
    assert.deepEqual(await amrOf(client, plain, first.user.userId), ['email']);
  });

  it('stepup without a refresh token fails', async () => {
    const loginId = uniqueEmail();
    okData(await client.password.signUp(loginId, 'Step-Up-Password-3'), 'password.signUp');
    const res = await client.otp.signIn.email(loginId, { stepup: true });
    assert.equal(res.ok, false, 'stepup without a refresh token was accepted');
    assert.ok(res.code >= 400 && res.code < 500, `stepup without a refresh token: ${res.code} ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode);
  });
});
