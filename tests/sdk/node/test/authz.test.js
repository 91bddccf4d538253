// Legacy ReBAC through @descope/node-sdk's management.authz client (node-sdk 2.13.0).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError } from '../lib/mgmt.js';

const child = (expression) => ({ nType: 'child', expression });

const SCHEMA = {
  name: 'Files',
  namespaces: [
    { name: 'group', relationDefinitions: [{ name: 'member' }] },
    {
      name: 'folder',
      relationDefinitions: [
        { name: 'parent' },
        { name: 'banned' },
        {
          name: 'owner',
          complexDefinition: {
            nType: 'union',
            children: [
              child({ neType: 'self' }),
              child({
                neType: 'relationRight',
                relationDefinition: 'parent',
                relationDefinitionNamespace: 'folder',
                targetRelationDefinition: 'owner',
                targetRelationDefinitionNamespace: 'folder',
              }),
            ],
          },
        },
        {
          name: 'editor',
          complexDefinition: {
            nType: 'sub',
            children: [
              child({ neType: 'targetSet', targetRelationDefinition: 'owner', targetRelationDefinitionNamespace: 'folder' }),
              child({ neType: 'targetSet', targetRelationDefinition: 'banned', targetRelationDefinitionNamespace: 'folder' }),
            ],
          },
        },
      ],
    },
  ],
};

const rel = (namespace, resource, relationDefinition, target) => ({ namespace, resource, relationDefinition, target });

describe('management: authz', () => {
  let project;
  let authz; // management.authz

  before(async () => {
    project = await createProject();
    authz = clientFor(project).management.authz;
    okData(await authz.saveSchema(SCHEMA, true), 'authz.saveSchema');
    okData(
      await authz.createRelations([
        rel('folder', 'root', 'owner', 'u1'),
        rel('folder', 'sub', 'parent', 'root'),
        rel('folder', 'sub', 'banned', 'u1'),
        rel('group', 'g', 'member', 'u2'),
        {
          namespace: 'folder',
          resource: 'root',
          relationDefinition: 'owner',
          targetSetResource: 'g',
          targetSetRelationDefinition: 'member',
          targetSetRelationDefinitionNamespace: 'group',
        },
      ]),
      'authz.createRelations',
    );
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('loads the schema as saved', async () => {
    const s = okData(await authz.loadSchema(), 'authz.loadSchema');
    assert.equal(s.name, 'Files');
    assert.deepEqual(s.namespaces, SCHEMA.namespaces);
  });

  it('answers derived relations consistently', async () => {
    const has = okData(
      await authz.hasRelations([
        rel('folder', 'sub', 'owner', 'u1'),
        rel('folder', 'sub', 'editor', 'u1'),
        rel('folder', 'sub', 'owner', 'u2'),
        rel('folder', 'sub', 'editor', 'u2'),
        rel('folder', 'root', 'owner', 'u3'),
      ]),
      'hasRelations',
    );
    assert.deepEqual(has.map((h) => h.hasRelation), [true, false, true, true, false]);
    assert.deepEqual(okData(await authz.whoCanAccess('sub', 'editor', 'folder'), 'who'), ['u2']);
    const what = okData(await authz.whatCanTargetAccessWithRelation('u2', 'owner', 'folder'), 'targetwithrelation');
    assert.deepEqual(what, [{ resource: 'root' }, { resource: 'sub' }]);
    const all = okData(await authz.whatCanTargetAccess('u1'), 'targetall');
    assert.ok(all.some((r) => r.resource === 'sub' && r.relationDefinition === 'owner'));
    const stored = okData(await authz.resourceRelations('root', true), 'resourceRelations');
    assert.deepEqual(stored, [rel('folder', 'root', 'owner', 'u1')]);
    const withSets = okData(await authz.resourceRelationsWithTargetSetsFilter('root'), 'with sets');
    assert.equal(withSets.length, 2);
    assert.equal(okData(await authz.targetsRelations(['u1']), 'targetsRelations').length, 2);
    const modified = okData(await authz.getModified(new Date(0)), 'getModified');
    assert.ok(modified.resources.includes('root') && modified.schemaChanged === true);
  });

  it('edits namespaces and definitions, deletes relations and the schema', async () => {
    okData(await authz.saveNamespace({ name: 'doc', relationDefinitions: [{ name: 'viewer' }] }), 'saveNamespace');
    okData(await authz.saveRelationDefinition({ name: 'editor' }, 'doc'), 'saveRelationDefinition');
    okData(await authz.deleteRelationDefinition('editor', 'doc'), 'deleteRelationDefinition');
    okData(await authz.deleteNamespace('doc'), 'deleteNamespace');
    assertClientError(await authz.deleteNamespace('doc'), 'deleteNamespace twice');
    assertClientError(await authz.createRelations([rel('nope', 'a', 'b', 'c')]), 'unknown namespace');
    okData(await authz.deleteRelations([rel('folder', 'sub', 'banned', 'u1')]), 'deleteRelations');
    okData(await authz.deleteResourceRelationsForResources(['sub']), 'deleteResourceRelationsForResources');
    assert.deepEqual(okData(await authz.resourceRelations('sub'), 'resourceRelations'), []);
    okData(await authz.deleteRelationsForResources(['u1']), 'deleteRelationsForResources');
    assert.equal(okData(await authz.targetsRelations(['u1']), 'targetsRelations').length, 0);
    okData(await authz.deleteRelationsForIds(['g']), 'deleteRelationsForIds');
    okData(await authz.deleteSchema(), 'deleteSchema');
    assert.deepEqual(okData(await authz.loadSchema(), 'loadSchema').namespaces, []);
  });
});
