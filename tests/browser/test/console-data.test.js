// The console's data tabs in a real browser: a person opens `/emulator/?projectId=P…#/users`,
// creates a user through the form, finds it in the list, edits its name, disables it,
// impersonates it (the session JWT shown is checked with the Node SDK), creates a tenant, a
// permission, a role and an access key, reads the audit trail, and sees the API's own error
// text in the dialog when the input is bad. Screenshots at 1280 px and 390 px wide go to
// ARTIFACTS as console-*.png.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { EMULATOR_URL, createProject, deleteProject, launch, screenshot, uniqueEmail } from '../lib/browser.js';

/** A management API call with the project's key; the parsed body, or throws with it. */
async function mgmt(project, method, path, body) {
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${project.projectId}:${project.managementKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  return { status: res.status, body: json };
}

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe('console data tabs', () => {
  let browser;
  let page;
  let project;
  const loginId = uniqueEmail();
  let userId;

  before(async () => {
    project = await createProject();
    assert.ok(project.managementKey, 'the project has a management key');
    browser = await launch();
    page = await browser.newPage();
    await page.setViewport(DESKTOP);
    page.on('pageerror', (e) => console.error('page error:', e.message));
  });

  after(async () => {
    await browser?.close();
    if (project) await deleteProject(project.projectId);
  });

  const consoleUrl = (tab) => `${EMULATOR_URL}/emulator/?projectId=${project.projectId}#/${tab}`;

  /** Opens a tab and waits for its module to draw something other than "Loading…". */
  async function openTab(tab) {
    await page.goto(consoleUrl(tab), { waitUntil: 'load' });
    await page.waitForSelector(`#view-${tab} .panel, #view-${tab} table, #view-${tab} .empty`, { timeout: 15_000 });
    await page.waitForFunction((t) => !document.querySelector(`#view-${t} [role=status]`), { timeout: 15_000 }, tab);
  }

  /** Fills the open dialog's fields (name → text; booleans tick checkboxes) and submits it. */
  async function fillDialog(values, { submit = true } = {}) {
    await page.waitForSelector('dialog[open] form', { visible: true });
    for (const [name, value] of Object.entries(values)) {
      const sel = `dialog[open] [name="${name}"]`;
      if (typeof value === 'boolean') {
        const checked = await page.$eval(sel, (el) => el.checked);
        if (checked !== value) await page.click(sel);
      } else {
        await page.$eval(sel, (el) => { el.value = ''; });
        await page.type(sel, value);
      }
    }
    if (submit) await page.click('dialog[open] button[type=submit]');
  }

  async function dialogClosed() {
    await page.waitForFunction(() => !document.querySelector('dialog[open]'), { timeout: 15_000 });
  }

  /** A screenshot without the toasts of earlier steps (a person reads them as they come). */
  async function shot(name) {
    await page.evaluate(() => document.querySelector('.toasts')?.replaceChildren());
    await screenshot(page, name);
  }

  async function textOf(selector) {
    return page.$eval(selector, (el) => el.textContent);
  }

  it('creates a user through the form and lists it', async () => {
    await openTab('users');
    assert.match(await textOf('#view-users'), /No users yet/);
    await shot('console-users-empty-1280');
    await page.click('[data-action=create-user]');
    await fillDialog({ loginId, email: loginId, name: 'Ada Browser', verifiedEmail: true });
    await dialogClosed();
    await page.waitForSelector('[data-field=name]');
    assert.equal(await textOf('[data-field=name]'), 'Ada Browser');
    const loaded = await mgmt(project, 'GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`);
    assert.equal(loaded.status, 200);
    assert.equal(loaded.body.user.name, 'Ada Browser');
    assert.equal(loaded.body.user.verifiedEmail, true);
    userId = loaded.body.user.userId;

    await page.click('[data-action=back]');
    await page.waitForSelector('#view-users table.data');
    const rows = await page.$$eval('#view-users table.data tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 1);
    assert.ok(rows[0].includes(loginId), rows[0]);
    assert.ok(rows[0].includes('enabled'), rows[0]);
    await shot('console-users-list-1280');
  });

  it('shows the API error text in the dialog for bad input', async () => {
    await openTab('users');
    const expected = await mgmt(project, 'POST', '/v1/mgmt/user/create', { loginId: 'bad-input-user', email: 'not-an-email' });
    assert.equal(expected.status, 400);
    assert.ok(expected.body.errorMessage || expected.body.errorDescription);
    await page.click('[data-action=create-user]');
    await fillDialog({ loginId: 'bad-input-user', email: 'not-an-email' });
    await page.waitForSelector('dialog[open] .dialog-error .error-box', { visible: true });
    const shown = await textOf('dialog[open] .dialog-error');
    assert.ok(shown.includes(expected.body.errorMessage || expected.body.errorDescription), shown);
    await shot('console-users-error-1280');
    await page.click('dialog[open] .dialog-actions button[type=button]');
    await dialogClosed();
    const missing = await mgmt(project, 'GET', '/v1/mgmt/user?loginId=bad-input-user');
    assert.notEqual(missing.status, 200, 'the bad user was not created');
  });

  it('searches, edits the name and disables the user', async () => {
    await openTab('users');
    await page.type('#view-users form.toolbar input[type=search]', 'nobody-matches-this');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /No user matches/.test(document.querySelector('#view-users').textContent));
    await page.$eval('#view-users form.toolbar input[type=search]', (el) => { el.value = ''; });
    await page.type('#view-users form.toolbar input[type=search]', 'Ada');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-users table.data tbody tr.clickable');
    // Keyboard: focus the row and open it with Enter.
    await page.focus('#view-users table.data tbody tr.clickable');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-action=edit-user]');
    await page.click('[data-action=edit-user]');
    await fillDialog({ name: 'Ada Renamed' });
    await dialogClosed();
    await page.waitForFunction(() => document.querySelector('[data-field=name]')?.textContent === 'Ada Renamed');
    assert.equal((await mgmt(project, 'GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`)).body.user.name, 'Ada Renamed');

    await page.click('[data-action=disable-user]');
    await page.waitForSelector('[data-action=enable-user]');
    const disabled = await mgmt(project, 'GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`);
    assert.equal(disabled.body.user.status, 'disabled');
    assert.match(await textOf('[data-field=status]'), /disabled/);

    // A disabled user cannot be impersonated: the API's words show on the page.
    await page.click('[data-action=impersonate-user]');
    await page.waitForSelector('.action-error .error-box', { visible: true });

    await page.click('[data-action=enable-user]');
    await page.waitForSelector('[data-action=disable-user]');
    assert.equal((await mgmt(project, 'GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`)).body.user.status, 'enabled');
  });

  it('impersonates the user into a real session', async () => {
    await page.click('[data-action=impersonate-user]');
    await page.waitForSelector('[data-jwt=session] textarea');
    const sessionJwt = await page.$eval('[data-jwt=session] textarea', (el) => el.value);
    const refreshJwt = await page.$eval('[data-jwt=refresh] textarea', (el) => el.value);
    assert.ok(refreshJwt.split('.').length === 3, 'a refresh JWT is shown');
    const claims = await textOf('[data-jwt=session] details pre');
    assert.ok(claims.includes(userId), 'the decoded claims show the subject');
    const sdk = DescopeClient({ projectId: project.projectId, baseUrl: EMULATOR_URL });
    const validated = await sdk.validateSession(sessionJwt);
    assert.equal(validated.token.sub, userId);
    // The sign-in shows in the user's login history.
    await page.waitForFunction(() => document.querySelector('[data-field=lastLogin]')?.textContent !== 'never');
    await shot('console-users-detail-1280');
  });

  it('creates and edits a tenant', async () => {
    await openTab('tenants');
    await page.click('[data-action=create-tenant]');
    await fillDialog({ name: 'Acme', id: 'acme', domains: 'acme.test, acme.example' });
    await dialogClosed();
    await page.waitForFunction(() => /Acme/.test(document.querySelector('#view-tenants table.data')?.textContent || ''));
    let tenants = (await mgmt(project, 'GET', '/v1/mgmt/tenant/all')).body.tenants;
    assert.deepEqual(tenants.map((t) => [t.id, t.name, t.selfProvisioningDomains]), [['acme', 'Acme', ['acme.test', 'acme.example']]]);

    await page.click('#view-tenants button[aria-label="Edit Acme"]');
    await fillDialog({ name: 'Acme Corp' });
    await dialogClosed();
    await page.waitForFunction(() => /Acme Corp/.test(document.querySelector('#view-tenants table.data')?.textContent || ''));
    tenants = (await mgmt(project, 'GET', '/v1/mgmt/tenant/all')).body.tenants;
    assert.equal(tenants[0].name, 'Acme Corp');

    // A duplicate ID: the API's error stays in the dialog.
    await page.click('[data-action=create-tenant]');
    await fillDialog({ name: 'Again', id: 'acme' });
    await page.waitForSelector('dialog[open] .dialog-error .error-box', { visible: true });
    await page.keyboard.press('Escape');
    await dialogClosed();
    await shot('console-tenants-1280');
  });

  it('creates a permission and a role', async () => {
    await openTab('roles');
    await page.click('[data-action=create-permission]');
    await fillDialog({ name: 'docs.read', description: 'Read the docs' });
    await dialogClosed();
    await page.waitForFunction(() => /docs\.read/.test(document.querySelector('#view-roles').textContent));
    await page.click('[data-action=create-role]');
    await fillDialog({ name: 'Editor', description: 'Edits things', permissionNames: 'docs.read' });
    await dialogClosed();
    await page.waitForFunction(() => /Editor/.test(document.querySelector('#view-roles table.data')?.textContent || ''));
    const roles = (await mgmt(project, 'GET', '/v1/mgmt/role/all')).body.roles;
    const editor = roles.find((r) => r.name === 'Editor');
    assert.ok(editor, 'the role exists');
    assert.deepEqual(editor.permissionNames, ['docs.read']);

    // An unknown permission: the API says so in the dialog.
    await page.click('[data-action=create-role]');
    await fillDialog({ name: 'Broken', permissionNames: 'no.such.permission' });
    await page.waitForSelector('dialog[open] .dialog-error .error-box', { visible: true });
    await page.keyboard.press('Escape');
    await dialogClosed();
    await shot('console-roles-1280');
  });

  it('puts the user in a tenant with a role', async () => {
    await openTab('users');
    await page.click('#view-users table.data tbody tr.clickable');
    await page.waitForSelector('[data-action=edit-user]');
    await page.click('[data-action=edit-user]');
    await fillDialog({ tenants: 'acme:Editor' });
    await dialogClosed();
    await page.waitForFunction(() => /Acme Corp/.test(document.querySelector('#view-users .detail-box')?.textContent || ''));
    const user = (await mgmt(project, 'GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`)).body.user;
    assert.deepEqual(user.userTenants.map((t) => [t.tenantId, t.roleNames]), [['acme', ['Editor']]]);
    // The filter by tenant finds the user.
    await page.click('[data-action=back]');
    await page.select('#view-users select[name=tenant]', 'acme');
    await page.waitForFunction((id) => document.querySelector('#view-users table.data tbody')?.textContent.includes(id), {}, loginId);
  });

  it('creates an access key whose cleartext is shown once and works', async () => {
    await openTab('accesskeys');
    await page.click('[data-action=create-key]');
    await fillDialog({ name: 'ci key', roleNames: 'Editor' });
    await dialogClosed();
    await page.waitForSelector('[data-secret] code.secret');
    const cleartext = await textOf('[data-secret] code.secret');
    const res = await fetch(`${EMULATOR_URL}/v1/auth/accesskey/exchange`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.projectId}:${cleartext}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200, 'the shown key is exchangeable');
    await page.waitForFunction(() => /ci key/.test(document.querySelector('#view-accesskeys table.data')?.textContent || ''));
    await shot('console-accesskeys-1280');

    await page.click('#view-accesskeys button[aria-label="Deactivate ci key"]');
    await page.waitForSelector('#view-accesskeys button[aria-label="Activate ci key"]');
    const keys = (await mgmt(project, 'POST', '/v1/mgmt/accesskey/search', {})).body.keys;
    assert.equal(keys[0].status, 'inactive');
  });

  it('lists the audit trail newest first with expandable rows', async () => {
    await openTab('audit');
    await page.waitForSelector('#view-audit table.data tbody tr');
    const rows = await page.$$('#view-audit table.data tbody tr');
    assert.ok(rows.length >= 1, 'there are audit events');
    await rows[0].click();
    await page.waitForSelector('#view-audit tr.detail-row pre');
    assert.match(await textOf('#view-audit tr.detail-row pre'), /"action"/);
    await shot('console-audit-1280');
    // Filter by the user's login ID.
    await page.type('#view-audit input[name=loginId]', loginId);
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => {
      const trs = [...document.querySelectorAll('#view-audit table.data tbody tr:not(.detail-row)')];
      return trs.length > 0 && trs.every((tr) => tr.textContent.includes(id));
    }, { timeout: 15_000 }, loginId);
  });

  it('fits a 390 px phone screen', async () => {
    await page.setViewport(PHONE);
    for (const tab of ['users', 'tenants', 'roles', 'accesskeys', 'audit']) {
      await openTab(tab);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${tab}: the page is ${overflow}px wider than the screen`);
      await shot(`console-${tab}-390`);
    }
    await openTab('users');
    await page.click('#view-users table.data tbody tr.clickable');
    await page.waitForSelector('[data-action=impersonate-user]');
    await page.click('[data-action=impersonate-user]');
    await page.waitForSelector('[data-jwt=session] textarea');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `user detail: ${overflow}px too wide`);
    await shot('console-users-detail-390');
    await page.click('[data-action=edit-user]');
    await page.waitForSelector('dialog[open] form');
    await shot('console-users-edit-390');
    await page.keyboard.press('Escape');
    await dialogClosed();
  });

  it('draws in dark mode', async () => {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.setViewport(DESKTOP);
    await openTab('users');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(245, 246, 248)', 'the dark palette is in use');
    await page.click('#view-users table.data tbody tr.clickable');
    await page.waitForSelector('[data-action=impersonate-user]');
    await page.click('[data-action=impersonate-user]');
    await page.waitForSelector('[data-jwt=session] textarea');
    await shot('console-users-detail-dark-1280');
    await openTab('audit');
    await shot('console-audit-dark-1280');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  });
});
