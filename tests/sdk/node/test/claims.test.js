// End-to-end authorization claims: grants made through the management API, a real OTP sign-in,
// and @descope/node-sdk's own helpers (validateRoles / validatePermissions /
// validateTenantRoles / validateTenantPermissions / getMatched*) judging the session
// (issue 4, group 7).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { createUser, signInByEmailOtp, uid } from '../lib/mgmt.js';

describe('authorization claims', () => {
  let project;
  let client;
  let w; // the world of the current test

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  // Permissions, roles built on them, two tenants (and one the user is not in), and a user signed
  // in by OTP holding viewer (project), editor in tenant one and tadmin in tenant two.
  beforeEach(async () => {
    const m = client.management;
    w = {};
    for (const k of ['pRead', 'pWrite', 'pAdmin', 'pOther', 'viewer', 'editor', 'tadmin', 'other']) w[k] = `${k}-${uid()}`;
    for (const p of ['pRead', 'pWrite', 'pAdmin', 'pOther']) okData(await m.permission.create(w[p], p), 'permission.create');
    okData(await m.role.create(w.viewer, '', [w.pRead]), 'role.create');
    okData(await m.role.create(w.editor, '', [w.pRead, w.pWrite]), 'role.create');
    okData(await m.role.create(w.tadmin, '', [w.pAdmin]), 'role.create');
    okData(await m.role.create(w.other, '', [w.pOther]), 'role.create');
    w.t1 = okData(await m.tenant.create(`claims-one ${uid()}`), 'tenant.create').id;
    w.t2 = okData(await m.tenant.create(`claims-two ${uid()}`), 'tenant.create').id;
    w.tNone = okData(await m.tenant.create(`claims-none ${uid()}`), 'tenant.create').id;
    w.loginId = uniqueEmail();
    w.userId = (
      await createUser(client, w.loginId, {
        roles: [w.viewer],
        userTenants: [
          { tenantId: w.t1, roleNames: [w.editor] },
          { tenantId: w.t2, roleNames: [w.tadmin] },
        ],
      })
    ).userId;
    w.session = await signInByEmailOtp(client, project, w.loginId);
  });

  function assertInitialGrants(info) {
    // Project level.
    assert.ok(client.validateRoles(info, [w.viewer]));
    assert.ok(!client.validateRoles(info, [w.editor]), 'a tenant role leaked to the project level');
    assert.ok(!client.validateRoles(info, [w.viewer, w.other]));
    assert.ok(client.validatePermissions(info, [w.pRead]));
    assert.ok(!client.validatePermissions(info, [w.pWrite]));
    assert.ok(!client.validatePermissions(info, [w.pOther]));
    assert.deepEqual(client.getMatchedRoles(info, [w.viewer, w.editor, w.other]), [w.viewer]);
    assert.deepEqual(client.getMatchedPermissions(info, [w.pRead, w.pWrite]), [w.pRead]);

    // Tenant one: editor.
    assert.ok(client.validateTenantRoles(info, w.t1, [w.editor]));
    assert.ok(!client.validateTenantRoles(info, w.t1, [w.tadmin]));
    assert.ok(!client.validateTenantRoles(info, w.t1, [w.viewer]), 'a project role leaked into a tenant');
    assert.ok(client.validateTenantPermissions(info, w.t1, [w.pRead, w.pWrite]));
    assert.ok(!client.validateTenantPermissions(info, w.t1, [w.pAdmin]));
    assert.deepEqual(client.getMatchedTenantPermissions(info, w.t1, [w.pWrite, w.pAdmin]), [w.pWrite]);

    // Tenant two: tadmin.
    assert.ok(client.validateTenantRoles(info, w.t2, [w.tadmin]));
    assert.ok(client.validateTenantPermissions(info, w.t2, [w.pAdmin]));
    assert.ok(!client.validateTenantPermissions(info, w.t2, [w.pWrite]));
    assert.deepEqual(client.getMatchedTenantRoles(info, w.t2, [w.editor, w.tadmin]), [w.tadmin]);

    // A tenant the user is not in, even with nothing asked.
    assert.ok(!client.validateTenantRoles(info, w.tNone, []));
    assert.ok(!client.validateTenantPermissions(info, w.tNone, [w.pRead]));
    assert.deepEqual(client.getMatchedTenantRoles(info, w.tNone, [w.editor]), []);
  }

  it('the verified session carries the grants', async () => {
    const info = await clientFor(project).validateSession(w.session.sessionJwt);
    assert.equal(info.token.sub, w.userId);
    assert.deepEqual(info.token.roles, [w.viewer]);
    assert.deepEqual(new Set(Object.keys(info.token.tenants)), new Set([w.t1, w.t2]));
    assertInitialGrants(info);
  });

  it('the refreshed session carries the grants', async () => {
    assertInitialGrants(await client.refreshSession(w.session.refreshJwt));
  });

  it('selectTenant sets dct and the tenant helpers still work', async () => {
    const selected = okData(await client.selectTenant(w.t1, w.session.refreshJwt), 'selectTenant');
    const info = await client.validateSession(selected.sessionJwt);
    assert.equal(info.token.dct, w.t1, `no dct after selectTenant: ${JSON.stringify(info.token)}`);
    assertInitialGrants(info);

    assert.ok(selected.refreshJwt, 'selectTenant returned no refresh JWT');
    const refreshed = await client.refreshSession(selected.refreshJwt);
    assert.equal(refreshed.token.dct, w.t1, 'the selection survives a refresh');
    assert.ok(client.validateTenantRoles(refreshed, w.t1, [w.editor]));

    const other = okData(await client.selectTenant(w.t2, selected.refreshJwt), 'selectTenant');
    const otherInfo = await client.validateSession(other.sessionJwt);
    assert.equal(otherInfo.token.dct, w.t2);
    assert.ok(client.validateTenantPermissions(otherInfo, w.t2, [w.pAdmin]));
  });

  it('selecting a tenant the user is not in fails', async () => {
    const res = await client.selectTenant(w.tNone, w.session.refreshJwt);
    assert.equal(res.ok, false, 'selected a tenant the user is not in');
    assert.ok(res.code >= 400 && res.code < 500, `select foreign tenant: ${res.code}`);
  });

  it('role changes reach the refreshed session', async () => {
    const u = client.management.user;
    okData(await u.removeRoles(w.loginId, [w.viewer]), 'removeRoles');
    okData(await u.addRoles(w.loginId, [w.other]), 'addRoles');
    okData(await u.addTenantRoles(w.loginId, w.t1, [w.tadmin]), 'addTenantRoles');
    okData(await u.removeTenant(w.loginId, w.t2), 'removeTenant');
    okData(await u.addTenant(w.loginId, w.tNone), 'addTenant');
    okData(await u.addTenantRoles(w.loginId, w.tNone, [w.viewer]), 'addTenantRoles');

    // The session JWT already issued is unchanged ...
    assert.ok(client.validateRoles(await client.validateSession(w.session.sessionJwt), [w.viewer]));
    // ... the refreshed one has the new grants.
    const info = await client.refreshSession(w.session.refreshJwt);
    assert.ok(client.validateRoles(info, [w.other]));
    assert.ok(!client.validateRoles(info, [w.viewer]));
    assert.ok(client.validatePermissions(info, [w.pOther]));
    assert.ok(!client.validatePermissions(info, [w.pRead]));
    assert.ok(client.validateTenantRoles(info, w.t1, [w.editor, w.tadmin]));
    assert.ok(client.validateTenantPermissions(info, w.t1, [w.pWrite, w.pAdmin]));
    assert.ok(!client.validateTenantRoles(info, w.t2, []));
    assert.equal(info.token.tenants?.[w.t2], undefined);
    assert.ok(client.validateTenantRoles(info, w.tNone, [w.viewer]));
    assert.ok(client.validateTenantPermissions(info, w.tNone, [w.pRead]));
  });

  it('deleting a tenant reaches the refreshed session', async () => {
    okData(await client.management.tenant.delete(w.t2), 'tenant.delete');
    const info = await client.refreshSession(w.session.refreshJwt);
    assert.equal(info.token.tenants?.[w.t2], undefined);
    assert.ok(!client.validateTenantRoles(info, w.t2, [w.tadmin]));
    assert.ok(client.validateTenantRoles(info, w.t1, [w.editor]));
  });

  it('a tenant-scoped role shows in the tenant claims only', async () => {
    const m = client.management;
    const perm = `pScoped-${uid()}`;
    okData(await m.permission.create(perm), 'permission.create');
    const { id: tenantId } = okData(await m.tenant.create(`scoped ${uid()}`), 'tenant.create');
    const role = `scoped-${uid()}`;
    okData(await m.role.create(role, '', [perm], tenantId), 'role.create in tenant');
    const loginId = uniqueEmail();
    await createUser(client, loginId, { userTenants: [{ tenantId, roleNames: [role] }] });
    const session = await signInByEmailOtp(client, project, loginId);
    const info = await client.validateSession(session.sessionJwt);
    assert.ok(client.validateTenantRoles(info, tenantId, [role]));
    assert.ok(client.validateTenantPermissions(info, tenantId, [perm]));
    assert.ok(!client.validateRoles(info, [role]));
    assert.ok(!client.validatePermissions(info, [perm]));
  });

  it("a change of a role's permissions reaches the refreshed session", async () => {
    okData(await client.management.role.update(w.viewer, w.viewer, '', [w.pRead, w.pOther]), 'role.update');
    const info = await client.refreshSession(w.session.refreshJwt);
    assert.ok(client.validatePermissions(info, [w.pRead, w.pOther]));
  });
});
