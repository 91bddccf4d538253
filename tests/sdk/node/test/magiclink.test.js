// Magic links through @descope/node-sdk, with the token read from the emulator's outbox.

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
  uniquePhone,
} from '../lib/emulator.js';

function tokenOf(message) {
  assert.equal(message.kind, 'magiclink', `not a magic link message: ${JSON.stringify(message)}`);
  assert.ok(message.link?.startsWith(MAGIC_LINK_URI), `link ${message.link} does not start with ${MAGIC_LINK_URI}`);
  assert.equal(new URL(message.link).searchParams.get('t'), message.token, 'the link t parameter is not the token');
  return message.token;
}

const channels = [
  { method: 'email', newLoginId: uniqueEmail },
  { method: 'sms', newLoginId: uniquePhone },
];

describe('magic link', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  for (const { method, newLoginId } of channels) {
    it(`${method}: sign up, then sign in, with tokens from the outbox`, async () => {
      const loginId = newLoginId();

      okData(await client.magicLink.signUp[method](loginId, MAGIC_LINK_URI), `magicLink.signUp.${method}`);
      const first = await outboxLatest(project, loginId);
      assert.equal(first.channel, method);
      assert.equal(first.loginId, loginId);

      const signedUp = okData(await client.magicLink.verify(tokenOf(first)), 'magicLink.verify');
      const userId = signedUp.user.userId;
      assert.equal(signedUp.firstSeen, true);
      assert.equal((await client.validateSession(signedUp.sessionJwt)).token.sub, userId);

      okData(await client.magicLink.signIn[method](loginId, MAGIC_LINK_URI), `magicLink.signIn.${method}`);
      const second = await outboxLatest(project, loginId, { newerThan: first });
      const signedIn = okData(await client.magicLink.verify(tokenOf(second)), 'magicLink.verify');
      assert.equal(signedIn.user.userId, userId);
      assert.equal(signedIn.firstSeen, false);
      const info = await client.validateSession(signedIn.sessionJwt);
      assert.equal(info.token.sub, userId);
      assert.equal(info.token.drn, 'DS');
    });
  }

  it('a token works only once', async () => {
    const loginId = uniqueEmail();
    okData(await client.magicLink.signUp.email(loginId, MAGIC_LINK_URI), 'magicLink.signUp.email');
    const token = tokenOf(await outboxLatest(project, loginId));
    okData(await client.magicLink.verify(token), 'magicLink.verify');
    const again = await client.magicLink.verify(token);
    assert.equal(again.ok, false);
    assert.ok(again.code >= 400 && again.code < 500, `reused token: ${again.code} ${JSON.stringify(again.error)}`);
  });

  it('an unknown token fails', async () => {
    const res = await client.magicLink.verify('no-such-token');
    assert.equal(res.ok, false);
    assert.ok(res.code >= 400 && res.code < 500, `unknown token: ${res.code} ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode);
  });
});
