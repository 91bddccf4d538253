// An imported flow in a real browser: a v2 flow document (tests/it/data/flow-email-otp.json:
// a welcome screen, a "does the user exist" condition, email OTP, a profile screen for new
// users) is imported through the flow-management API, and the unmodified web component runs
// it against the emulator, which renders the document's screens to HTML. The code's input
// submits itself once full (`data-auto-submit`), as in Descope's own screens.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { EMULATOR_URL, createProject, deleteProject, launch, screenshot, startApp, uniqueEmail } from '../lib/browser.js';
import { WEB_COMPONENT, click, messageTo, success, typeCode, typeInto, waitFor, waitForError, webComponentPage } from '../lib/flows.js';

const FLOW = JSON.parse(readFileSync(new URL('../../it/data/flow-email-otp.json', import.meta.url), 'utf8'));

describe('an imported flow in a browser', () => {
  let browser;
  let app;
  let project;

  before(async () => {
    project = await createProject();
    const res = await fetch(`${EMULATOR_URL}/v2/mgmt/flow/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.projectId}:${project.managementKey}` },
      body: JSON.stringify({ flow: FLOW }),
    });
    assert.equal(res.status, 200, await res.text());
    app = await startApp({
      '/': () => ({ body: webComponentPage(project.projectId, 'acme-otp') }),
      '/wc.js': () => ({ type: 'text/javascript', body: WEB_COMPONENT }),
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (project) await deleteProject(project.projectId);
  });

  it('signs a new user up through the imported screens', async () => {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const email = uniqueEmail();
    await page.goto(`http://127.0.0.1:${app.port}/`, { waitUntil: 'load' });
    await waitFor(page, 'descope-email-field');
    const texts = await page.$$eval('descope-wc >>> descope-text', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(texts.includes('Welcome to Acme'), texts.join('|'));
    await screenshot(page, 'imported-1-welcome');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'Bt5sKc9wMz');
    const { code } = await messageTo(project.projectId, email, 'otp');
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await typeCode(page, wrong);
    await waitForError(page);
    await screenshot(page, 'imported-2-wrong-code');
    await typeCode(page, code);
    await typeInto(page, 'descope-text-field[name="fullName"]', 'Ada Imported');
    await screenshot(page, 'imported-3-profile');
    await click(page, 'Bt7mDx4pLr');
    const detail = await success(page);
    assert.deepEqual(detail.user.loginIds, [email]);
    const sdk = DescopeClient({ projectId: project.projectId, baseUrl: EMULATOR_URL });
    const validated = await sdk.validateSession(detail.sessionJwt);
    assert.equal(validated.token.sub, detail.user.userId);
    const html = requests.filter((u) => u.endsWith('.html')).map((u) => u.split('/').pop());
    assert.ok(html.includes('SCwelcome2Xk9aPqR7mN.html') && html.includes('SCinfo7Gd2kVr4sHy.html'), html.join());
    assert.ok(requests.every((u) => u.startsWith(EMULATOR_URL) || u.startsWith(`http://127.0.0.1:${app.port}`)), requests.join('\n'));
    await page.close();
  });
});
