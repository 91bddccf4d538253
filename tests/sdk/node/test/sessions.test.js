// Session JWTs issued by the emulator, as @descope/node-sdk validates, refreshes and revokes them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  advanceClock,
  clientFor,
  createProject,
  decodeJwt,
  deleteProject,
  okData,
  outboxLatest,
  resetClock,
  signUpByEmailOtp,
  uniqueEmail,
} from '../lib/emulator.js';

describe('sessions', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('validates a session JWT with keys it fetched itself', async () => {
    const session = await signUpByEmailOtp(client, project);
    // A new client has no keys cached, so it must fetch /v2/keys/{projectId} itself.
    const fresh = clientFor(project);
    const info = await fresh.validateSession(session.sessionJwt);
    assert.equal(info.jwt, session.sessionJwt);
    assert.equal(info.token.sub, session.user.userId);
    // The SDK checks iss against the project and then normalises it to the project ID.
    assert.equal(info.token.iss, project.projectId);
  });

  it('verify returns both tokens, the user and cookie data', async () => {
    const session = await signUpByEmailOtp(client, project);
    assert.equal(session.sessionJwt.split('.').length, 3);
    assert.equal(session.refreshJwt.split('.').length, 3);
    assert.equal(session.firstSeen, true);
    assert.ok(session.user.loginIds.includes(session.loginId));
    assert.equal(session.user.email, session.loginId);
    assert.ok(Array.isArray(session.cookies), 'node-sdk adds cookies to verify responses');
    assert.ok(
      session.cookies.some((c) => c.startsWith('DSR=')),
      `no DSR cookie built from the response: ${JSON.stringify(session.cookies)}`,
    );
  });

  it('refreshSession gives a new valid session JWT', async () => {
    const session = await signUpByEmailOtp(client, project);
    const refreshed = await client.refreshSession(session.refreshJwt);
    assert.equal(refreshed.jwt.split('.').length, 3);
    assert.equal(refreshed.token.sub, session.user.userId);
    assert.equal(refreshed.token.drn, 'DS');
    const info = await client.validateSession(refreshed.jwt);
    assert.equal(info.token.sub, session.user.userId);
  });

  it('validateAndRefreshSession accepts a valid session', async () => {
    const session = await signUpByEmailOtp(client, project);
    const info = await client.validateAndRefreshSession(session.sessionJwt, session.refreshJwt);
    assert.equal(info.token.sub, session.user.userId);
  });

  it('me returns the user', async () => {
    const session = await signUpByEmailOtp(client, project);
    const me = okData(await client.me(session.refreshJwt), 'me');
    assert.equal(me.userId, session.user.userId);
    assert.ok(me.loginIds.includes(session.loginId));
  });

  it('after logout the refresh token no longer refreshes', async () => {
    const session = await signUpByEmailOtp(client, project);
    await client.refreshSession(session.refreshJwt); // works before logout
    okData(await client.logout(session.refreshJwt), 'logout');
    await assert.rejects(client.refreshSession(session.refreshJwt));
    const raw = await client.refresh(session.refreshJwt);
    assert.equal(raw.ok, false);
    assert.equal(raw.code, 401, `refresh after logout: ${JSON.stringify(raw.error)}`);
    assert.ok(raw.error?.errorCode, 'refresh after logout: no errorCode');
  });

  it("rejects a token of another project", async () => {
    const other = await createProject();
    try {
      const clientB = clientFor(other);
      const bSession = await signUpByEmailOtp(clientB, other);
      assert.equal((await clientB.validateSession(bSession.sessionJwt)).token.sub, bSession.user.userId);

      await assert.rejects(client.validateSession(bSession.sessionJwt));
      await assert.rejects(client.refreshSession(bSession.refreshJwt));

      const aSession = await signUpByEmailOtp(client, project);
      await assert.rejects(clientB.validateSession(aSession.sessionJwt));
    } finally {
      await deleteProject(other.projectId);
    }
  });

  it('validateAndRefreshSession refreshes an expired session', async () => {
    // As EMULATOR_API.md says: set the clock into the past, sign in, reset the clock.
    const probe = decodeJwt((await signUpByEmailOtp(client, project)).sessionJwt);
    const lifetime = probe.exp - probe.iat;
    let old;
    await advanceClock(-(lifetime + 120));
    try {
      old = await signUpByEmailOtp(client, project);
    } finally {
      await resetClock();
    }
    await assert.rejects(client.validateSession(old.sessionJwt), 'an expired session JWT validated');
    const info = await client.validateAndRefreshSession(old.sessionJwt, old.refreshJwt);
    assert.notEqual(info.jwt, old.sessionJwt);
    assert.equal(info.token.sub, old.user.userId);
    assert.equal((await client.validateSession(info.jwt)).token.sub, old.user.userId);
  });

  it('rejects a garbage token', async () => {
    await assert.rejects(client.validateSession('not-a-jwt'));
  });

  it('session and refresh JWTs carry drn, iss, roles and permissions', async () => {
    const session = await signUpByEmailOtp(client, project);
    const claims = decodeJwt(session.sessionJwt);
    const refreshClaims = decodeJwt(session.refreshJwt);
    assert.equal(claims.drn, 'DS');
    assert.equal(refreshClaims.drn, 'DSR');
    assert.ok(Array.isArray(claims.roles), `roles: ${JSON.stringify(claims.roles)}`);
    assert.ok(Array.isArray(claims.permissions), `permissions: ${JSON.stringify(claims.permissions)}`);
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('email'), `amr: ${JSON.stringify(claims.amr)}`);
    assert.equal(String(claims.iss).split('/').pop(), project.projectId);
    assert.equal(claims.sub, session.user.userId);
    assert.ok(Number.isInteger(claims.exp) && Number.isInteger(claims.iat) && claims.exp > claims.iat);
    const header = JSON.parse(Buffer.from(session.sessionJwt.split('.')[0], 'base64url').toString('utf8'));
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid, 'JWT header has no kid');
  });
  it('a user of exactly one tenant gets it as dct', async () => {
    const m = client.management;
    const one = okData(await m.tenant.create(`dct one ${uniqueEmail()}`), 'tenant.create').id;
    const two = okData(await m.tenant.create(`dct two ${uniqueEmail()}`), 'tenant.create').id;
    const single = uniqueEmail();
    const multi = uniqueEmail();
    const create = (loginId, tenants) =>
      m.user.create(loginId, { email: loginId, verifiedEmail: true, userTenants: tenants.map((tenantId) => ({ tenantId, roleNames: [] })) });
    okData(await create(single, [one]), 'user.create');
    okData(await create(multi, [one, two]), 'user.create');
    const signIn = async (loginId) => {
      okData(await client.otp.signIn.email(loginId), 'otp.signIn.email');
      return okData(await client.otp.verify.email(loginId, (await outboxLatest(project, loginId)).code), 'otp.verify.email');
    };

    const session = await signIn(single);
    assert.equal((await client.validateSession(session.sessionJwt)).token.dct, one);
    assert.equal((await client.refreshSession(session.refreshJwt)).token.dct, one);
    const several = await signIn(multi);
    assert.equal(decodeJwt(several.sessionJwt).dct, undefined, 'no tenant is chosen for a user of two');
    const selected = okData(await client.selectTenant(two, several.refreshJwt), 'selectTenant');
    assert.equal(decodeJwt(selected.sessionJwt).dct, two);
  });
});
