// Tools for test authors, as @descope/node-sdk sees them: fault rules, the request log, key
// rotation and forged tokens.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  EMULATOR_URL,
  advanceClock,
  clientFor,
  createProject,
  deleteProject,
  resetClock,
  signUpByEmailOtp,
  uniqueEmail,
} from '../lib/emulator.js';

async function emulator(method, path, body) {
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

describe('superpowers', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('answers a 429 fault as the SDK reports rate limits', async () => {
    await emulator('POST', `/emulator/v1/projects/${project.projectId}/faults`, {
      match: 'POST /v1/auth/otp/signup/email',
      status: 429,
      retryAfterSeconds: 4,
    });
    const res = await client.otp.signUp.email(uniqueEmail());
    assert.equal(res.ok, false);
    assert.equal(res.code, 429);
    assert.equal(res.error.errorCode, 'E130429');
    assert.equal(res.error.retryAfter, 4);
    // Used once: the next call goes through.
    assert.equal((await client.otp.signUp.email(uniqueEmail())).ok, true);
  });

  it('logs the SDK calls with secrets redacted', async () => {
    const session = await signUpByEmailOtp(client, project);
    const { requests } = await emulator('GET', `/emulator/v1/projects/${project.projectId}/requests?limit=20`);
    const verify = requests.find((r) => r.path === '/v1/auth/otp/verify/email');
    assert.ok(verify, JSON.stringify(requests.map((r) => r.path)));
    assert.equal(verify.requestBody.code, '[redacted]');
    assert.equal(verify.responseBody.sessionJwt, '[redacted]');
    assert.equal(verify.operationId, 'VerifyOtpEmail');
    assert.ok(!JSON.stringify(requests).includes(session.sessionJwt));
  });

  it('refuses a forged expired session and accepts a forged valid one', async () => {
    const session = await signUpByEmailOtp(client, project);
    const forge = async (body) =>
      (await emulator('POST', `/emulator/v1/projects/${project.projectId}/tokens`, { loginId: session.loginId, ...body })).jwt;
    const good = await forge({});
    assert.equal((await clientFor(project).validateSession(good)).token.sub, session.user.userId);
    await assert.rejects(clientFor(project).validateSession(await forge({ ttlSeconds: -120 })));
    await assert.rejects(clientFor(project).validateSession(await forge({ key: 'foreign' })));
    await assert.rejects(clientFor(project).validateSession(await forge({ alg: 'none' })));
  });

  it('stops validating a rotated-out key after the grace period', async () => {
    const session = await signUpByEmailOtp(client, project);
    await emulator('POST', `/emulator/v1/projects/${project.projectId}/keys/rotate`, { graceSeconds: 60 });
    assert.equal((await clientFor(project).validateSession(session.sessionJwt)).token.sub, session.user.userId);
    try {
      await advanceClock(61);
      await assert.rejects(clientFor(project).validateSession(session.sessionJwt));
    } finally {
      await resetClock();
    }
  });
});
