// Project configuration through @descope/node-sdk (2.13.0): management.project (rename, tags,
// list, export/import, snapshots, clone, delete), management.flow and management.theme.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

describe('management: project configuration', () => {
  const made = [];
  let project;
  let mgmt;

  async function newProject() {
    const p = await createProject();
    made.push(p.projectId);
    return p;
  }

  before(async () => {
    project = await newProject();
    mgmt = clientFor(project).management;
  });

  after(async () => {
    for (const id of made) {
      try {
        await deleteProject(id);
      } catch {
        // deleted by the test
      }
    }
  });

  it('lists, exports, imports and deletes flows', async () => {
    const list = okData(await mgmt.flow.list(), 'flow.list');
    const ids = list.flows.map((f) => f.id);
    for (const id of ['sign-up-or-in', 'sign-in', 'sign-up']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    assert.equal(list.total, ids.length);
    const builtin = okData(await mgmt.flow.export('sign-in'), 'flow.export');
    assert.equal(builtin.flow.id, 'sign-in');
    assert.ok(builtin.screens.length > 0);

    const flowId = `flow-${uid()}`;
    const flow = { id: flowId, name: 'Mine', description: 'd', dsl: { start: 's1' }, disabled: false };
    const screens = [{ id: 's1', flowId, inputs: [], interactions: [{ id: 'go' }], htmlTemplate: { h: 1 } }];
    const imported = okData(await mgmt.flow.import(flowId, flow, screens), 'flow.import');
    const exported = okData(await mgmt.flow.export(flowId), 'flow.export');
    assert.deepEqual(exported, imported);
    assert.deepEqual(exported.screens, screens);
    assert.deepEqual(exported.flow.dsl, { start: 's1' });

    okData(await mgmt.flow.delete([flowId]), 'flow.delete');
    const gone = await mgmt.flow.export(flowId);
    assertClientError(gone, 'flow.export after delete');
    assert.equal(gone.code, 404);
  });

  it('exports and imports the theme, refusing one that is not JSON', async () => {
    const theme = { id: '', cssTemplate: { light: { primary: '#abcdef' } } };
    assert.deepEqual(okData(await mgmt.theme.import(theme), 'theme.import'), { theme });
    assert.deepEqual(okData(await mgmt.theme.export(), 'theme.export'), { theme });
    const bad = await mgmt.theme.import({ id: '', cssTemplate: 'nope' });
    assertClientError(bad, 'theme.import of a string');
    assert.equal(bad.code, 400);
  });

  it('renames, tags and lists projects', async () => {
    const p = await newProject();
    const m = clientFor(p).management;
    const name = `Renamed ${uid()}`;
    okData(await m.project.updateName(name), 'project.updateName');
    okData(await m.project.updateTags(['x', 'y']), 'project.updateTags');
    const projects = okData(await m.project.listProjects(), 'project.listProjects');
    const mine = projects.find((x) => x.id === p.projectId);
    assert.deepEqual(mine, { id: p.projectId, name, environment: '', tags: ['x', 'y'] });
  });

  it('round-trips the configuration into a fresh project, byte for byte', async () => {
    okData(await mgmt.theme.import({ id: '', cssTemplate: { dark: { c: 1 } } }), 'theme.import');
    const files = okData(await mgmt.project.export(), 'project.export');
    assert.ok(files['project.json'] && files['themes/theme.json'] && files['flows/sign-in.json']);
    const target = clientFor(await newProject()).management;
    const validation = okData(await target.project.validateSnapshot({ files }), 'project.validateSnapshot');
    assert.equal(validation.ok, true);
    okData(await target.project.import(files), 'project.import');
    const again = okData(await target.project.exportSnapshot(), 'project.exportSnapshot');
    assert.equal(JSON.stringify(again.files), JSON.stringify(files));
    okData(await target.project.importSnapshot({ files, inputSecrets: {} }), 'project.importSnapshot');
  });

  it('refuses a bad import and changes nothing', async () => {
    const target = clientFor(await newProject()).management;
    const before = okData(await target.project.export(), 'project.export');
    const bad = { 'flows/x.json': { flowId: 'x' }, 'themes/theme.json': '{"styles": [' };
    const validation = okData(await target.project.validateSnapshot({ files: bad }), 'validateSnapshot');
    assert.equal(validation.ok, false);
    assert.ok(validation.failures.length > 0);
    const res = await target.project.importSnapshot({ files: bad });
    assertClientError(res, 'importSnapshot of a truncated file');
    assert.equal(res.error.errorCode, 'E011004');
    assert.deepEqual(okData(await target.project.export(), 'project.export'), before);
  });

  it('clones the project, and the same key manages the clone', async () => {
    const flowId = `clone-${uid()}`;
    okData(await mgmt.flow.import(flowId, { id: flowId, name: 'Cloned', dsl: {}, disabled: false }, []), 'flow.import');
    const cloned = okData(await mgmt.project.clone(`Clone ${uid()}`, 'production', ['ci']), 'project.clone');
    made.push(cloned.projectId);
    assert.equal(cloned.environment, 'production');
    assert.deepEqual(cloned.tags, ['ci']);
    const clone = clientFor({ projectId: cloned.projectId, managementKey: project.managementKey }).management;
    assert.equal(okData(await clone.flow.export(flowId), 'clone flow.export').flow.name, 'Cloned');
    assert.deepEqual(okData(await clone.project.export(), 'clone export'), okData(await mgmt.project.export(), 'export'));
    assert.deepEqual(okData(await clone.user.search({}), 'clone user.search').users, []);
  });

  it('deletes the project', async () => {
    const p = await newProject();
    const m = clientFor(p).management;
    okData(await m.project.delete(), 'project.delete');
    const res = await m.flow.list();
    assert.equal(res.ok, false);
    assert.equal(res.code, 401);
  });
});
