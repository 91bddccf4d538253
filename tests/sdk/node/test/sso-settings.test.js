// Tenant SSO settings through @descope/node-sdk's management.sso client (issue 13, part S).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

describe('management: SSO settings', () => {
  let project;
  let client;
  let sso; // management.ssoSettings
  let role;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    sso = client.management.sso;
    role = `sso-role-${uid()}`;
    okData(await client.management.role.create(role), 'role.create');
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  async function newTenant() {
    return okData(await client.management.tenant.create(`sso-${uid()}`), 'tenant.create').id;
  }

  it('configures SAML and loads it with roleName (node renames groupsMapping)', async () => {
    const tenantId = await newTenant();
    okData(
      await sso.configureSAMLSettings(
        tenantId,
        {
          idpUrl: 'https://idp.example.com/saml',
          idpCert: 'cert',
          entityId: 'entity',
          roleMappings: [{ groups: ['eng'], roleName: role }],
          attributeMapping: { email: 'mail', group: 'groups' },
          defaultSSORoles: [role],
        },
        'https://app.example.com/cb',
        ['corp.example.com'],
      ),
      'configureSAMLSettings',
    );
    const s = okData(await sso.loadSettings(tenantId), 'loadSettings');
    assert.equal(s.tenant.authType, 'saml');
    assert.deepEqual(s.tenant.domains, ['corp.example.com']);
    assert.equal(s.saml.idpSSOUrl, 'https://idp.example.com/saml');
    assert.equal(s.saml.spEntityId, `${project.projectId}-${tenantId}`);
    assert.deepEqual(s.saml.groupsMapping, [{ groups: ['eng'], roleName: role }]);
    assert.deepEqual(s.saml.defaultSSORoles, [role]);
    assert.equal(s.saml.redirectUrl, 'https://app.example.com/cb');
    // node renames oidc.userAttrMapping to attributeMapping
    assert.equal(s.oidc.attributeMapping.loginId, 'sub');
  });

  it('configures OIDC with an ssoId and by metadata', async () => {
    const tenantId = await newTenant();
    const created = okData(await sso.newSettings(tenantId, 'okta', 'Okta'), 'newSettings');
    assert.equal(created.ssoId, 'okta');
    okData(
      await sso.configureOIDCSettings(
        tenantId,
        { name: 'okta', clientId: 'cid', clientSecret: 's3cret', authUrl: 'https://okta.test/auth', attributeMapping: { email: 'mail' } },
        ['okta.test'],
        'okta',
      ),
      'configureOIDCSettings',
    );
    const s = okData(await sso.loadSettings(tenantId, 'okta'), 'loadSettings okta');
    assert.equal(s.ssoId, 'okta');
    assert.equal(s.tenant.authType, 'oidc');
    assert.equal(s.oidc.clientSecret, '');
    assert.equal(s.oidc.attributeMapping.email, 'mail');
    okData(await sso.configureSAMLByMetadata(tenantId, { idpMetadataUrl: 'https://idp.test/md' }), 'configureSAMLByMetadata');
    const all = okData(await sso.loadAllSettings(tenantId), 'loadAllSettings');
    assert.deepEqual(all.map((x) => x.ssoId), ['', 'okta']);
    assert.equal(all[0].saml.idpMetadataUrl, 'https://idp.test/md');
    okData(await sso.configureSSORedirectURL(tenantId, 'https://a.test', undefined, 'okta'), 'configureSSORedirectURL');
    okData(await sso.recalculateSSOMappings(tenantId, 'okta'), 'recalculateSSOMappings');
    okData(await sso.deleteSettings(tenantId, 'okta'), 'deleteSettings okta');
    assertClientError(await sso.loadSettings(tenantId, 'okta'), 'loadSettings of a deleted configuration');
  });

  it('keeps the deprecated calls working', async () => {
    const tenantId = await newTenant();
    okData(await sso.configureSettings(tenantId, 'https://idp.test', 'cert', 'entity', 'https://r.test', ['d.test']), 'configureSettings');
    okData(await sso.configureMapping(tenantId, [{ groups: ['a'], roleName: role }], { name: 'n' }), 'configureMapping');
    const s = okData(await sso.getSettings(tenantId), 'getSettings');
    assert.equal(s.idpSSOUrl, 'https://idp.test');
    assert.equal(s.domain, 'd.test');
    assert.equal(s.userMapping.name, 'n');
    assert.equal(s.groupsMapping[0].role.name, role);
  });

  it('refuses unknown tenants and roles', async () => {
    assertClientError(await sso.loadSettings('no-such-tenant'), 'loadSettings unknown tenant');
    const tenantId = await newTenant();
    assertClientError(
      await sso.configureSAMLSettings(tenantId, { idpUrl: 'https://x.test', idpCert: 'c', entityId: 'e', roleMappings: [{ groups: ['g'], roleName: 'ghost' }] }),
      'configureSAMLSettings unknown role',
    );
  });
});
