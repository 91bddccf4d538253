// Enchanted links through @descope/node-sdk: start, poll (pending), verify the token from the
// outbox, then the pending session is handed out once.

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

const PENDING_SESSION = '/v1/auth/enchantedlink/pending-session';

function tokenOf(message, linkId) {
  assert.equal(message.kind, 'enchantedlink', `not an enchanted link message: ${JSON.stringify(message)}`);
  assert.equal(message.channel, 'email');
  assert.equal(message.code, linkId, 'the message code is not the linkId');
  assert.ok(message.link?.startsWith(MAGIC_LINK_URI), `link ${message.link} does not start with ${MAGIC_LINK_URI}`);
  assert.equal(new URL(message.link).searchParams.get('t'), message.token, 'the link t parameter is not the token');
  return message.token;
}

function checkStarted(data) {
  for (const field of ['pendingRef', 'linkId', 'maskedEmail']) {
    assert.ok(data[field], `enchanted link start answered without ${field}: ${JSON.stringify(data)}`);
  }
  return data;
}

/**
 * One poll, exactly as enchantedLink.waitForSession sends it (waitForSession itself only
 * ever resolves with a session or its own client-side timeout).
 */
async function pollOnce(client, pendingRef) {
  const res = await client.httpClient.post(PENDING_SESSION, { pendingRef });
  return { ok: res.ok, code: res.status, body: await res.json() };
}

async function assertPending(client, pendingRef) {
  const res = await pollOnce(client, pendingRef);
  assert.equal(res.ok, false, `poll before the link is followed: ${JSON.stringify(res.body)}`);
  assert.equal(res.code, 401, `poll before the link is followed: ${res.code} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.errorCode, 'E062503');
}

const WAIT = { pollingIntervalMs: 1000, timeoutMs: 15_000 };

describe('enchanted link', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('sign up, then sign in, polling for the session', async () => {
    const loginId = uniqueEmail();

    const up = checkStarted(
      okData(await client.enchantedLink.signUp(loginId, MAGIC_LINK_URI, { name: 'Ena Link' }), 'enchantedLink.signUp'),
    );
    const first = await outboxLatest(project, loginId);
    assert.equal(first.to, loginId);
    const token = tokenOf(first, up.linkId);

    await assertPending(client, up.pendingRef);
    // waitForSession keeps polling while the link is pending and gives up at its timeout.
    const early = await client.enchantedLink.waitForSession(up.pendingRef, { pollingIntervalMs: 1000, timeoutMs: 1500 });
    assert.equal(early.ok, false, `waitForSession before the link is followed: ${JSON.stringify(early)}`);

    const verified = await client.enchantedLink.verify(token);
    assert.equal(verified.ok, true, `enchantedLink.verify: ${verified.code} ${JSON.stringify(verified.error)}`);

    const signedUp = okData(await client.enchantedLink.waitForSession(up.pendingRef, WAIT), 'enchantedLink.waitForSession');
    assert.equal(signedUp.firstSeen, true);
    assert.equal(signedUp.user.name, 'Ena Link');
    const userId = signedUp.user.userId;
    const { token: claims } = await client.validateSession(signedUp.sessionJwt);
    assert.equal(claims.sub, userId);
    assert.ok(claims.amr.includes('email'), `amr ${claims.amr}`);

    // The session is handed out once.
    const again = await pollOnce(client, up.pendingRef);
    assert.equal(again.ok, false, `second poll: ${JSON.stringify(again.body)}`);
    assert.ok(again.code >= 400 && again.code < 500, `second poll: ${again.code} ${JSON.stringify(again.body)}`);

    const inRes = checkStarted(okData(await client.enchantedLink.signIn(loginId, MAGIC_LINK_URI), 'enchantedLink.signIn'));
    const second = await outboxLatest(project, loginId, { newerThan: first });
    await assertPending(client, inRes.pendingRef);
    okData(await client.enchantedLink.verify(tokenOf(second, inRes.linkId)), 'enchantedLink.verify');
    const signedIn = okData(await client.enchantedLink.waitForSession(inRes.pendingRef, WAIT), 'enchantedLink.waitForSession');
    assert.equal(signedIn.firstSeen, false);
    assert.equal(signedIn.user.userId, userId);
    const info = await clientFor(project).validateSession(signedIn.sessionJwt);
    assert.equal(info.token.sub, userId);
    assert.equal(info.token.drn, 'DS');

    const third = await pollOnce(client, inRes.pendingRef);
    assert.equal(third.ok, false, `second poll: ${JSON.stringify(third.body)}`);
  });

  it('sign up or in', async () => {
    const loginId = uniqueEmail();
    const started = checkStarted(okData(await client.enchantedLink.signUpOrIn(loginId, MAGIC_LINK_URI), 'enchantedLink.signUpOrIn'));
    await assertPending(client, started.pendingRef);
    okData(await client.enchantedLink.verify(tokenOf(await outboxLatest(project, loginId), started.linkId)), 'verify');
    const data = okData(await client.enchantedLink.waitForSession(started.pendingRef, WAIT), 'waitForSession');
    assert.deepEqual(data.user.loginIds, [loginId]);
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, data.user.userId);
  });

  it('a token works only once; unknown tokens and pendingRefs fail', async () => {
    const loginId = uniqueEmail();
    const started = checkStarted(okData(await client.enchantedLink.signUp(loginId, MAGIC_LINK_URI), 'enchantedLink.signUp'));
    const token = tokenOf(await outboxLatest(project, loginId), started.linkId);
    okData(await client.enchantedLink.verify(token), 'enchantedLink.verify');
    const reused = await client.enchantedLink.verify(token);
    assert.equal(reused.ok, false);
    assert.ok(reused.code >= 400 && reused.code < 500, `reused token: ${reused.code} ${JSON.stringify(reused.error)}`);

    const data = okData(await client.enchantedLink.waitForSession(started.pendingRef, WAIT), 'waitForSession');
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, data.user.userId);

    const unknown = await client.enchantedLink.verify('no-such-token');
    assert.equal(unknown.ok, false);
    assert.ok(unknown.error?.errorCode);
    const poll = await pollOnce(client, 'no-such-pending-ref');
    assert.equal(poll.ok, false);
    assert.ok(poll.code >= 400 && poll.code < 500, `unknown pendingRef: ${poll.code} ${JSON.stringify(poll.body)}`);
  });
});
