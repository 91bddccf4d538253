// Project lists through @descope/node-sdk's management.list client (node-sdk 2.13.0).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

describe('management: lists', () => {
  let project;
  let list; // management.list

  before(async () => {
    project = await createProject();
    list = clientFor(project).management.list;
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('creates, loads (by path), updates, clears and deletes a list', async () => {
    const name = `deny-${uid()}`;
    const created = okData(await list.create({ name, type: 'texts', description: 'd', data: ['a'] }), 'list.create');
    assert.deepEqual(created, { id: created.id, name, description: 'd', type: 'texts', data: ['a'] });
    assert.deepEqual(okData(await list.load(created.id), 'list.load'), created);
    assert.equal(okData(await list.loadByName(name), 'list.loadByName').id, created.id);
    const all = okData(await list.loadAll(), 'list.loadAll');
    assert.ok(all.some((l) => l.id === created.id));
    const updated = okData(await list.update(created.id, { name, type: 'json', data: { k: 1 } }), 'list.update');
    assert.deepEqual(updated.data, { k: 1 });
    okData(await list.clear(created.id), 'list.clear');
    assert.deepEqual(okData(await list.load(created.id), 'list.load').data, {});
    okData(await list.delete(created.id), 'list.delete');
    const gone = await list.load(created.id);
    assertClientError(gone, 'list.load after delete');
    assert.equal(gone.error.errorCode, 'E011008');
  });

  it('refuses a duplicate name and an item operation of the wrong type', async () => {
    const name = `dup-${uid()}`;
    const texts = okData(await list.create({ name, type: 'texts' }), 'list.create');
    const dup = await list.create({ name, type: 'ips' });
    assertClientError(dup, 'duplicate name');
    assert.equal(dup.error.errorCode, 'E011009');
    const wrong = await list.addIPs(texts.id, ['1.2.3.4']);
    assertClientError(wrong, 'addIPs on a texts list');
    assert.equal(wrong.code, 400);
  });

  it('adds, removes and checks IPs, CIDR ranges included', async () => {
    const l = okData(await list.create({ name: `ips-${uid()}`, type: 'ips' }), 'list.create');
    okData(await list.addIPs(l.id, ['192.168.0.0/16', '1.1.1.1']), 'list.addIPs');
    assert.equal(okData(await list.checkIP(l.id, '192.168.3.4'), 'list.checkIP'), true);
    assert.equal(okData(await list.checkIP(l.id, '1.1.1.2'), 'list.checkIP'), false);
    okData(await list.removeIPs(l.id, ['192.168.0.0/16']), 'list.removeIPs');
    assert.equal(okData(await list.checkIP(l.id, '192.168.3.4'), 'list.checkIP'), false);
  });

  it('adds, removes and checks texts, and imports lists by ID', async () => {
    const l = okData(await list.create({ name: `texts-${uid()}`, type: 'texts' }), 'list.create');
    okData(await list.addTexts(l.id, ['x', 'y', 'x']), 'list.addTexts');
    okData(await list.removeTexts(l.id, ['x', 'nope']), 'list.removeTexts');
    assert.equal(okData(await list.checkText(l.id, 'y'), 'list.checkText'), true);
    assert.equal(okData(await list.checkText(l.id, 'x'), 'list.checkText'), false);
    const id = `LI-node-${uid()}`;
    okData(await list.import([{ id, name: `imp-${uid()}`, type: 'json', data: { a: true } }]), 'list.import');
    assert.deepEqual(okData(await list.load(id), 'list.load').data, { a: true });
  });
});
