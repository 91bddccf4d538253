// Audit trail and JWT management through @descope/node-sdk's management.audit and
// management.jwt clients (issue 4, groups 5 and 6).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, createUser, signInByEmailOtp, uid } from '../lib/mgmt.js';

const IMPERSONATE = 'Impersonate';

describe('management: audit and JWT', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  // ------------------------------------------------------------------ audit

  it('audit search finds a sign-in', async () => {
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId);
    const before = Date.now() - 60_000;
    await signInByEmailOtp(client, project, loginId);

    const audits = okData(
      await client.management.audit.search({ loginIds: [loginId], actions: ['LoginSucceed'] }),
      'audit.search',
    );
    assert.ok(audits.length >= 1, 'no LoginSucceed audit for the sign-in');
    const [record] = audits;
    assert.equal(record.action, 'LoginSucceed');
    assert.equal(record.userId, userId);
    assert.ok(record.loginIds.includes(loginId), JSON.stringify(record));
    assert.equal(record.projectId, project.projectId);
    assert.ok(typeof record.occurred === 'number' && Math.abs(record.occurred - Date.now()) < 300_000, `occurred ${record.occurred}`);

    const byUser = okData(await client.management.audit.search({ userIds: [userId], actions: ['LoginSucceed'] }), 'by user');
    assert.deepEqual(new Set(byUser.map((a) => a.userId)), new Set([userId]));
    assert.ok(okData(await client.management.audit.search({ userIds: [userId], from: before }), 'from').length >= 1);
    assert.deepEqual(okData(await client.management.audit.search({ userIds: [userId], from: Date.now() + 3_600_000 }), 'future'), []);

    const all = okData(await client.management.audit.searchAll({ userIds: [userId], actions: ['LoginSucceed'] }), 'searchAll');
    assert.equal(all.total, all.audits.length);
    assert.ok(all.total >= 1);
  });

  it('audit search of nobody is empty', async () => {
    assert.deepEqual(okData(await client.management.audit.search({ loginIds: [uniqueEmail()] }), 'audit.search'), []);
  });

  it('creates an audit event', async () => {
    const { id: tenantId } = okData(await client.management.tenant.create(`audit ${uid()}`), 'tenant.create');
    const { userId } = await createUser(client, uniqueEmail());
    const action = `sdk-node-action-${uid()}`;
    okData(
      await client.management.audit.createEvent({ action, type: 'info', actorId: 'sdk-node-actor', tenantId, userId, data: { k: 'v' } }),
      'audit.createEvent',
    );
    const audits = okData(await client.management.audit.search({ actions: [action] }), 'audit.search');
    assert.equal(audits.length, 1, JSON.stringify(audits));
    assert.equal(audits[0].action, action);
    assert.equal(audits[0].userId, userId);
    assert.deepEqual(audits[0].tenants, [tenantId]);
    assert.equal(audits[0].data?.k, 'v');
    assert.ok(okData(await client.management.audit.search({ actions: [action], tenants: [tenantId] }), 'by tenant').length === 1);
  });

  it('an audit event with a bad type fails', async () => {
    const { id: tenantId } = okData(await client.management.tenant.create(`audit ${uid()}`), 'tenant.create');
    assertClientError(
      await client.management.audit.createEvent({ action: 'x', type: 'nonsense', actorId: 'a', tenantId }),
      'bad audit type',
    );
  });

  // ------------------------------------------------------------------ JWT

  it('jwt.update merges custom claims and the result still validates', async () => {
    const role = `role-${uid()}`;
    okData(await client.management.role.create(role), 'role.create');
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId, { roles: [role] });
    const session = await signInByEmailOtp(client, project, loginId);
    const original = await client.validateSession(session.sessionJwt);

    const { jwt } = okData(await client.management.jwt.update(session.sessionJwt, { app: 'sdk', level: 3 }), 'jwt.update');
    assert.ok(jwt && jwt !== session.sessionJwt);
    const updated = await client.validateSession(jwt);
    assert.equal(updated.token.sub, userId);
    assert.equal(updated.token.app, 'sdk');
    assert.equal(updated.token.level, 3);
    assert.deepEqual(updated.token.roles, [role], 'jwt.update must keep the authorization claims');
    assert.ok(client.validateRoles(updated, [role]));
    assert.equal(updated.token.iss, original.token.iss);

    const again = await client.validateSession(okData(await client.management.jwt.update(jwt, { more: true }), 'jwt.update').jwt);
    assert.equal(again.token.more, true);
    assert.equal(again.token.app, 'sdk', 'claims of the given JWT are kept');

    const reserved = await client.validateSession(
      okData(await client.management.jwt.update(session.sessionJwt, { sub: 'U-forged', x: 1 }), 'jwt.update').jwt,
    );
    assert.equal(reserved.token.sub, userId, 'system claims must be filtered out');
    assert.equal(reserved.token.x, 1);
  });

  it('jwt.update refuses a bad JWT', async () => {
    assertClientError(await client.management.jwt.update('not.a.jwt', { a: 1 }), 'jwt.update bad jwt');
  });

  it('impersonates a user', async () => {
    // Impersonate is a built-in permission of every project; the impersonator gets it by a role.
    const perms = okData(await client.management.permission.loadAll(), 'permission.loadAll');
    assert.ok(perms.some((p) => p.name === IMPERSONATE && p.systemDefault), JSON.stringify(perms));
    const role = `support-${uid()}`;
    okData(await client.management.role.create(role, '', [IMPERSONATE]), 'role.create');
    const supportLogin = uniqueEmail();
    const support = await createUser(client, supportLogin, { roles: [role] });
    const targetLogin = uniqueEmail();
    const target = await createUser(client, targetLogin);

    const { jwt } = okData(
      await client.management.jwt.impersonate(supportLogin, targetLogin, false, { why: 'ticket' }),
      'jwt.impersonate',
    );
    const refreshed = await client.refreshSession(jwt);
    assert.equal(refreshed.token.sub, target.userId);
    assert.equal(refreshed.token.act?.sub, support.userId, `no act.sub of the impersonator: ${JSON.stringify(refreshed.token)}`);
  });

  it('a Tenant Admin impersonates users of the tenant only', async () => {
    const tenantId = okData(await client.management.tenant.create(`acme ${uid()}`), 'tenant.create').id;
    const otherId = okData(await client.management.tenant.create(`beta ${uid()}`), 'tenant.create').id;
    const adminLogin = uniqueEmail();
    await createUser(client, adminLogin, { userTenants: [{ tenantId, roleNames: ['Tenant Admin'] }] });
    const memberLogin = uniqueEmail();
    const member = await createUser(client, memberLogin, { userTenants: [{ tenantId, roleNames: [] }] });
    const outsiderLogin = uniqueEmail();
    await createUser(client, outsiderLogin, { userTenants: [{ tenantId: otherId, roleNames: [] }] });

    const { jwt } = okData(await client.management.jwt.impersonate(adminLogin, memberLogin, false, {}, tenantId), 'impersonate');
    const refreshed = await client.refreshSession(jwt);
    assert.equal(refreshed.token.sub, member.userId);
    assert.equal(refreshed.token.dct, tenantId);
    const refused = await client.management.jwt.impersonate(adminLogin, outsiderLogin, false);
    assertClientError(refused, 'impersonating outside the tenant');
    assert.equal(refused.code, 403);
    assert.equal(refused.error.errorCode, 'E112104');
  });

  it('impersonation without the permission fails', async () => {
    const supportLogin = uniqueEmail();
    await createUser(client, supportLogin);
    const targetLogin = uniqueEmail();
    await createUser(client, targetLogin);
    assertClientError(await client.management.jwt.impersonate(supportLogin, targetLogin, false), 'impersonate without permission');
  });

  it('jwt.signIn issues tokens the SDK validates', async () => {
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId);
    const data = okData(await client.management.jwt.signIn(loginId, { customClaims: { src: 'mgmt' } }), 'jwt.signIn');
    assert.equal((await client.validateSession(data.sessionJwt)).token.sub, userId);
    assert.equal((await client.refreshSession(data.refreshJwt)).token.sub, userId);
  });
});
