// FGA through @descope/node-sdk's management.fga client (node-sdk 2.13.0).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError } from '../lib/mgmt.js';

const SCHEMA = `model AuthZ 1.0
condition DuringShift(now int, begin int, end int) { now >= begin && now <= end }
type user
type team
  relation member: user
type repo
  relation owner: user
  relation contributor: user | team#member
  relation banned: user
  relation licensed: user
  relation oncall: user with DuringShift
  permission can_push: (owner | contributor) - banned
  permission can_admin: owner & licensed
  permission can_page: oncall | owner
`;

const t = (resourceType, resource, relation, targetType, target) => ({ resourceType, resource, relation, targetType, target });

describe('management: fga', () => {
  let project;
  let fga; // management.fga

  before(async () => {
    project = await createProject();
    fga = clientFor(project).management.fga;
    okData(await fga.saveSchema({ dsl: SCHEMA }), 'fga.saveSchema');
    okData(
      await fga.createRelations([
        t('team', 'core', 'member', 'user', 'dan'),
        t('team', 'core', 'member', 'user', 'erin'),
        t('repo', 'r1', 'contributor', 'team#member', 'core'),
        t('repo', 'r1', 'banned', 'user', 'erin'),
        t('repo', 'r1', 'owner', 'user', 'frank'),
        t('repo', 'r1', 'licensed', 'user', 'dan'),
        t('repo', 'r1', 'oncall', 'user', 'gus'),
      ]),
      'fga.createRelations',
    );
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('loads the schema as saved, with a version', async () => {
    const s = okData(await fga.loadSchema(), 'fga.loadSchema');
    assert.equal(s.dsl, SCHEMA);
    assert.match(s.version, /^[0-9a-f-]{36}$/);
    assert.equal(s.schema.conditions[0].name, 'DuringShift');
  });

  it('checks exclusion and intersection in request order', async () => {
    const queries = [
      t('repo', 'r1', 'can_push', 'user', 'dan'),
      t('repo', 'r1', 'can_push', 'user', 'erin'),
      t('repo', 'r1', 'can_push', 'user', 'frank'),
      t('repo', 'r1', 'can_admin', 'user', 'frank'),
      t('repo', 'r1', 'can_admin', 'user', 'dan'),
      t('repo', 'r1', 'contributor', 'user', 'dan'),
    ];
    const answers = okData(await fga.check(queries), 'fga.check');
    assert.deepEqual(answers.map((a) => a.allowed), [true, false, true, false, false, true]);
    assert.deepEqual(answers.map((a) => a.tuple), queries);
  });

  it('evaluates conditions over the context', async () => {
    const q = [t('repo', 'r1', 'can_page', 'user', 'gus')];
    const on = okData(await fga.checkWithContext(q, { now: 10, begin: 8, end: 17 }), 'checkWithContext');
    assert.equal(on[0].allowed, true);
    assert.equal(on[0].info.conditional, true);
    const off = okData(await fga.checkWithContext(q, { now: 20, begin: 8, end: 17 }), 'checkWithContext');
    assert.equal(off[0].allowed, false);
    const none = okData(await fga.check(q), 'check');
    assert.deepEqual(none[0].info.missingContext, ['begin', 'end', 'now']);
  });

  it('dry-runs, refuses bad input and deletes', async () => {
    const preview = okData(await fga.dryRunSchema({ dsl: SCHEMA.replace('  relation banned: user\n', '').replace(' - banned', '') }), 'dryRun');
    assert.deepEqual(preview.deletesPreview, { hasDeletes: true, relations: ['repo#banned'], types: [] });
    assertClientError(await fga.saveSchema({ dsl: 'model AuthZ 1.0\ntype a\n  relation b: c\n' }), 'bad schema');
    assertClientError(await fga.createRelations([t('repo', 'r1', 'can_push', 'user', 'x')]), 'relation on a permission');
    okData(await fga.deleteRelations([t('repo', 'r1', 'banned', 'user', 'erin')]), 'deleteRelations');
    const a = okData(await fga.check([t('repo', 'r1', 'can_push', 'user', 'erin')]), 'check');
    assert.equal(a[0].allowed, true);
  });

  it('saves and loads resource details, searches mappable resources', async () => {
    okData(await fga.saveResourcesDetails([{ resourceId: 'r1', resourceType: 'repo', displayName: 'Main repo' }]), 'save');
    const d = okData(await fga.loadResourcesDetails([{ resourceId: 'r1', resourceType: 'repo' }]), 'load');
    assert.deepEqual(d, [{ resourceId: 'r1', resourceType: 'repo', displayName: 'Main repo' }]);
    const m = okData(await fga.searchMappableResources('t1', [{ type: 'repo', queries: ['main'] }], { resourcesLimit: 5 }), 'mappable');
    assert.deepEqual(m, [{ type: 'repo', resources: [{ resource: 'r1', displayName: 'Main repo' }] }]);
    const ms = okData(await fga.loadMappableSchema('t1', { resourcesLimit: 5 }), 'mappable schema');
    assert.ok(ms.schema.namespaces.some((n) => n.name === 'repo'));
  });

  it('deletes all relations, then the schema', async () => {
    okData(await fga.deleteAllRelations(), 'deleteAllRelations');
    const a = okData(await fga.check([t('repo', 'r1', 'owner', 'user', 'frank')]), 'check');
    assert.equal(a[0].allowed, false);
    okData(await fga.deleteSchema(), 'deleteSchema');
    assert.deepEqual(okData(await fga.loadSchema(), 'loadSchema'), { dsl: '' });
  });
});
