// Tenant admin links (management.tenant generate/revoke SSO configuration link) and
// descopers (management.descoper) through @descope/node-sdk. node-sdk 2.13.0 has no call
// for the send and authenticated admin link operations.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData, outboxLatest, uniqueEmail } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

describe('management: admin links and descopers', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('generates an SSO configuration link, mails it, and revokes', async () => {
    const tenantId = `T-al-${uid()}`;
    okData(await client.management.tenant.createWithId(tenantId, `Links ${uid()}`), 'tenant.createWithId');
    const email = uniqueEmail();
    const { adminSSOConfigurationLink: link } = okData(
      await client.management.tenant.generateSSOConfigurationLink(tenantId, 60 * 60 * 24, 'okta', email),
      'generateSSOConfigurationLink',
    );
    assert.match(link, /\/sso-setup\?t=[A-Za-z0-9]+$/);
    const message = await outboxLatest(project, email);
    assert.equal(message.kind, 'adminlink');
    assert.equal(message.link, link);
    okData(await client.management.tenant.revokeSSOConfigurationLink(tenantId, 'okta'), 'revoke one');
    okData(await client.management.tenant.revokeSSOConfigurationLink(tenantId), 'revoke all');
    const res = await client.management.tenant.generateSSOConfigurationLink(`nope-${uid()}`, 60);
    assertClientError(res, 'unknown tenant');
    assert.equal(res.code, 404);
    assert.equal(res.error.errorCode, 'E011008');
  });

  it('creates, loads, updates, lists and deletes descopers', async () => {
    const descoper = client.management.descoper;
    const loginId = uniqueEmail();
    const created = okData(
      await descoper.create([
        {
          loginId,
          attributes: { displayName: 'Node Dev', email: loginId },
          rbac: { isCompanyAdmin: false, projects: [{ projectIds: ['P1'], role: 'support' }] },
        },
      ]),
      'descoper.create',
    );
    assert.equal(created.total, 1);
    const d = created.descopers[0];
    assert.match(d.id, /^D[A-Za-z0-9]{26}$/);
    assert.deepEqual(d.loginIds, [loginId]);

    const loaded = okData(await descoper.load(d.id), 'descoper.load');
    assert.deepEqual(loaded, d);

    const updated = okData(await descoper.update(d.id, { displayName: 'Renamed' }), 'descoper.update');
    assert.equal(updated.attributes.displayName, 'Renamed');
    assert.deepEqual(updated.rbac, d.rbac);

    // list sends no body
    const listed = okData(await descoper.list(), 'descoper.list');
    assert.ok(listed.descopers.some((x) => x.id === d.id));
    assert.equal(listed.total, listed.descopers.length);

    okData(await descoper.delete(d.id), 'descoper.delete');
    const gone = await descoper.load(d.id);
    assertClientError(gone, 'load deleted');
    assert.equal(gone.code, 404);

    assertClientError(
      await descoper.create([{ loginId: uniqueEmail(), rbac: { tags: [{ tags: ['x'], role: 'owner' }] } }]),
      'bad role',
    );
    assertClientError(await descoper.create([{ attributes: { displayName: 'x' } }]), 'missing loginId');
  });
});
