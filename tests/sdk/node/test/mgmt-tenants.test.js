// Tenant management through @descope/node-sdk's management.tenant client (issue 4, group 2).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, createUser, uid } from '../lib/mgmt.js';

describe('management: tenants', () => {
  let project;
  let client;
  let tenant; // management.tenant

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    tenant = client.management.tenant;
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates a tenant without an ID and loads it flat', async () => {
    const name = `Acme ${uid()}`;
    const domain = `${uid()}.example.com`;
    const { id } = okData(await tenant.create(name, [domain], { tier: 'gold' }), 'tenant.create');
    assert.ok(typeof id === 'string' && id);
    const loaded = okData(await tenant.load(id), 'tenant.load');
    // Node returns the body unchanged, so the tenant must be flat.
    assert.equal(loaded.tenant, undefined, `load returned a wrapped tenant: ${JSON.stringify(loaded)}`);
    assert.equal(loaded.id, id);
    assert.equal(loaded.name, name);
    assert.deepEqual(loaded.selfProvisioningDomains, [domain]);
    assert.deepEqual(loaded.customAttributes, { tier: 'gold' });
    assert.ok(Number.isInteger(loaded.createdTime) && loaded.createdTime > 1_600_000_000);
  });

  it('creates a tenant with a given ID', async () => {
    const id = `T-node-${uid()}`;
    const name = `Globex ${uid()}`;
    okData(await tenant.createWithId(id, name), 'tenant.createWithId');
    const loaded = okData(await tenant.load(id), 'tenant.load');
    assert.equal(loaded.id, id);
    assert.equal(loaded.name, name);
    assert.deepEqual(loaded.selfProvisioningDomains, []);
  });

  it('creating a tenant with a taken ID fails', async () => {
    const id = `T-dup-${uid()}`;
    okData(await tenant.createWithId(id, `first ${uid()}`), 'createWithId');
    assertClientError(await tenant.createWithId(id, `second ${uid()}`), 'duplicate tenant ID');
  });

  it('loading an unknown tenant fails', async () => {
    assertClientError(await tenant.load(`T-missing-${uid()}`), 'load unknown tenant');
  });

  it('loads all tenants', async () => {
    const { id: a } = okData(await tenant.create(`all-a ${uid()}`), 'create');
    const b = `T-all-${uid()}`;
    okData(await tenant.createWithId(b, `all-b ${uid()}`), 'createWithId');
    const all = okData(await tenant.loadAll(), 'loadAll');
    const ids = new Set(all.map((t) => t.id));
    assert.ok(ids.has(a) && ids.has(b));
    for (const t of all) assert.ok(Array.isArray(t.selfProvisioningDomains));
  });

  it('update replaces the tenant', async () => {
    const { id } = okData(await tenant.create(`before ${uid()}`, [`${uid()}.example.com`], { a: 1 }), 'create');
    const newName = `after ${uid()}`;
    const newDomain = `${uid()}.example.org`;
    okData(await tenant.update(id, newName, [newDomain], { b: 'x' }), 'tenant.update');
    let loaded = okData(await tenant.load(id), 'load');
    assert.equal(loaded.name, newName);
    assert.deepEqual(loaded.selfProvisioningDomains, [newDomain]);
    assert.deepEqual(loaded.customAttributes, { b: 'x' });

    okData(await tenant.update(id, newName), 'tenant.update');
    loaded = okData(await tenant.load(id), 'load');
    assert.deepEqual(loaded.selfProvisioningDomains, [], 'update must clear the domains it was not given');
  });

  it('updating an unknown tenant fails', async () => {
    assertClientError(await tenant.update(`T-missing-${uid()}`, 'nobody'), 'update unknown');
  });

  it('searches by IDs, names, domains and custom attributes', async () => {
    const marker = uid();
    const nameA = `search-a ${marker}`;
    const nameB = `search-b ${marker}`;
    const domainA = `${marker}.example.com`;
    const { id: a } = okData(await tenant.create(nameA, [domainA], { m: marker }), 'create a');
    const { id: b } = okData(await tenant.create(nameB), 'create b');
    const ids = async (...args) => new Set(okData(await tenant.searchAll(...args), 'searchAll').map((t) => t.id));

    assert.deepEqual(await ids([a, b]), new Set([a, b]));
    assert.deepEqual(await ids([a]), new Set([a]));
    assert.deepEqual(await ids(undefined, [nameB]), new Set([b]));
    assert.deepEqual(await ids(undefined, undefined, [domainA]), new Set([a]));
    assert.deepEqual(await ids(undefined, undefined, undefined, { m: marker }), new Set([a]));
    const everything = await ids();
    assert.ok(everything.has(a) && everything.has(b));
    const [found] = okData(await tenant.searchAll([a]), 'searchAll');
    assert.equal(found.name, nameA);
    assert.deepEqual(found.selfProvisioningDomains, [domainA]);
  });

  it('delete without cascade keeps the users but drops the membership', async () => {
    const { id } = okData(await tenant.create(`del ${uid()}`), 'create');
    const loginId = uniqueEmail();
    await createUser(client, loginId, { userTenants: [{ tenantId: id, roleNames: [] }] });
    okData(await tenant.delete(id), 'tenant.delete');
    assertClientError(await tenant.load(id), 'load deleted tenant');
    const u = okData(await client.management.user.load(loginId), 'user.load');
    assert.deepEqual(u.userTenants, []);
  });

  it('delete with cascade deletes the users of that tenant only', async () => {
    const { id: doomed } = okData(await tenant.create(`cascade ${uid()}`), 'create');
    const { id: other } = okData(await tenant.create(`other ${uid()}`), 'create');
    const onlyHere = uniqueEmail();
    const inBoth = uniqueEmail();
    await createUser(client, onlyHere, { userTenants: [{ tenantId: doomed, roleNames: [] }] });
    await createUser(client, inBoth, {
      userTenants: [
        { tenantId: doomed, roleNames: [] },
        { tenantId: other, roleNames: [] },
      ],
    });
    okData(await tenant.delete(doomed, true), 'tenant.delete cascade');
    assertClientError(await tenant.load(doomed), 'load deleted tenant');
    assertClientError(await client.management.user.load(onlyHere), 'user of the deleted tenant only');
    const survivor = okData(await client.management.user.load(inBoth), 'user.load');
    assert.deepEqual(
      survivor.userTenants.map((t) => t.tenantId),
      [other],
    );
  });
});
