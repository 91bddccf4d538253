// Access keys through @descope/node-sdk's management.accessKey client and exchangeAccessKey
// (issue 4, group 4).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  advanceClock,
  clientFor,
  createProject,
  deleteProject,
  okData,
  resetClock,
  uniqueEmail,
} from '../lib/emulator.js';
import { assertClientError, createUser, uid } from '../lib/mgmt.js';

describe('management: access keys', () => {
  let project;
  let client;
  let accessKey; // management.accessKey

  async function grants() {
    const permA = `perm-a-${uid()}`;
    const permT = `perm-t-${uid()}`;
    okData(await client.management.permission.create(permA), 'permission.create');
    okData(await client.management.permission.create(permT), 'permission.create');
    const roleA = `role-a-${uid()}`;
    const roleT = `role-t-${uid()}`;
    okData(await client.management.role.create(roleA, '', [permA]), 'role.create');
    okData(await client.management.role.create(roleT, '', [permT]), 'role.create');
    const { id: tenantId } = okData(await client.management.tenant.create(`keys ${uid()}`), 'tenant.create');
    return { permA, permT, roleA, roleT, tenantId };
  }

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    accessKey = client.management.accessKey;
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates and loads a key with roles, tenants and an expiry', async () => {
    const g = await grants();
    const expire = Math.floor(Date.now() / 1000) + 3600;
    const name = `key-${uid()}`;
    const created = okData(
      await accessKey.create(
        name,
        expire,
        [g.roleA],
        [{ tenantId: g.tenantId, roleNames: [g.roleT] }],
        undefined,
        { team: 'blue' },
        'ci key',
        ['127.0.0.1'],
      ),
      'accessKey.create',
    );
    assert.ok(created.cleartext && !created.cleartext.includes(':'));
    const { key } = created;
    assert.ok(key.id);
    assert.equal(key.name, name);
    assert.deepEqual(key.roleNames, [g.roleA]);
    assert.equal(key.keyTenants.length, 1);
    assert.equal(key.keyTenants[0].tenantId, g.tenantId);
    assert.deepEqual(key.keyTenants[0].roleNames, [g.roleT]);
    assert.equal(key.status, 'active');
    assert.equal(key.expireTime, expire);
    assert.equal(key.description, 'ci key');
    assert.deepEqual(key.permittedIps, ['127.0.0.1']);
    assert.deepEqual(key.customClaims, { team: 'blue' });

    const loaded = okData(await accessKey.load(key.id), 'accessKey.load');
    assert.equal(loaded.id, key.id);
    assert.equal(loaded.name, name);
    assert.equal(loaded.expireTime, expire);
    assert.deepEqual(loaded.roleNames, [g.roleA]);
    assert.equal(loaded.cleartext, undefined);
  });

  it('loading an unknown key fails', async () => {
    assertClientError(await accessKey.load(`K-missing-${uid()}`), 'load unknown key');
  });

  it('searches keys by tenant and bound user', async () => {
    const g = await grants();
    const withTenant = okData(
      await accessKey.create(`key-t-${uid()}`, 0, undefined, [{ tenantId: g.tenantId, roleNames: [g.roleT] }]),
      'create',
    ).key.id;
    const loginId = uniqueEmail();
    const { userId } = await createUser(client, loginId);
    const bound = okData(await accessKey.create(`key-u-${uid()}`, 0, undefined, undefined, userId), 'create').key;
    assert.equal(bound.boundUserId, userId);

    const ids = (keys) => new Set(keys.map((k) => k.id));
    const all = ids(okData(await accessKey.searchAll(), 'searchAll'));
    assert.ok(all.has(withTenant) && all.has(bound.id));
    assert.deepEqual(ids(okData(await accessKey.searchAll([g.tenantId]), 'searchAll tenant')), new Set([withTenant]));
    assert.deepEqual(ids(okData(await accessKey.searchAll(undefined, userId), 'searchAll user')), new Set([bound.id]));
  });

  it('updates a key', async () => {
    const { id } = okData(await accessKey.create(`key-${uid()}`, 0, undefined, undefined, undefined, undefined, 'original'), 'create').key;
    const newName = `key-renamed-${uid()}`;
    const res = await accessKey.update(id, newName);
    assert.equal(res.ok, true, `accessKey.update: ${res.code} ${JSON.stringify(res.error)}`);
    let loaded = okData(await accessKey.load(id), 'load');
    assert.equal(loaded.name, newName);
    assert.equal(loaded.description, 'original', 'an update without a description keeps it');
    okData(await accessKey.update(id, newName, 'changed'), 'accessKey.update');
    loaded = okData(await accessKey.load(id), 'load');
    assert.equal(loaded.description, 'changed');
  });

  it('exchangeAccessKey gives a JWT that the SDK validates, with the grants', async () => {
    const g = await grants();
    const created = okData(
      await accessKey.create(`key-${uid()}`, 0, [g.roleA], [{ tenantId: g.tenantId, roleNames: [g.roleT] }], undefined, {
        team: 'blue',
      }),
      'create',
    );
    // A fresh client has to fetch the keys to validate the JWT.
    const info = await clientFor(project).exchangeAccessKey(created.cleartext);
    assert.equal(info.token.sub, created.key.id);
    assert.equal(info.token.iss, project.projectId);
    assert.equal(info.token.team, 'blue', "the key's custom claims are top-level");
    assert.equal((await client.validateSession(info.jwt)).token.sub, created.key.id);

    assert.ok(client.validateRoles(info, [g.roleA]));
    assert.ok(client.validatePermissions(info, [g.permA]));
    assert.ok(!client.validateRoles(info, [g.roleT]));
    assert.ok(!client.validatePermissions(info, [g.permT]));
    assert.ok(client.validateTenantRoles(info, g.tenantId, [g.roleT]));
    assert.ok(client.validateTenantPermissions(info, g.tenantId, [g.permT]));
    assert.ok(!client.validateTenantRoles(info, g.tenantId, [g.roleA]));

    const raw = okData(await client.accessKey.exchange(created.cleartext), 'accessKey.exchange');
    assert.equal(raw.keyId, created.key.id);
    assert.ok(Number.isInteger(raw.expiration) && raw.expiration > Date.now() / 1000);
  });

  it('exchange with login options puts claims under nsec and selects the tenant', async () => {
    const g = await grants();
    const { cleartext } = okData(
      await accessKey.create(`key-${uid()}`, 0, undefined, [{ tenantId: g.tenantId, roleNames: [g.roleT] }]),
      'create',
    );
    const info = await client.exchangeAccessKey(cleartext, { customClaims: { k1: 'v1' }, selectedTenant: g.tenantId });
    assert.deepEqual(info.token.nsec, { k1: 'v1' });
    assert.equal(info.token.dct, g.tenantId);
    assert.ok(client.validateTenantRoles(info, g.tenantId, [g.roleT]));
  });

  it('a deactivated key cannot be exchanged until activated; a deleted key never', async () => {
    const { key, cleartext } = okData(await accessKey.create(`key-${uid()}`, 0), 'create');
    await client.exchangeAccessKey(cleartext);

    okData(await accessKey.deactivate(key.id), 'deactivate');
    assert.equal(okData(await accessKey.load(key.id), 'load').status, 'inactive');
    await assert.rejects(client.exchangeAccessKey(cleartext), 'exchange of a deactivated key');
    const raw = await client.accessKey.exchange(cleartext);
    assert.equal(raw.ok, false);
    assert.ok([400, 401, 403].includes(raw.code), `deactivated key exchange: ${raw.code}`);

    okData(await accessKey.activate(key.id), 'activate');
    assert.equal(okData(await accessKey.load(key.id), 'load').status, 'active');
    assert.equal((await client.exchangeAccessKey(cleartext)).token.sub, key.id);

    okData(await accessKey.delete(key.id), 'delete');
    assertClientError(await accessKey.load(key.id), 'load deleted key');
    await assert.rejects(client.exchangeAccessKey(cleartext), 'exchange of a deleted key');
  });

  it('a wrong key cannot be exchanged', async () => {
    await assert.rejects(client.exchangeAccessKey(`K${uid()}notakey`));
  });

  it('an expired key cannot be exchanged', async () => {
    const { cleartext } = okData(await accessKey.create(`key-${uid()}`, Math.floor(Date.now() / 1000) + 60), 'create');
    try {
      await advanceClock(3600);
      const raw = await client.accessKey.exchange(cleartext);
      assert.equal(raw.ok, false, 'an expired key was exchanged');
      assert.ok([400, 401, 403].includes(raw.code), `expired key exchange: ${raw.code}`);
    } finally {
      await resetClock();
    }
  });
});
