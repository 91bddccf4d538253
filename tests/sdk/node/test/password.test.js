// Passwords through @descope/node-sdk: sign-up, sign-in, reset by email, replace, policy, and
// management's temporary and active passwords.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MAGIC_LINK_URI,
  clientFor,
  createProject,
  deleteProject,
  okData,
  outboxLatest,
  uniqueEmail,
} from '../lib/emulator.js';

const PASSWORD = 'Correct-Horse-1';
const NEW_PASSWORD = 'Battery-Staple-2';

/** A failed SdkResponse: 4xx with an errorCode. */
function assertFails(res, what) {
  assert.equal(res.ok, false, `${what}: expected a failure, got ${JSON.stringify(res.data)}`);
  assert.ok(res.code >= 400 && res.code < 500, `${what}: ${res.code} ${JSON.stringify(res.error)}`);
  assert.ok(res.error?.errorCode, `${what}: no errorCode in ${JSON.stringify(res.error)}`);
  return res.error;
}

/** The SDK validates the session JWT with its own key fetch; returns the claims. */
async function assertSession(client, data, userId) {
  const { token } = await client.validateSession(data.sessionJwt);
  assert.equal(token.sub, userId);
  assert.equal(token.drn, 'DS');
  return token;
}

describe('password', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('sign up, then sign in', async () => {
    const loginId = uniqueEmail();

    const up = okData(await client.password.signUp(loginId, PASSWORD, { name: 'Pat Word' }), 'password.signUp');
    assert.equal(up.firstSeen, true);
    assert.deepEqual(up.user.loginIds, [loginId]);
    assert.equal(up.user.name, 'Pat Word');
    assert.equal(up.user.password, true);
    assert.ok(up.refreshJwt);
    const userId = up.user.userId;
    assert.ok((await assertSession(client, up, userId)).amr.includes('pwd'));

    const signedIn = okData(await client.password.signIn(loginId, PASSWORD), 'password.signIn');
    assert.equal(signedIn.firstSeen, false);
    assert.equal(signedIn.user.userId, userId);
    assert.ok((await assertSession(clientFor(project), signedIn, userId)).amr.includes('pwd'));
  });

  it('a wrong or empty password fails', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    assertFails(await client.password.signIn(loginId, `${PASSWORD}x`), 'sign-in with a wrong password');
    // The SDK refuses an empty password before sending anything.
    await assert.rejects(async () => client.password.signIn(loginId, ''), /"password" must not be empty/);

    // The right password still works after the failure (no lockout by default).
    await assertSession(client, okData(await client.password.signIn(loginId, PASSWORD), 'password.signIn'), userId);
  });

  it('a duplicate sign-up fails', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    const again = await client.password.signUp(loginId, NEW_PASSWORD);
    assert.equal(assertFails(again, 'duplicate sign-up').errorCode, 'E062107');
    await assertSession(client, okData(await client.password.signIn(loginId, PASSWORD), 'password.signIn'), userId);
  });

  it('an unknown user fails', async () => {
    assertFails(await client.password.signIn(uniqueEmail(), PASSWORD), 'sign-in of an unknown user');
  });

  it('reset by email, then update with the refresh token', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    const sent = okData(await client.password.sendReset(loginId, MAGIC_LINK_URI), 'password.sendReset');
    assert.ok(sent.resetMethod, `sendReset answered without resetMethod: ${JSON.stringify(sent)}`);
    assert.ok(sent.maskedEmail, `sendReset answered without maskedEmail: ${JSON.stringify(sent)}`);

    const message = await outboxLatest(project, loginId);
    assert.equal(message.kind, 'password-reset', `not a reset message: ${JSON.stringify(message)}`);
    assert.equal(message.channel, 'email');
    assert.equal(message.to, loginId);
    assert.ok(message.token, `reset message has no token: ${JSON.stringify(message)}`);
    assert.ok(message.link?.startsWith(MAGIC_LINK_URI), `link ${message.link}`);
    assert.equal(new URL(message.link).searchParams.get('t'), message.token);

    // The reset link is verified like a magic link and yields a session...
    const verified = okData(await client.magicLink.verify(message.token), 'magicLink.verify');
    assert.equal(verified.user.userId, userId);
    await assertSession(client, verified, userId);

    // ...whose refresh token sets the new password.
    const updated = await client.password.update(loginId, NEW_PASSWORD, verified.refreshJwt);
    assert.equal(updated.ok, true, `password.update: ${updated.code} ${JSON.stringify(updated.error)}`);

    const signedIn = okData(await client.password.signIn(loginId, NEW_PASSWORD), 'password.signIn');
    await assertSession(clientFor(project), signedIn, userId);
    assertFails(await client.password.signIn(loginId, PASSWORD), 'sign-in with the password from before the reset');
    assertFails(await client.magicLink.verify(message.token), 'second use of a reset token');
  });

  it('replace the old password with a new one', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    assertFails(await client.password.replace(loginId, `${PASSWORD}x`, NEW_PASSWORD), 'replace with a wrong old password');

    const replaced = okData(await client.password.replace(loginId, PASSWORD, NEW_PASSWORD), 'password.replace');
    assert.equal(replaced.user.userId, userId);
    await assertSession(client, replaced, userId);

    assertFails(await client.password.signIn(loginId, PASSWORD), 'sign-in with the replaced password');
    await assertSession(client, okData(await client.password.signIn(loginId, NEW_PASSWORD), 'password.signIn'), userId);
  });

  it('the policy is reported and enforced', async () => {
    const policy = okData(await client.password.policy(), 'password.policy');
    assert.equal(policy.minLength, 8, `default minLength: ${JSON.stringify(policy)}`);
    for (const field of ['lowercase', 'uppercase', 'number', 'nonAlphanumeric']) {
      assert.equal(typeof policy[field], 'boolean', `${field} in ${JSON.stringify(policy)}`);
    }

    const loginId = uniqueEmail();
    const short = await client.password.signUp(loginId, 'a'.repeat(policy.minLength - 1));
    assert.equal(short.ok, false);
    assert.equal(short.code, 400, `too short a password: ${short.code} ${JSON.stringify(short.error)}`);
    assert.ok(short.error?.errorCode, `too short a password: ${JSON.stringify(short.error)}`);

    // The refused sign-up created nobody; exactly minLength characters is enough.
    const up = okData(await client.password.signUp(loginId, 'a'.repeat(policy.minLength)), 'password.signUp');
    assert.equal(up.firstSeen, true);
    await assertSession(client, up, up.user.userId);
  });

  it('management: a temporary password cannot sign in, an active one can', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    const temp = await client.management.user.setTemporaryPassword(loginId, NEW_PASSWORD);
    assert.equal(temp.ok, true, `setTemporaryPassword: ${temp.code} ${JSON.stringify(temp.error)}`);
    assertFails(await client.password.signIn(loginId, NEW_PASSWORD), 'sign-in with a temporary password');
    assertFails(await client.password.signIn(loginId, PASSWORD), 'sign-in with the password the temporary one replaced');

    const active = 'Active-Password-3';
    const set = await client.management.user.setActivePassword(loginId, active);
    assert.equal(set.ok, true, `setActivePassword: ${set.code} ${JSON.stringify(set.error)}`);
    const signedIn = okData(await client.password.signIn(loginId, active), 'password.signIn');
    assert.equal(signedIn.user.userId, userId);
    await assertSession(client, signedIn, userId);
  });

  it('management: a temporary password can be replaced', async () => {
    const loginId = uniqueEmail();
    const userId = okData(await client.password.signUp(loginId, PASSWORD), 'password.signUp').user.userId;

    const temporary = 'Temporary-Password-4';
    okData(await client.management.user.setTemporaryPassword(loginId, temporary), 'setTemporaryPassword');
    const replaced = okData(await client.password.replace(loginId, temporary, NEW_PASSWORD), 'password.replace');
    await assertSession(client, replaced, userId);
    await assertSession(client, okData(await client.password.signIn(loginId, NEW_PASSWORD), 'password.signIn'), userId);
  });
});
