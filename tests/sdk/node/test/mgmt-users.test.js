// User management through @descope/node-sdk's management.user client (issue 4, group 1).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, outboxLatest, uniqueEmail, uniquePhone } from '../lib/emulator.js';
import { assertClientError, createUser, signInByEmailOtp, uid } from '../lib/mgmt.js';

const PASSWORD = 'Sdk-Node-Passw0rd!x';

const tenantEntry = (user, tenantId) => user.userTenants.find((t) => t.tenantId === tenantId);
const sorted = (a) => [...a].sort();

describe('management: users', () => {
  let project;
  let client;
  let user; // management.user
  const attrs = { department: `dept${uid()}`, level: `level${uid()}`, vip: `vip${uid()}` };

  // Two fresh project roles and a fresh tenant.
  async function grants() {
    const roleA = `role-a-${uid()}`;
    const roleB = `role-b-${uid()}`;
    okData(await client.management.role.create(roleA, 'first'), 'role.create');
    okData(await client.management.role.create(roleB, 'second'), 'role.create');
    const tenantName = `tenant-${uid()}`;
    const tenantId = okData(await client.management.tenant.create(tenantName), 'tenant.create').id;
    return { roleA, roleB, tenantId, tenantName };
  }

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    user = client.management.user;
    okData(
      await user.createCustomAttributes([
        { name: attrs.department, displayName: 'Department', type: 1 },
        { name: attrs.level, displayName: 'Level', type: 2 },
        { name: attrs.vip, displayName: 'VIP', type: 3 },
      ]),
      'createCustomAttributes',
    );
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates a user with roles, tenants and custom attributes', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    const phone = uniquePhone();
    const created = okData(
      await user.create(loginId, {
        email: loginId,
        phone,
        displayName: 'Rita Roles',
        givenName: 'Rita',
        middleName: 'R',
        familyName: 'Roles',
        roles: [g.roleA],
        userTenants: [{ tenantId: g.tenantId, roleNames: [g.roleB] }],
        picture: 'https://example.com/rita.png',
        customAttributes: { [attrs.department]: 'eng', [attrs.level]: 3, [attrs.vip]: true },
        verifiedEmail: true,
        verifiedPhone: true,
      }),
      'user.create',
    );
    assert.ok(created.userId);
    assert.deepEqual(created.loginIds, [loginId]);
    assert.equal(created.email, loginId);
    assert.equal(created.verifiedEmail, true);
    assert.equal(created.phone, phone);
    assert.equal(created.verifiedPhone, true);
    assert.equal(created.name, 'Rita Roles');
    assert.deepEqual([created.givenName, created.middleName, created.familyName], ['Rita', 'R', 'Roles']);
    assert.equal(created.picture, 'https://example.com/rita.png');
    assert.deepEqual(created.roleNames, [g.roleA]);
    const entry = tenantEntry(created, g.tenantId);
    assert.ok(entry, `tenant missing from userTenants: ${JSON.stringify(created.userTenants)}`);
    assert.deepEqual(entry.roleNames, [g.roleB]);
    assert.equal(entry.tenantName, g.tenantName);
    assert.deepEqual(created.customAttributes, { [attrs.department]: 'eng', [attrs.level]: 3, [attrs.vip]: true });
    assert.equal(created.test, false);
    assert.ok(Number.isInteger(created.createdTime) && created.createdTime > 1_600_000_000);
  });

  it('creating a user with an unknown role fails', async () => {
    const res = await user.create(uniqueEmail(), { roles: [`no-such-role-${uid()}`] });
    assertClientError(res, 'create with an unknown role');
  });

  it('creating a user in an unknown tenant fails', async () => {
    const res = await user.create(uniqueEmail(), { userTenants: [{ tenantId: `T-no-such-${uid()}`, roleNames: [] }] });
    assertClientError(res, 'create in an unknown tenant');
  });

  it('patching in an unknown role fails and changes nothing', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    await createUser(client, loginId, { roles: [g.roleA] });
    assertClientError(await user.patch(loginId, { roles: [`no-such-role-${uid()}`] }), 'patch unknown role');
    assert.deepEqual(okData(await user.load(loginId), 'load').roleNames, [g.roleA], 'a refused patch changed the user');
  });

  it('creating a user with a taken login ID fails', async () => {
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    assertClientError(await user.create(loginId, { email: loginId }), 'duplicate create');
  });

  it('creates a test user', async () => {
    const loginId = uniqueEmail();
    const created = okData(await user.createTestUser(loginId, { email: loginId, displayName: 'Tess Test' }), 'createTestUser');
    assert.equal(created.test, true);
    assert.equal(created.name, 'Tess Test');
    assert.equal(okData(await user.load(loginId), 'load').test, true);
  });

  it('loads by login ID, by user ID and in a batch', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    const created = await createUser(client, loginId, { displayName: 'Lou Load', roles: [g.roleA] });
    const byLogin = okData(await user.load(loginId), 'load');
    const byId = okData(await user.loadByUserId(created.userId), 'loadByUserId');
    assert.deepEqual(byLogin, byId);
    assert.equal(byLogin.name, 'Lou Load');
    assert.deepEqual(byLogin.roleNames, [g.roleA]);
    assert.equal(okData(await user.load(created.userId), 'load by user ID').userId, created.userId);
    const batch = okData(await user.loadUsers([created.userId]), 'loadUsers');
    assert.deepEqual(
      batch.map((u) => u.userId),
      [created.userId],
    );
  });

  it('update replaces the whole user', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    await createUser(client, loginId, {
      displayName: 'Old Name',
      givenName: 'Old',
      roles: [g.roleA],
      customAttributes: { [attrs.department]: 'eng' },
    });
    const updated = okData(
      await user.update(loginId, {
        email: loginId,
        displayName: 'New Name',
        roles: [g.roleB],
        customAttributes: { [attrs.level]: 7 },
      }),
      'user.update',
    );
    assert.equal(updated.name, 'New Name');
    assert.equal(updated.givenName, '', 'update must clear fields it was not given');
    assert.deepEqual(updated.roleNames, [g.roleB]);
    assert.deepEqual(updated.customAttributes, { [attrs.level]: 7 });
    assert.equal(okData(await user.load(loginId), 'load').name, 'New Name');
  });

  it('patch changes only the given fields', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    await createUser(client, loginId, {
      displayName: 'Pat Patch',
      givenName: 'Pat',
      familyName: 'Patch',
      roles: [g.roleA],
      customAttributes: { [attrs.department]: 'eng' },
    });
    let patched = okData(
      await user.patch(loginId, { displayName: 'Pat Patched', customAttributes: { [attrs.vip]: true } }),
      'user.patch',
    );
    assert.equal(patched.name, 'Pat Patched');
    assert.equal(patched.givenName, 'Pat');
    assert.equal(patched.familyName, 'Patch');
    assert.deepEqual(patched.roleNames, [g.roleA]);
    assert.equal(patched.customAttributes[attrs.vip], true);

    const phone = uniquePhone();
    patched = okData(
      await user.patch(loginId, {
        phone,
        roles: [g.roleB],
        userTenants: [{ tenantId: g.tenantId, roleNames: [g.roleA] }],
        status: 'disabled',
      }),
      'user.patch',
    );
    assert.equal(patched.phone, phone);
    assert.deepEqual(patched.roleNames, [g.roleB]);
    assert.deepEqual(tenantEntry(patched, g.tenantId)?.roleNames, [g.roleA]);
    assert.equal(patched.status, 'disabled');
    assert.equal(patched.name, 'Pat Patched');
  });

  it('updates single fields: email, phone, names, picture, custom attribute, status, login ID', async () => {
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId);

    const newEmail = uniqueEmail();
    let u = okData(await user.updateEmail(loginId, newEmail, true), 'updateEmail');
    assert.equal(u.email, newEmail);
    assert.equal(u.verifiedEmail, true);

    const phone = uniquePhone();
    u = okData(await user.updatePhone(loginId, phone, false), 'updatePhone');
    assert.equal(u.phone, phone);
    assert.equal(u.verifiedPhone, false);

    u = okData(await user.updateDisplayName(loginId, 'Dee Splay', 'Dee', 'M', 'Splay'), 'updateDisplayName');
    assert.deepEqual([u.name, u.givenName, u.middleName, u.familyName], ['Dee Splay', 'Dee', 'M', 'Splay']);

    u = okData(await user.updatePicture(loginId, 'https://example.com/p.png'), 'updatePicture');
    assert.equal(u.picture, 'https://example.com/p.png');

    u = okData(await user.updateCustomAttribute(loginId, attrs.department, 'sales'), 'updateCustomAttribute');
    assert.equal(u.customAttributes[attrs.department], 'sales');
    u = okData(await user.updateCustomAttribute(loginId, attrs.level, 42), 'updateCustomAttribute');
    assert.equal(u.customAttributes[attrs.level], 42);
    assert.equal(u.customAttributes[attrs.department], 'sales');

    u = okData(await user.deactivate(loginId), 'deactivate');
    assert.equal(u.status, 'disabled');
    u = okData(await user.activate(loginId), 'activate');
    assert.equal(u.status, 'enabled');

    const newLoginId = uniqueEmail();
    u = okData(await user.updateLoginId(loginId, newLoginId), 'updateLoginId');
    assert.ok(u.loginIds.includes(newLoginId) && !u.loginIds.includes(loginId), JSON.stringify(u.loginIds));
    assert.equal(okData(await user.load(newLoginId), 'load new login ID').userId, userId);
    assert.equal((await user.load(loginId)).ok, false, 'the old login ID still loads');
  });

  it('adds and removes project roles', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    let u = okData(await user.addRoles(loginId, [g.roleA, g.roleB]), 'addRoles');
    assert.deepEqual(sorted(u.roleNames), sorted([g.roleA, g.roleB]));
    u = okData(await user.removeRoles(loginId, [g.roleA]), 'removeRoles');
    assert.deepEqual(u.roleNames, [g.roleB]);
    u = okData(await user.setRoles(loginId, [g.roleA]), 'setRoles');
    assert.deepEqual(u.roleNames, [g.roleA]);
    assert.deepEqual(okData(await user.load(loginId), 'load').roleNames, [g.roleA]);
  });

  it('adds and removes a tenant and tenant roles', async () => {
    const g = await grants();
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    let u = okData(await user.addTenant(loginId, g.tenantId), 'addTenant');
    assert.deepEqual(tenantEntry(u, g.tenantId)?.roleNames, []);
    assert.equal(tenantEntry(u, g.tenantId)?.tenantName, g.tenantName);
    u = okData(await user.addTenantRoles(loginId, g.tenantId, [g.roleA, g.roleB]), 'addTenantRoles');
    assert.deepEqual(sorted(tenantEntry(u, g.tenantId).roleNames), sorted([g.roleA, g.roleB]));
    assert.deepEqual(u.roleNames, [], 'tenant roles must not become project roles');
    u = okData(await user.removeTenantRoles(loginId, g.tenantId, [g.roleA]), 'removeTenantRoles');
    assert.deepEqual(tenantEntry(u, g.tenantId).roleNames, [g.roleB]);
    u = okData(await user.setTenantRoles(loginId, g.tenantId, [g.roleA]), 'setTenantRoles');
    assert.deepEqual(tenantEntry(u, g.tenantId).roleNames, [g.roleA]);
    u = okData(await user.removeTenant(loginId, g.tenantId), 'removeTenant');
    assert.equal(tenantEntry(u, g.tenantId), undefined);
  });

  it('adding an unknown tenant fails', async () => {
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    assertClientError(await user.addTenant(loginId, `T-no-such-${uid()}`), 'addTenant unknown');
  });

  it('searches with filters, test users and pages', async () => {
    const g = await grants();
    const marker = `srch${uid()}`;
    const ids = [0, 1, 2].map((i) => `sdk-node-${marker}-${i}@example.com`);
    const u0 = await createUser(client, ids[0], { userTenants: [{ tenantId: g.tenantId, roleNames: [g.roleB] }] });
    const u1 = await createUser(client, ids[1], { roles: [g.roleA], customAttributes: { [attrs.department]: marker } });
    const u2 = await createUser(client, ids[2], { roles: [g.roleA] });
    okData(await user.deactivate(ids[2]), 'deactivate');
    const testLogin = `sdk-node-${marker}-test@example.com`;
    const tu = okData(await user.createTestUser(testLogin, { email: testLogin }), 'createTestUser');
    const idSet = (users) => new Set(users.map((u) => u.userId));

    // searchAll (positional arguments)
    assert.deepEqual(idSet(okData(await user.searchAll([g.tenantId]), 'searchAll tenant')), new Set([u0.userId]));
    assert.deepEqual(idSet(okData(await user.searchAll([], [g.roleA]), 'searchAll role')), new Set([u1.userId, u2.userId]));
    assert.deepEqual(
      idSet(okData(await user.searchAll(undefined, undefined, 0, 0, false, false, undefined, undefined, [ids[1]]), 'emails')),
      new Set([u1.userId]),
    );

    // search (request object, returns total)
    let res = okData(await user.search({ text: marker }), 'search text');
    assert.deepEqual(idSet(res.users), new Set([u0.userId, u1.userId, u2.userId]), 'test users are hidden by default');
    assert.equal(res.total, 3);
    res = okData(await user.search({ text: marker, statuses: ['disabled'] }), 'search statuses');
    assert.deepEqual(idSet(res.users), new Set([u2.userId]));
    res = okData(await user.search({ loginIds: [ids[0]] }), 'search loginIds');
    assert.deepEqual(idSet(res.users), new Set([u0.userId]));
    res = okData(await user.search({ userIds: [u2.userId] }), 'search userIds');
    assert.deepEqual(idSet(res.users), new Set([u2.userId]));
    res = okData(await user.search({ customAttributes: { [attrs.department]: marker } }), 'search customAttributes');
    assert.deepEqual(idSet(res.users), new Set([u1.userId]));
    assert.deepEqual(
      idSet(okData(await user.searchAll(undefined, undefined, 0, 0, false, false, { [attrs.department]: marker }), 'searchAll')),
      new Set([u1.userId]),
    );
    res = okData(await user.search({ text: marker, withTestUser: true }), 'search withTestUser');
    assert.deepEqual(idSet(res.users), new Set([u0.userId, u1.userId, u2.userId, tu.userId]));
    res = okData(await user.searchTestUsers({ text: marker }), 'searchTestUsers');
    assert.deepEqual(idSet(res.users), new Set([tu.userId]));

    const desc = okData(await user.search({ text: marker, sort: [{ field: 'email', desc: true }] }), 'sort desc');
    assert.deepEqual(
      desc.users.map((u) => u.userId),
      [u2.userId, u1.userId, u0.userId],
      'sort by email, descending',
    );
    const asc = okData(await user.search({ text: marker, sort: [{ field: 'email' }] }), 'sort asc');
    assert.deepEqual(
      asc.users.map((u) => u.userId),
      [u0.userId, u1.userId, u2.userId],
      'sort by email, ascending',
    );

    const page0 = okData(await user.search({ text: marker, limit: 2, page: 0 }), 'page 0');
    const page1 = okData(await user.search({ text: marker, limit: 2, page: 1 }), 'page 1');
    assert.equal(page0.users.length, 2);
    assert.equal(page1.users.length, 1);
    assert.equal(page0.total, 3, 'total counts all matches, not the page');
    assert.deepEqual(idSet([...page0.users, ...page1.users]), new Set([u0.userId, u1.userId, u2.userId]));
    assert.deepEqual(okData(await user.search({ text: marker, limit: 2, page: 5 }), 'page 5').users, []);
  });

  it('deletes by login ID and by user ID', async () => {
    const a = uniqueEmail();
    const b = uniqueEmail();
    await createUser(client, a);
    const { userId: bId } = await createUser(client, b);
    okData(await user.delete(a), 'delete');
    okData(await user.deleteByUserId(bId), 'deleteByUserId');
    assertClientError(await user.load(a), 'load deleted a');
    assertClientError(await user.load(b), 'load deleted b');
    okData(await user.delete(a), 'deleting a deleted user');
  });

  it('deletes all test users and only them', async () => {
    const regular = uniqueEmail();
    await createUser(client, regular);
    const tests = [uniqueEmail(), uniqueEmail()];
    for (const t of tests) okData(await user.createTestUser(t, { email: t }), 'createTestUser');
    okData(await user.deleteAllTestUsers(), 'deleteAllTestUsers');
    for (const t of tests) assert.equal((await user.load(t)).ok, false, `test user ${t} survived`);
    assert.deepEqual(okData(await user.load(regular), 'load regular').loginIds, [regular]);
    assert.deepEqual(okData(await user.searchTestUsers({}), 'searchTestUsers').users, []);
  });

  it('sets a temporary and then an active password', async () => {
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    okData(await user.setTemporaryPassword(loginId, PASSWORD), 'setTemporaryPassword');
    assert.equal(okData(await user.load(loginId), 'load').password, true);
    const refused = await client.password.signIn(loginId, PASSWORD);
    assert.equal(refused.ok, false, 'sign-in with a temporary password worked');
    assert.ok(refused.code >= 400 && refused.code < 500, `temporary password: ${refused.code}`);

    okData(await user.setActivePassword(loginId, PASSWORD), 'setActivePassword');
    const data = okData(await client.password.signIn(loginId, PASSWORD), 'password.signIn');
    assert.deepEqual(data.user.loginIds, [loginId]);
    assert.ok(await client.validateSession(data.sessionJwt));
  });

  it('logoutUser revokes the refresh tokens', async () => {
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    const first = await signInByEmailOtp(client, project, loginId);
    await client.refreshSession(first.refreshJwt);
    okData(await user.logoutUser(loginId), 'logoutUser');
    await assert.rejects(client.refreshSession(first.refreshJwt), 'refresh after logoutUser');

    const second = await signInByEmailOtp(client, project, loginId);
    okData(await user.logoutUserByUserId(second.user.userId), 'logoutUserByUserId');
    await assert.rejects(client.refreshSession(second.refreshJwt), 'refresh after logoutUserByUserId');
  });

  it('a disabled or deleted user cannot refresh or sign in', async () => {
    const loginId = uniqueEmail();
    await createUser(client, loginId);
    let session = await signInByEmailOtp(client, project, loginId);
    okData(await user.deactivate(loginId), 'deactivate');
    await assert.rejects(client.refreshSession(session.refreshJwt), 'refresh of a disabled user');
    assert.equal((await client.otp.signIn.email(loginId)).ok, false, 'a disabled user started an OTP sign-in');

    okData(await user.activate(loginId), 'activate');
    session = await signInByEmailOtp(client, project, loginId);
    okData(await user.delete(loginId), 'delete');
    await assert.rejects(client.refreshSession(session.refreshJwt), 'refresh of a deleted user');
  });

  it('returns the sign-in history', async () => {
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId);
    assert.deepEqual(okData(await user.history([userId]), 'history'), []);
    await signInByEmailOtp(client, project, loginId);
    await signInByEmailOtp(client, project, loginId);
    const history = okData(await user.history([userId]), 'history');
    assert.ok(Array.isArray(history));
    assert.equal(history.length, 2, JSON.stringify(history));
    for (const h of history) {
      assert.equal(h.userId, userId);
      assert.ok(Number.isInteger(h.loginTime) && h.loginTime > 1_600_000_000, JSON.stringify(h));
    }
  });

  it('manages custom attribute definitions and checks values against them', async () => {
    const names = new Set(okData(await user.getCustomAttributes(), 'getCustomAttributes').map((a) => a.name));
    for (const n of Object.values(attrs)) assert.ok(names.has(n), `declared attribute ${n} missing`);
    const declared = okData(await user.getCustomAttributes(), 'getCustomAttributes').find((a) => a.name === attrs.level);
    assert.equal(declared.type, 2);
    assert.equal(declared.displayName, 'Level');

    const extra = `extra${uid()}`;
    const afterCreate = okData(await user.createCustomAttributes([{ name: extra, type: 1, displayName: 'Extra' }]), 'create');
    assert.ok(afterCreate.some((a) => a.name === extra));
    const afterDelete = okData(await user.deleteCustomAttributes([extra]), 'delete');
    assert.ok(!afterDelete.some((a) => a.name === extra));

    const loginId = uniqueEmail();
    await createUser(client, loginId);
    assertClientError(await user.updateCustomAttribute(loginId, `undeclared${uid()}`, 'x'), 'undeclared attribute');
    assertClientError(await user.updateCustomAttribute(loginId, attrs.level, 'not a number'), 'wrong attribute type');
  });
  it('invite sends an invitation to the outbox', async () => {
    const loginId = uniqueEmail();
    const invited = okData(
      await user.invite(loginId, { email: loginId, inviteUrl: 'https://app.example.com/accept', sendMail: true }),
      'user.invite',
    );
    assert.equal(invited.status, 'invited');
    const message = await outboxLatest(project, loginId);
    assert.equal(message.kind, 'invite', JSON.stringify(message));
    assert.equal(message.channel, 'email');
    assert.equal(message.to, loginId);
    assert.equal(message.link, 'https://app.example.com/accept');
    assert.match(message.subject, /invited/i);

    const phone = uniquePhone();
    okData(await user.invite(phone, { phone, sendMail: false, sendSMS: true }), 'user.invite by SMS');
    const sms = await outboxLatest(project, phone);
    assert.deepEqual([sms.kind, sms.channel, sms.to], ['invite', 'sms', phone]);

    const logins = [uniqueEmail(), uniqueEmail()];
    const batch = okData(
      await user.inviteBatch(logins.map((l) => ({ loginId: l, email: l })), 'https://app.example.com/b', true),
      'user.inviteBatch',
    );
    assert.equal(batch.createdUsers.length, 2);
    for (const l of logins) {
      const m = await outboxLatest(project, l);
      assert.deepEqual([m.kind, m.link], ['invite', 'https://app.example.com/b']);
    }
  });
});
