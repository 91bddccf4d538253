// Management calls of @descope/node-sdk: keys, users and test users.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  EMULATOR_URL,
  MAGIC_LINK_URI,
  clientFor,
  createProject,
  deleteProject,
  okData,
  uniqueEmail,
} from '../lib/emulator.js';

describe('management', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('a wrong management key gives 401 with an errorCode', async () => {
    const bad = clientFor(project, { managementKey: 'K2wrongManagementKey0000000000' });
    const res = await bad.management.user.load(uniqueEmail());
    assert.equal(res.ok, false);
    assert.equal(res.code, 401, `wrong management key: ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode, '401 without an errorCode');
  });

  it('the default project of the fixtures accepts its management key', async () => {
    const fixture = { projectId: 'P2EMULATORDEFAULTPROJECT0001', managementKey: 'K2emulatorDefaultManagementKey0001' };
    const res = await clientFor(fixture).management.user.load(uniqueEmail());
    assert.equal(res.ok, false, 'an unknown user loaded');
    assert.notEqual(res.code, 401, `the fixture management key was refused: ${JSON.stringify(res.error)}`);
  });

  it('answers the license handshake', async () => {
    const res = await fetch(`${EMULATOR_URL}/v1/mgmt/license`, {
      headers: { authorization: `Bearer ${project.projectId}:${project.managementKey}` },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.match(String(body.rateLimitTier), /^tier[1-4]$/);
  });

  it('loading an unknown user fails', async () => {
    const res = await client.management.user.load(uniqueEmail());
    assert.equal(res.ok, false);
    assert.ok(res.code >= 400 && res.code < 500, `unknown user load: ${res.code} ${JSON.stringify(res.error)}`);
    assert.ok(res.error?.errorCode);
  });

  it('creates, loads and deletes a user', async () => {
    const loginId = uniqueEmail();
    const created = okData(
      await client.management.user.create(loginId, {
        email: loginId,
        displayName: 'Ann Lee',
        givenName: 'Ann',
        familyName: 'Lee',
        verifiedEmail: true,
      }),
      'user.create',
    );
    assert.ok(created.loginIds.includes(loginId));
    assert.equal(created.email, loginId);
    assert.equal(created.name, 'Ann Lee');
    assert.equal(created.test, false);
    assert.ok(created.userId);

    const loaded = okData(await client.management.user.load(loginId), 'user.load');
    assert.equal(loaded.userId, created.userId);
    assert.equal(loaded.givenName, 'Ann');
    assert.equal(loaded.familyName, 'Lee');
    assert.ok(Array.isArray(loaded.roleNames));
    assert.ok(Array.isArray(loaded.userTenants));
    assert.equal(okData(await client.management.user.loadByUserId(created.userId), 'loadByUserId').userId, created.userId);

    okData(await client.management.user.delete(loginId), 'user.delete');
    const gone = await client.management.user.load(loginId);
    assert.equal(gone.ok, false, 'a deleted user still loads');
  });

  it('creates a test user and signs it in with a generated OTP', async () => {
    const loginId = uniqueEmail();
    const user = okData(await client.management.user.createTestUser(loginId, { email: loginId }), 'createTestUser');
    assert.equal(user.test, true);

    const generated = okData(
      await client.management.user.generateOTPForTestUser('email', loginId),
      'generateOTPForTestUser',
    );
    assert.equal(generated.loginId, loginId);
    assert.ok(generated.code);

    const data = okData(await client.otp.verify.email(loginId, generated.code), 'otp.verify.email');
    assert.equal(data.user.userId, user.userId);
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, user.userId);
  });

  it('signs a test user in with a generated magic link', async () => {
    const loginId = uniqueEmail();
    const user = okData(await client.management.user.createTestUser(loginId, { email: loginId }), 'createTestUser');
    const generated = okData(
      await client.management.user.generateMagicLinkForTestUser('email', loginId, MAGIC_LINK_URI),
      'generateMagicLinkForTestUser',
    );
    assert.equal(generated.loginId, loginId);
    const token = new URL(generated.link).searchParams.get('t');
    assert.ok(token, `no t parameter in ${generated.link}`);
    const data = okData(await client.magicLink.verify(token), 'magicLink.verify');
    assert.equal(data.user.userId, user.userId);
  });

  it('generating an OTP for a user that is not a test user fails', async () => {
    const loginId = uniqueEmail();
    okData(await client.management.user.create(loginId, { email: loginId }), 'user.create');
    const res = await client.management.user.generateOTPForTestUser('email', loginId);
    assert.equal(res.ok, false);
    assert.ok(res.code >= 400 && res.code < 500, `non-test user: ${res.code} ${JSON.stringify(res.error)}`);
  });
});
