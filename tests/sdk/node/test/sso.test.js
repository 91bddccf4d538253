// SSO sign-in through @descope/node-sdk's sso client (→ /v1/auth/saml/*) and the fake IdP (issue 13, part S).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientFor, createProject, decodeJwt, deleteProject, okData } from '../lib/emulator.js';
import { assertClientError, uid } from '../lib/mgmt.js';

const CB = 'http://localhost:3000/sso-callback';

/** Approves at the fake IdP page headlessly; the code of the redirect. */
async function codeFrom(url, knobs) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(knobs)) u.searchParams.set(k, v);
  const res = await fetch(u, { redirect: 'manual' });
  assert.ok(res.status === 302 || res.status === 303, `${res.status} ${await res.text()}`);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, CB);
  return location.searchParams.get('code');
}

describe('auth: SSO', () => {
  let project;
  let client;
  let tenantId;
  let domain;
  const role = `dev-${uid()}`;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
    okData(await client.management.role.create(role), 'role.create');
    tenantId = okData(await client.management.tenant.create(`sso-${uid()}`), 'tenant.create').id;
    domain = `${uid()}.corp.test`;
    okData(
      await client.management.sso.configureSAMLSettings(
        tenantId,
        { idpUrl: 'https://idp.test', idpCert: 'c', entityId: 'e', roleMappings: [{ groups: ['eng'], roleName: role }], attributeMapping: { email: 'mail', group: 'groups' } },
        undefined,
        [domain],
      ),
      'configureSAMLSettings',
    );
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('signs in by tenant ID with mapped roles and idpResponse', async () => {
    const { url } = okData(await client.sso.start(tenantId, CB), 'sso.start');
    const email = `ann-${uid()}@${domain}`;
    const code = await codeFrom(url, { email, groups: 'eng' });
    const info = okData(await client.sso.exchange(code), 'sso.exchange');
    const claims = decodeJwt(info.sessionJwt);
    assert.deepEqual(claims.amr, ['fed']);
    assert.deepEqual(claims.tenants[tenantId].roles, [role]);
    assert.equal(claims.dct, tenantId);
    assert.deepEqual(info.idpResponse.idpGroups, ['eng']);
    assert.deepEqual(info.idpResponse.idpSAMLAttributes.mail, [email]);
    const validated = await client.validateSession(info.sessionJwt);
    assert.ok(client.validateTenantRoles(validated, tenantId, [role]));
    // replaying the code fails
    assertClientError(await client.sso.exchange(code), 'sso.exchange replayed');
  });

  it('routes by email domain and enforces the initiated email', async () => {
    const email = `bob-${uid()}@${domain}`;
    const { url } = okData(await client.sso.start(email, CB, undefined, undefined, undefined, undefined, undefined, true), 'sso.start by email');
    const wrong = await codeFrom(url, { email: `mallory@${domain}` });
    assertClientError(await client.sso.exchange(wrong), 'sso.exchange with another email');
    const again = okData(await client.sso.start(email, CB, undefined, undefined, undefined, undefined, undefined, true), 'sso.start again');
    const code = await codeFrom(again.url, { email });
    const info = okData(await client.sso.exchange(code), 'sso.exchange');
    assert.equal(info.user.email, email);
  });

  it('refuses an unknown tenant', async () => {
    assertClientError(await client.sso.start('no-such-tenant', CB), 'sso.start unknown tenant');
  });
});
