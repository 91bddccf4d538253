// Hosted flows in a real browser: a page on another origin loads the unmodified
// `@descope/web-component` from npm, with base-url, base-static-url and base-cdn-url pointing
// at the emulator (which serves the flow API, config.json, theme.json, the screens and the
// UI components bundle), and signs people in: an email code read from the outbox (a wrong
// one first, shown on the screen), a password sign-up and sign-in, and a magic link opened in
// a second tab while the first one polls. Sessions are checked with the Node SDK.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import {
  EMULATOR_URL,
  createProject,
  decodeJwt,
  deleteProject,
  esc,
  launch,
  screenshot,
  startApp,
  uniqueEmail,
} from '../lib/browser.js';

const require = createRequire(import.meta.url);
const WEB_COMPONENT = readFileSync(require.resolve('@descope/web-component/dist/index.js'), 'utf8');

/** The app's page: the web component and a `success` handler that shows the result. */
function appPage(projectId, flowId) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body>
<descope-wc id="wc" project-id="${esc(projectId)}" flow-id="${esc(flowId)}" theme="light"
  base-url="${esc(EMULATOR_URL)}" base-static-url="${esc(EMULATOR_URL)}/pages" base-cdn-url="${esc(EMULATOR_URL)}"></descope-wc>
<pre id="result"></pre>
<script>
  const wc = document.getElementById('wc');
  wc.addEventListener('success', (e) => {
    window.__success = e.detail;
    document.getElementById('result').textContent = 'signed in as ' + e.detail.user.loginIds.join(',');
  });
  wc.addEventListener('error', (e) => { window.__errors = (window.__errors || []).concat([e.detail]); });
</script>
<script src="/wc.js"></script>
</body></html>`;
}

async function outbox(projectId) {
  const res = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${projectId}/outbox`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

/** The newest message to `to`, waiting for it. */
async function messageTo(projectId, to, kind) {
  for (let i = 0; i < 50; i += 1) {
    const found = (await outbox(projectId)).filter((m) => m.to === to && m.kind === kind);
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} message to ${to}`);
}

/** Waits for a screen: the element with `id` inside the component's shadow DOM. */
async function waitFor(page, selector) {
  await page.waitForSelector(`descope-wc >>> ${selector}`, { visible: true, timeout: 20_000 });
}

async function typeInto(page, field, text) {
  const input = await page.waitForSelector(`descope-wc >>> ${field} >>> input`, { visible: true, timeout: 20_000 });
  await input.click({ clickCount: 3 });
  await input.type(text, { delay: 20 });
}

/** Types a code into the passcode's six boxes, one digit each (replacing what is there). */
async function typeCode(page, code) {
  await page.waitForSelector('descope-wc >>> descope-passcode >>> input', { visible: true, timeout: 20_000 });
  const boxes = await page.$$('descope-wc >>> descope-passcode >>> input');
  assert.equal(boxes.length, code.length);
  for (const [i, box] of boxes.entries()) {
    await box.click({ clickCount: 3 });
    await box.type(code[i], { delay: 20 });
  }
}

async function click(page, buttonId) {
  const button = await page.waitForSelector(`descope-wc >>> descope-button#${buttonId}`, {
    visible: true,
    timeout: 20_000,
  });
  await button.click();
}

async function errorText(page) {
  return page.$eval('descope-wc >>> [data-type="error-message"]', (el) => el.textContent.trim()).catch(() => '');
}

async function success(page) {
  await page.waitForFunction(() => window.__success, { timeout: 20_000 });
  return page.evaluate(() => window.__success);
}

describe('hosted flows in a browser', () => {
  let browser;
  let app;
  let project;
  let appUrl;
  let sdk;
  const requests = [];

  before(async () => {
    project = await createProject();
    app = await startApp({
      '/': (_req, url) => ({ body: appPage(project.projectId, url.searchParams.get('flow') ?? 'sign-up-or-in') }),
      '/wc.js': () => ({ type: 'text/javascript', body: WEB_COMPONENT }),
    });
    appUrl = `http://127.0.0.1:${app.port}/`;
    browser = await launch();
    sdk = DescopeClient({ projectId: project.projectId, baseUrl: EMULATOR_URL });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (project) await deleteProject(project.projectId);
  });

  async function newPage() {
    const page = await browser.newPage();
    // Nothing may leave the machine: every request goes to the app or the emulator.
    page.on('request', (r) => requests.push(r.url()));
    return page;
  }

  it('signs up with an email code; a wrong code is shown on the screen', async () => {
    const page = await newPage();
    const email = uniqueEmail();
    await page.goto(appUrl, { waitUntil: 'load' });
    await waitFor(page, 'descope-email-field');
    await screenshot(page, 'flow-1-first');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'sendCode');
    await waitFor(page, 'descope-passcode');
    const { code } = await messageTo(project.projectId, email, 'otp');
    assert.match(code, /^\d{6}$/);
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await typeCode(page, wrong);
    await click(page, 'verifyCode');
    await page.waitForFunction(
      () => {
        const host = document.querySelector('descope-wc');
        const el = host?.shadowRoot?.querySelector('[data-type="error-message"]');
        return el && el.textContent.trim().length > 0;
      },
      { timeout: 20_000 },
    );
    assert.match(await errorText(page), /code/i);
    await screenshot(page, 'flow-2-wrong-code');
    await typeCode(page, code);
    await click(page, 'verifyCode');
    const detail = await success(page);
    await screenshot(page, 'flow-3-signed-in');
    assert.deepEqual(detail.user.loginIds, [email]);
    assert.equal(detail.firstSeen, true);
    const claims = decodeJwt(detail.sessionJwt);
    assert.equal(claims.sub, detail.user.userId);
    // The web SDK persisted the tokens, and the Node SDK accepts the session.
    const stored = await page.evaluate(() => ({ ds: localStorage.getItem('DS'), dsr: localStorage.getItem('DSR') }));
    assert.equal(stored.ds, detail.sessionJwt);
    assert.ok(stored.dsr);
    const validated = await sdk.validateSession(detail.sessionJwt);
    assert.equal(validated.token.sub, detail.user.userId);
    await page.close();
  });

  it('signs up with an SMS code from the phone screen', async () => {
    const page = await newPage();
    const digits = String(Date.now()).slice(-7);
    const phone = `+1555${digits}`;
    await page.goto(appUrl, { waitUntil: 'load' });
    await click(page, 'usePhone');
    await waitFor(page, 'descope-text-field#phone');
    await new Promise((r) => setTimeout(r, 500)); // the screen's fade-in
    await screenshot(page, 'flow-7-phone');
    await typeInto(page, 'descope-text-field#phone', `+1 555 ${digits}`);
    await click(page, 'sendCode');
    await waitFor(page, 'descope-passcode');
    const message = await messageTo(project.projectId, phone, 'otp');
    assert.equal(message.channel, 'sms');
    await typeCode(page, message.code);
    await click(page, 'verifyCode');
    const detail = await success(page);
    assert.deepEqual(detail.user.loginIds, [phone]);
    assert.equal(detail.user.phone, phone);
    await sdk.validateSession(detail.sessionJwt);
    await page.close();
  });

  it('signs up and then in with a password', async () => {
    const email = uniqueEmail();
    let page = await newPage();
    await page.goto(appUrl, { waitUntil: 'load' });
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'usePassword');
    await waitFor(page, 'descope-password#newPassword');
    await typeInto(page, 'descope-password#newPassword', 'Correct-Horse-9');
    await click(page, 'signUp');
    const first = await success(page);
    assert.deepEqual(first.user.loginIds, [email]);
    await page.close();

    page = await newPage();
    await page.goto(appUrl, { waitUntil: 'load' });
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'usePassword');
    await waitFor(page, 'descope-password#password');
    await typeInto(page, 'descope-password#password', 'wrong-password');
    await click(page, 'signIn');
    await page.waitForFunction(
      () => document.querySelector('descope-wc')?.shadowRoot?.querySelector('[data-type="error-message"]')?.textContent.trim(),
      { timeout: 20_000 },
    );
    await screenshot(page, 'flow-4-wrong-password');
    await typeInto(page, 'descope-password#password', 'Correct-Horse-9');
    await click(page, 'signIn');
    const second = await success(page);
    assert.equal(second.user.userId, first.user.userId);
    assert.equal(second.firstSeen, false);
    await sdk.validateSession(second.sessionJwt);
    await page.close();
  });

  it('signs in with a magic link opened in another tab while the first one polls', async () => {
    const email = uniqueEmail();
    const page = await newPage();
    await page.goto(appUrl, { waitUntil: 'load' });
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'sendLink');
    await waitFor(page, '[data-type="polling"]');
    await screenshot(page, 'flow-5-link-sent');
    const { link } = await messageTo(project.projectId, email, 'magiclink');
    assert.ok(link.startsWith(appUrl), link);
    assert.match(link, /descope-login-flow=.+&t=/);
    const other = await newPage();
    await other.goto(link, { waitUntil: 'load' });
    const opened = await success(other);
    assert.deepEqual(opened.user.loginIds, [email]);
    // The first tab's polling completes with a session of its own (in front again, as a
    // person would look at it: background tabs' timers are throttled).
    await page.bringToFront();
    const polled = await success(page);
    assert.equal(polled.user.userId, opened.user.userId);
    await sdk.validateSession(polled.sessionJwt);
    await screenshot(page, 'flow-6-polled');
    await other.close();
    await page.close();
  });

  it('never left the machine', () => {
    const outside = requests.filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u) && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
  });
});
