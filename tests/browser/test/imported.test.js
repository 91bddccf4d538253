// An imported flow in a real browser: a v2 flow document (tests/it/data/flow-email-otp.json:
// a welcome screen, a "does the user exist" condition, email OTP, a profile screen for new
// users) is imported through the flow-management API, and the unmodified web component runs
// it against the emulator, which renders the document's screens to HTML. The code's input
// submits itself once full (`data-auto-submit`), as in Descope's own screens.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { EMULATOR_URL, createProject, deleteProject, esc, launch, screenshot, startApp, uniqueEmail } from '../lib/browser.js';

const require = createRequire(import.meta.url);
const WEB_COMPONENT = readFileSync(require.resolve('@descope/web-component/dist/index.js'), 'utf8');
const FLOW = JSON.parse(readFileSync(new URL('../../it/data/flow-email-otp.json', import.meta.url), 'utf8'));

function appPage(projectId) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body>
<descope-wc id="wc" project-id="${esc(projectId)}" flow-id="acme-otp" theme="light"
  base-url="${esc(EMULATOR_URL)}" base-static-url="${esc(EMULATOR_URL)}/pages" base-cdn-url="${esc(EMULATOR_URL)}"></descope-wc>
<script>
  document.getElementById('wc').addEventListener('success', (e) => { window.__success = e.detail; });
</script>
<script src="/wc.js"></script>
</body></html>`;
}

async function latestCode(projectId, to) {
  for (let i = 0; i < 50; i += 1) {
    const res = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${projectId}/outbox`);
    const found = (await res.json()).messages.filter((m) => m.to === to && m.kind === 'otp');
    if (found.length) return found[found.length - 1].code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code to ${to}`);
}

async function typeInto(page, field, text) {
  const input = await page.waitForSelector(`descope-wc >>> ${field} >>> input`, { visible: true, timeout: 20_000 });
  await input.click({ clickCount: 3 });
  await input.type(text, { delay: 20 });
}

async function typeCode(page, code) {
  await page.waitForSelector('descope-wc >>> descope-passcode >>> input', { visible: true, timeout: 20_000 });
  const boxes = await page.$$('descope-wc >>> descope-passcode >>> input');
  assert.equal(boxes.length, code.length);
  for (const [i, box] of boxes.entries()) {
    await box.click({ clickCount: 3 });
    await box.type(code[i], { delay: 20 });
  }
}

async function click(page, id) {
  const button = await page.waitForSelector(`descope-wc >>> descope-button#${id}`, { visible: true, timeout: 20_000 });
  await button.click();
}

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
      '/': () => ({ body: appPage(project.projectId) }),
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
    await page.waitForSelector('descope-wc >>> descope-email-field', { visible: true, timeout: 20_000 });
    const texts = await page.$$eval('descope-wc >>> descope-text', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(texts.includes('Welcome to Acme'), texts.join('|'));
    await screenshot(page, 'imported-1-welcome');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'Bt5sKc9wMz');
    const code = await latestCode(project.projectId, email);
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await typeCode(page, wrong);
    await page.waitForFunction(
      () => {
        const el = document.querySelector('descope-wc')?.shadowRoot?.querySelector('[data-type="error-message"]');
        return el && el.textContent.trim().length > 0;
      },
      { timeout: 20_000 },
    );
    await screenshot(page, 'imported-2-wrong-code');
    await typeCode(page, code);
    await typeInto(page, 'descope-text-field[name="fullName"]', 'Ada Imported');
    await screenshot(page, 'imported-3-profile');
    await click(page, 'Bt7mDx4pLr');
    await page.waitForFunction(() => window.__success, { timeout: 20_000 });
    const detail = await page.evaluate(() => window.__success);
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
