// NOTP (sign-in by approving a WhatsApp message) through @descope/node-sdk. The Python SDK
// 2.16.1 has no NOTP client. The emulator writes the WhatsApp message to the outbox (channel
// "whatsapp", kind "notp") with a `link` that approves the sign-in when fetched.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clientFor,
  createProject,
  deleteProject,
  okData,
  outboxLatest,
  uniquePhone,
} from '../lib/emulator.js';

const PENDING_SESSION = '/v1/auth/notp/pending-session';
const WAIT = { pollingIntervalMs: 1000, timeoutMs: 15_000 };

function checkStarted(data) {
  for (const field of ['pendingRef', 'redirectUrl', 'image']) {
    assert.ok(data[field], `NOTP start answered without ${field}: ${JSON.stringify(data)}`);
  }
  return data;
}

/** One poll, exactly as notp.waitForSession sends it. */
async function pollOnce(client, pendingRef) {
  const res = await client.httpClient.post(PENDING_SESSION, { pendingRef });
  return { ok: res.ok, code: res.status, body: await res.json() };
}

async function assertPending(client, pendingRef) {
  const res = await pollOnce(client, pendingRef);
  assert.equal(res.ok, false, `poll before approval: ${JSON.stringify(res.body)}`);
  assert.equal(res.code, 401, `poll before approval: ${res.code} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.errorCode, 'E066103');
}

/** The approval link of a NOTP outbox message, followed with a plain GET. */
async function approve(project, message) {
  assert.equal(message.channel, 'whatsapp', `not a WhatsApp message: ${JSON.stringify(message)}`);
  assert.equal(message.kind, 'notp', `not a NOTP message: ${JSON.stringify(message)}`);
  assert.ok(message.link, `NOTP message has no link: ${JSON.stringify(message)}`);
  const link = new URL(message.link);
  assert.equal(link.pathname, `/emulator/v1/projects/${project.projectId}/notp/approve`);
  assert.ok(link.searchParams.get('t'), `no t in ${message.link}`);
  const res = await fetch(message.link);
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${message.link} -> ${res.status} ${text}`);
  return text;
}

describe('notp', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('sign up, then sign in, approved through the outbox link', async () => {
    const phone = uniquePhone();

    const up = checkStarted(okData(await client.notp.signUp(phone, { name: 'Wanda App' }), 'notp.signUp'));
    const first = await outboxLatest(project, phone);
    assert.equal(first.to, phone);
    await assertPending(client, up.pendingRef);
    await approve(project, first);

    const signedUp = okData(await client.notp.waitForSession(up.pendingRef, WAIT), 'notp.waitForSession');
    assert.equal(signedUp.firstSeen, true);
    assert.equal(signedUp.user.name, 'Wanda App');
    const userId = signedUp.user.userId;
    const { token } = await client.validateSession(signedUp.sessionJwt);
    assert.equal(token.sub, userId);
    assert.ok(token.amr.includes('whatsapp'), `amr ${token.amr}`);

    // The session is handed out once.
    const again = await pollOnce(client, up.pendingRef);
    assert.equal(again.ok, false, `second poll: ${JSON.stringify(again.body)}`);
    assert.ok(again.code >= 400 && again.code < 500, `second poll: ${again.code} ${JSON.stringify(again.body)}`);

    const inRes = checkStarted(okData(await client.notp.signIn(phone), 'notp.signIn'));
    const second = await outboxLatest(project, phone, { newerThan: first });
    await assertPending(client, inRes.pendingRef);
    await approve(project, second);
    const signedIn = okData(await client.notp.waitForSession(inRes.pendingRef, WAIT), 'notp.waitForSession');
    assert.equal(signedIn.firstSeen, false);
    assert.equal(signedIn.user.userId, userId);
    const info = await clientFor(project).validateSession(signedIn.sessionJwt);
    assert.equal(info.token.sub, userId);
    assert.equal(info.token.drn, 'DS');
  });

  it('sign up or in', async () => {
    const phone = uniquePhone();
    const started = checkStarted(okData(await client.notp.signUpOrIn(phone), 'notp.signUpOrIn'));
    await assertPending(client, started.pendingRef);
    await approve(project, await outboxLatest(project, phone));
    const data = okData(await client.notp.waitForSession(started.pendingRef, WAIT), 'notp.waitForSession');
    assert.deepEqual(data.user.loginIds, [phone]);
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, data.user.userId);
  });

  it('an approval link works only once; a sign-in of an unknown number fails', async () => {
    const phone = uniquePhone();
    const started = checkStarted(okData(await client.notp.signUpOrIn(phone), 'notp.signUpOrIn'));
    const message = await outboxLatest(project, phone);
    await approve(project, message);
    const reused = await fetch(message.link);
    const body = await reused.json();
    assert.ok(reused.status >= 400 && reused.status < 500, `second approval: ${reused.status} ${JSON.stringify(body)}`);
    assert.ok(body.errorCode, `second approval: ${JSON.stringify(body)}`);

    const data = okData(await client.notp.waitForSession(started.pendingRef, WAIT), 'notp.waitForSession');
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, data.user.userId);

    const unknown = await client.notp.signIn(uniquePhone());
    assert.equal(unknown.ok, false);
    assert.ok(unknown.code >= 400 && unknown.code < 500, `unknown number: ${unknown.code} ${JSON.stringify(unknown.error)}`);
  });
});
