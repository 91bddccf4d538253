// Roles and permissions through @descope/node-sdk's management.role / management.permission
// clients (issue 4, group 3).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, decodeJwt, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, createUser, signInByEmailOtp, uid } from '../lib/mgmt.js';

describe('management: roles and permissions', () => {
  let project;
  let client;
  let role;
  let permission;

  const rolesByName = async () => new Map(okData(await role.loadAll(), 'role.loadAll').map((r) => [r.name, r]));
  const permissionsByName = async () =>
    new Map(okData(await permission.loadAll(), 'permission.loadAll').map((p) => [p.name, p]));

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    role = client.management.role;
    permission = client.management.permission;
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates, renames and deletes a permission', async () => {
    const name = `perm-${uid()}`;
    okData(await permission.create(name, 'reads things'), 'permission.create');
    let perms = await permissionsByName();
    assert.ok(perms.has(name), 'created permission missing from loadAll');
    assert.equal(perms.get(name).description, 'reads things');
    assert.equal(perms.get(name).systemDefault, false);

    const newName = `perm-renamed-${uid()}`;
    okData(await permission.update(name, newName, 'reads more'), 'permission.update');
    perms = await permissionsByName();
    assert.ok(!perms.has(name));
    assert.equal(perms.get(newName)?.description, 'reads more');

    okData(await permission.delete(newName), 'permission.delete');
    assert.ok(!(await permissionsByName()).has(newName));
  });

  it('creating a duplicate permission fails', async () => {
    const name = `perm-dup-${uid()}`;
    okData(await permission.create(name), 'permission.create');
    assertClientError(await permission.create(name), 'duplicate permission');
  });

  it('creates, renames and deletes a role', async () => {
    const p1 = `perm-${uid()}`;
    const p2 = `perm-${uid()}`;
    okData(await permission.create(p1), 'permission.create');
    okData(await permission.create(p2), 'permission.create');
    const name = `role-${uid()}`;
    okData(await role.create(name, 'a role', [p1]), 'role.create');
    const created = (await rolesByName()).get(name);
    assert.ok(created, 'created role missing from loadAll');
    assert.equal(created.description, 'a role');
    assert.deepEqual(created.permissionNames, [p1]);
    assert.ok(created.id);

    const newName = `role-renamed-${uid()}`;
    okData(await role.update(name, newName, 'renamed', [p1, p2]), 'role.update');
    const roles = await rolesByName();
    assert.ok(!roles.has(name));
    assert.equal(roles.get(newName)?.description, 'renamed');
    assert.deepEqual([...roles.get(newName).permissionNames].sort(), [p1, p2].sort());
    assert.equal(roles.get(newName).id, created.id, 'a rename must keep the role ID');

    okData(await role.delete(newName), 'role.delete');
    assert.ok(!(await rolesByName()).has(newName));
  });

  it('creating a role with an unknown permission fails', async () => {
    assertClientError(await role.create(`role-${uid()}`, '', [`no-such-perm-${uid()}`]), 'unknown permission');
  });

  it('renaming and deleting a permission reaches the roles holding it', async () => {
    const perm = `perm-${uid()}`;
    okData(await permission.create(perm), 'permission.create');
    const name = `role-${uid()}`;
    okData(await role.create(name, '', [perm]), 'role.create');
    const renamed = `perm-renamed-${uid()}`;
    okData(await permission.update(perm, renamed), 'permission.update');
    assert.deepEqual((await rolesByName()).get(name).permissionNames, [renamed]);
    okData(await permission.delete(renamed), 'permission.delete');
    assert.deepEqual((await rolesByName()).get(name).permissionNames, []);
  });

  it('searches roles', async () => {
    const marker = uid();
    const perm = `perm-${marker}`;
    okData(await permission.create(perm), 'permission.create');
    const r1 = `role-${marker}-one`;
    const r2 = `role-${marker}-two`;
    okData(await role.create(r1, '', [perm]), 'role.create');
    okData(await role.create(r2), 'role.create');
    const { id: tenantId } = okData(await client.management.tenant.create(`roles-tenant ${marker}`), 'tenant.create');
    const r3 = `role-${marker}-tenant`;
    okData(await role.create(r3, '', [], tenantId), 'role.create in tenant');
    const names = async (options) => new Set(okData(await role.search(options), 'role.search').map((r) => r.name));

    assert.deepEqual(await names({ roleNames: [r1] }), new Set([r1]));
    const like = await names({ roleNameLike: marker.toUpperCase() });
    assert.ok(like.has(r1) && like.has(r2), 'roleNameLike ignores case');
    assert.deepEqual(await names({ permissionNames: [perm] }), new Set([r1]));
    assert.deepEqual(await names({ tenantIds: [tenantId] }), new Set([r3]));
    const [tenantRole] = okData(await role.search({ tenantIds: [tenantId] }), 'role.search');
    assert.equal(tenantRole.tenantId, tenantId);
    const withProject = await names({ tenantIds: [tenantId], includeProjectRoles: true });
    for (const r of [r1, r2, r3]) assert.ok(withProject.has(r), `${r} missing with includeProjectRoles`);

    okData(await role.delete(r3, tenantId), 'role.delete in tenant');
    assert.deepEqual(await names({ tenantIds: [tenantId] }), new Set());
  });

  it("a role rename shows in the user's next session JWT", async () => {
    const perm = `perm-${uid()}`;
    okData(await permission.create(perm), 'permission.create');
    const name = `role-${uid()}`;
    okData(await role.create(name, '', [perm]), 'role.create');
    const loginId = uniqueEmail();
    await createUser(client, loginId, { roles: [name] });

    const session = await signInByEmailOtp(client, project, loginId);
    const info = await client.validateSession(session.sessionJwt);
    assert.ok(client.validateRoles(info, [name]));
    assert.ok(client.validatePermissions(info, [perm]));

    const renamed = `role-renamed-${uid()}`;
    okData(await role.update(name, renamed, '', [perm]), 'role.update');
    assert.deepEqual(okData(await client.management.user.load(loginId), 'user.load').roleNames, [renamed]);

    const refreshed = await client.refreshSession(session.refreshJwt);
    assert.deepEqual(refreshed.token.roles, [renamed]);
    assert.deepEqual(decodeJwt(refreshed.jwt).roles, [renamed]);
    assert.ok(client.validateRoles(refreshed, [renamed]));
    assert.ok(!client.validateRoles(refreshed, [name]));
    assert.ok(client.validatePermissions(refreshed, [perm]));

    okData(await role.delete(renamed), 'role.delete');
    assert.deepEqual(okData(await client.management.user.load(loginId), 'user.load').roleNames, []);
    const again = await client.refreshSession(session.refreshJwt);
    assert.deepEqual(again.token.roles, []);
    assert.ok(!client.validatePermissions(again, [perm]));
  });
  it('lists the built-in permissions and the Tenant Admin role, and grants them in a tenant', async () => {
    const builtins = ['Impersonate', 'User Admin', 'SSO Admin'];
    const perms = await permissionsByName();
    for (const name of builtins) {
      assert.ok(perms.has(name), `built-in permission ${name} missing from loadAll`);
      assert.equal(perms.get(name).systemDefault, true, JSON.stringify(perms.get(name)));
    }
    const admin = (await rolesByName()).get('Tenant Admin');
    assert.ok(admin, 'built-in role Tenant Admin missing from loadAll');
    assert.deepEqual([...admin.permissionNames].sort(), [...builtins].sort());

    const support = `support-${uid()}`;
    okData(await role.create(support, '', ['Impersonate']), 'role.create with Impersonate');
    assert.deepEqual((await rolesByName()).get(support).permissionNames, ['Impersonate']);
    assertClientError(await permission.delete('User Admin'), 'deleting a built-in permission');

    const tenantId = okData(await client.management.tenant.create(`admins ${uid()}`), 'tenant.create').id;
    const loginId = uniqueEmail();
    await createUser(client, loginId, { userTenants: [{ tenantId, roleNames: ['Tenant Admin'] }] });
    const info = await client.validateSession((await signInByEmailOtp(client, project, loginId)).sessionJwt);
    assert.ok(client.validateTenantRoles(info, tenantId, ['Tenant Admin']));
    assert.ok(client.validateTenantPermissions(info, tenantId, builtins));
    assert.ok(!client.validatePermissions(info, ['Impersonate']), 'not a project-level grant');
  });
});
