// JWT templates (issue 17) through @descope/node-sdk's management.jwtTemplate client, and
// their claims in session JWTs that validateSession accepts: a user of a tenant with custom
// attributes, and an access-key exchange.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, createUser, signInByEmailOtp, uid } from '../lib/mgmt.js';

describe('management: JWT templates', () => {
  let project;
  let client;
  let jwtTemplate; // management.jwtTemplate
  const world = {};

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    jwtTemplate = client.management.jwtTemplate;
    okData(await client.management.user.createCustomAttributes([{ name: 'plan', type: 1, displayName: 'Plan' }]), 'createCustomAttributes');
    world.tenantName = `Acme ${uid()}`;
    world.tenantId = okData(await client.management.tenant.create(world.tenantName, [], { tier: 'gold' }), 'tenant.create').id;
    world.role = `editor-${uid()}`;
    okData(await client.management.role.create(world.role, '', [], world.tenantId), 'role.create');
    world.loginId = uniqueEmail();
    await createUser(client, world.loginId, {
      displayName: 'Ada',
      userTenants: [{ tenantId: world.tenantId, roleNames: [world.role] }],
      customAttributes: { plan: 'pro' },
    });
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates, loads, lists, updates, validates and deletes', async () => {
    const created = okData(await jwtTemplate.create({ name: `t-${uid()}`, template: { app: 'demo' } }), 'create');
    assert.match(created.id, /^JT/);
    assert.equal(created.type, 'user');
    assert.deepEqual(created.template, { app: 'demo' });
    assert.deepEqual(okData(await jwtTemplate.load(created.id), 'load'), created);
    assert.ok(okData(await jwtTemplate.list(), 'list').some((t) => t.id === created.id));
    const updated = okData(await jwtTemplate.update({ ...created, description: 'changed' }), 'update');
    assert.equal(updated.description, 'changed');
    assert.deepEqual(okData(await jwtTemplate.validate(created.id), 'validate'), { valid: true, issues: [] });
    const bad = okData(await jwtTemplate.validate(created.id, { name: 'x', template: { exp: 1 } }), 'validate bad');
    assert.equal(bad.valid, false);
    assert.equal(bad.issues[0].code, 'RESERVED_CLAIM_KEY');
    assert.equal(bad.issues[0].path, 'template.exp');
    okData(await jwtTemplate.delete(created.id), 'delete');
    assertClientError(await jwtTemplate.load(created.id), 'load deleted');
  });

  it('refuses a template referencing an unknown attribute and stores nothing', async () => {
    const name = `bad-${uid()}`;
    const res = await jwtTemplate.create({ name, template: { x: '{{user.customAttributes.shoeSize}}' } });
    assertClientError(res, 'create bad');
    assert.match(res.error.errorMessage, /shoeSize/);
    assert.ok(!okData(await jwtTemplate.list(), 'list').some((t) => t.name === name));
  });

  it('lists, loads and applies library entries', async () => {
    const entries = okData(await jwtTemplate.listLibrary(), 'listLibrary');
    assert.ok(entries.some((e) => e.id === 'hasura'));
    const entry = okData(await jwtTemplate.loadLibraryEntry('hasura'), 'loadLibraryEntry');
    assert.equal(entry.name, 'Hasura');
    const applied = okData(
      await jwtTemplate.applyFromLibrary({ libraryEntryId: 'hasura', nameOverride: `hasura-${uid()}` }),
      'applyFromLibrary',
    );
    assert.equal(applied.source, 'hasura');
    assert.ok(applied.template['https://hasura.io/jwt/claims']);
    assertClientError(await jwtTemplate.loadLibraryEntry('nope'), 'loadLibraryEntry unknown');
    okData(await jwtTemplate.delete(applied.id), 'delete');
  });

  it("the project's user template shapes session JWTs that validateSession accepts", async () => {
    const t = okData(
      await jwtTemplate.create({
        name: `app-${uid()}`,
        isDefault: true,
        template: {
          email: '{{user.email}}',
          plan: '{{user.customAttributes.plan}}',
          org: '{{tenant.name}}',
          tier: '{{tenant.customAttributes.tier}}',
          hasura: { 'x-hasura-user-id': '{{user.userId}}', 'x-hasura-allowed-roles': ['user'] },
        },
      }),
      'create default',
    );
    try {
      const data = await signInByEmailOtp(client, project, world.loginId);
      const info = await clientFor(project).validateSession(data.sessionJwt);
      const c = info.token;
      assert.equal(c.email, world.loginId);
      assert.equal(c.plan, 'pro');
      assert.equal(c.org, world.tenantName);
      assert.equal(c.tier, 'gold');
      assert.equal(c.hasura['x-hasura-user-id'], c.sub);
      assert.deepEqual(c.tenants[world.tenantId].roles, [world.role]);
      assert.ok(client.validateTenantRoles(info, world.tenantId, [world.role]));
    } finally {
      okData(await jwtTemplate.delete(t.id), 'delete');
    }
    const data = await signInByEmailOtp(client, project, world.loginId);
    assert.equal((await client.validateSession(data.sessionJwt)).token.plan, undefined);
  });

  it("the project's key template shapes access-key session JWTs", async () => {
    const name = `ci-${uid()}`;
    const created = okData(
      await client.management.accessKey.create(name, 0, [], [{ tenantId: world.tenantId, roleNames: [] }], undefined, undefined, undefined, undefined, { team: 'infra' }),
      'accessKey.create',
    );
    const t = okData(
      await jwtTemplate.create({
        name: `keys-${uid()}`,
        type: 'key',
        isDefault: true,
        authSchema: 'none',
        template: { keyName: '{{accessKey.name}}', team: '{{accessKey.customAttributes.team}}', org: '{{tenant.name}}' },
      }),
      'create key template',
    );
    try {
      const info = await clientFor(project).exchangeAccessKey(created.cleartext, { selectedTenant: world.tenantId });
      const c = (await client.validateSession(info.jwt)).token;
      assert.equal(c.sub, created.key.id);
      assert.equal(c.keyName, name);
      assert.equal(c.team, 'infra');
      assert.equal(c.org, world.tenantName);
      assert.equal(c.tenants, undefined, 'authSchema none leaves out the authorization claims');
    } finally {
      okData(await jwtTemplate.delete(t.id), 'delete');
    }
  });
});
