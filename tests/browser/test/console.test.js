// The console at /emulator/ in a real browser: create a project in the UI, see an OTP sent
// through the Node SDK appear without a reload, copy its code, the unread badge, advance the
// clock, reset the project, and the API's own error messages for bad input. Screenshots at
// desktop (1280 px) and phone (390 px) width, light and dark, land in ARTIFACTS/console-*.png.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { EMULATOR_URL, deleteProject, launch, screenshot, uniqueEmail } from '../lib/browser.js';

const CONSOLE = `${EMULATOR_URL}/emulator/`;

async function api(method, path, body) {
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * The text of the first element matching `selector`, once `test(text, arg)` holds (`test` runs
 * in the page: it sees only its parameters).
 */
async function waitForText(page, selector, test, arg = null, timeout = 10_000) {
  const handle = await page.waitForFunction(
    (sel, src, value) => {
      const el = document.querySelector(sel);
      return el && new Function('t', 'arg', `return (${src})(t, arg)`)(el.textContent, value) ? el.textContent : false;
    },
    { timeout },
    selector,
    test.toString(),
    arg,
  );
  return handle.jsonValue();
}

describe('the console in a browser', () => {
  let browser;
  let page;
  let projectId;
  const requests = [];
  const pageErrors = [];
  const name = `Console test ${Date.now()}`;

  before(async () => {
    browser = await launch();
    const context = browser.defaultBrowserContext();
    await context.overridePermissions(EMULATOR_URL, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    if (projectId) await deleteProject(projectId).catch(() => {});
    await api('POST', '/emulator/v1/clock', { reset: true }).catch(() => {});
  });

  it('creates a project in the UI; a bad project ID shows the API\'s message', async () => {
    await page.goto(`${CONSOLE}#/projects`);
    await page.waitForSelector('#new-project');

    await page.click('#new-project');
    await page.waitForSelector('dialog[open] input[name=projectId]');
    await page.type('dialog[open] input[name=name]', 'Bad one');
    await page.type('dialog[open] input[name=projectId]', 'not a project id');
    await page.click('dialog[open] button[type=submit]');
    const message = await waitForText(page, 'dialog[open] .error-box', (t) => t.includes('Invalid project ID'));
    assert.match(message, /Invalid project ID not a project id/);
    await page.click('dialog[open] button[type=button]'); // Cancel
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));

    await page.click('#new-project');
    await page.waitForSelector('dialog[open] input[name=name]');
    await page.type('dialog[open] input[name=name]', name);
    await page.click('dialog[open] button[type=submit]');
    await waitForText(page, '.panel h2', (t) => t.startsWith('Console test'));
    projectId = await page.$eval('#project-id', (el) => el.textContent);
    assert.match(projectId, /^P[A-Za-z0-9]+$/);
    const listed = (await api('GET', '/emulator/v1/projects')).projects.find((p) => p.projectId === projectId);
    assert.equal(listed.name, name);
    // The picker selected it, and the URL names it.
    assert.equal(await page.$eval('#project', (el) => el.value), projectId);
    assert.ok(page.url().includes(`projectId=${projectId}`));
    // Its management key, shown on request, is the project's.
    await page.click('#management-key + button');
    const key = await page.$eval('#management-key', (el) => el.textContent);
    assert.equal(key, listed.managementKey);
    await screenshot(page, 'console-projects-desktop');
  });

  it('shows a project created elsewhere without a reload', async () => {
    const other = await api('POST', '/emulator/v1/projects', { name: 'Made by curl' });
    try {
      await page.waitForFunction((id) => [...document.querySelectorAll('#project option')].some((o) => o.value === id), { timeout: 10_000 }, other.projectId);
    } finally {
      await deleteProject(other.projectId);
    }
    await page.waitForFunction((id) => ![...document.querySelectorAll('#project option')].some((o) => o.value === id), { timeout: 10_000 }, other.projectId);
  });

  it('shows an OTP sent through the SDK without a reload, and copies its code', async () => {
    await page.click('#tab-outbox');
    await waitForText(page, '#outbox-list', (t) => t.includes('No messages yet'));
    await page.evaluate(() => { window.__sameDocument = true; });

    const email = uniqueEmail();
    const sdk = DescopeClient({ projectId, baseUrl: EMULATOR_URL });
    const sent = await sdk.otp.signUpOrIn.email(email);
    assert.ok(sent.ok, JSON.stringify(sent.error));

    await waitForText(page, '#outbox-list .msg .to', (t, want) => t === want, email);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    const latest = await api('GET', `/emulator/v1/projects/${projectId}/outbox/latest?loginId=${encodeURIComponent(email)}`);
    const shown = await page.$eval('#outbox-list .msg .code', (el) => el.textContent);
    assert.equal(shown, latest.code);

    const copy = await page.$('#outbox-list .msg .msg-secret button.copy');
    assert.equal(await copy.evaluate((b) => b.textContent), 'Copy code');
    await copy.click();
    await page.waitForFunction((b) => b.dataset.copied === 'true', { timeout: 5000 }, copy);
    assert.equal(await copy.evaluate((b) => b.textContent), 'Copied');
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clipboard, latest.code);

    // Full-text search narrows the list and finds the message by its code.
    await page.type('#outbox-search', 'no-such-text-anywhere');
    await waitForText(page, '#outbox-list', (t) => t.includes('No message matches'));
    await page.$eval('#outbox-search', (el) => { el.value = ''; });
    await page.type('#outbox-search', latest.code);
    await waitForText(page, '#outbox-list .msg .to', (t, want) => t === want, email);
    await screenshot(page, 'console-outbox-desktop');
    await page.$eval('#outbox-search', (el) => { el.value = ''; el.dispatchEvent(new Event('input')); });
  });

  it('marks messages that arrive on another tab as unread', async () => {
    await page.click('#tab-projects');
    await page.waitForSelector('#new-project');
    const sdk = DescopeClient({ projectId, baseUrl: EMULATOR_URL });
    await sdk.otp.signUpOrIn.sms('+15555550123');
    await waitForText(page, '#unread-badge', (t) => t === '1');
    assert.equal(await page.$eval('#unread-badge', (el) => el.hidden), false);
    await page.click('#tab-outbox');
    await page.waitForSelector('#outbox-list .msg.unread');
    await page.waitForFunction(() => document.querySelector('#unread-badge').hidden, { timeout: 5000 });
  });

  it('advances the clock; bad input shows the API\'s message', async () => {
    await page.click('#tab-clock');
    await waitForText(page, '#clock-detail', (t) => t.length > 0);
    await page.click('button.advance[data-seconds="3600"]');
    await waitForText(page, '#clock-detail', (t) => t.startsWith('Ahead of real time by'));
    const clock = await api('GET', '/emulator/v1/clock');
    assert.ok(clock.offsetSeconds >= 3599 && clock.offsetSeconds <= 3601, JSON.stringify(clock));
    // The header's clock chip follows the live event.
    await waitForText(page, '#clock-chip', (t) => t.includes('+'));

    await page.type('#advance-seconds', '999999999999999');
    await page.click('#advance-seconds ~ button[type=submit]');
    const message = await waitForText(page, '.error-box', (t) => t.includes('advanceSeconds'));
    assert.match(message, /advanceSeconds would move the clock out of the years 1 to 9999/);
    await screenshot(page, 'console-clock-desktop');

    await page.click('#clock-reset');
    await waitForText(page, '#clock-detail', (t) => t.startsWith('In step'));
    assert.equal((await api('GET', '/emulator/v1/clock')).offsetSeconds, 0);
  });

  it('resets the project', async () => {
    assert.equal((await api('GET', `/emulator/v1/projects/${projectId}/outbox`)).messages.length, 2);
    await page.click('#tab-projects');
    await page.waitForSelector('#reset-project');
    await page.click('#reset-project');
    await page.waitForSelector('dialog[open] button.danger');
    await page.click('dialog[open] button.danger');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    await page.waitForFunction(async (id) => {
      const r = await fetch(`/emulator/v1/projects/${id}/outbox`);
      return (await r.json()).messages.length === 0;
    }, { timeout: 10_000 }, projectId);
    await page.click('#tab-outbox');
    await waitForText(page, '#outbox-list', (t) => t.includes('No messages yet'));
  });

  it('fits a phone and the dark scheme', async () => {
    const sdk = DescopeClient({ projectId, baseUrl: EMULATOR_URL });
    await sdk.magicLink.signUpOrIn.email(uniqueEmail(), `${EMULATOR_URL}/emulator/magiclink`);
    await sdk.otp.signUpOrIn.email(uniqueEmail());
    await page.waitForFunction(() => document.querySelectorAll('#outbox-list .msg').length === 2, { timeout: 10_000 });
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const tab of ['outbox', 'projects', 'clock']) {
      await page.click(`#tab-${tab}`);
      await page.waitForSelector(`#view-${tab} .panel`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the ${tab} tab is ${overflow}px wider than a phone`);
      await screenshot(page, `console-${tab}-phone`);
    }
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.setViewport({ width: 1280, height: 860 });
    await page.click('#tab-outbox');
    await page.waitForSelector('#view-outbox .msg');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(245, 246, 248)', 'the dark scheme did not apply');
    await screenshot(page, 'console-outbox-dark');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  });

  it('never left the machine and threw no script errors', () => {
    const outside = requests.filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(outside, []);
    assert.deepEqual(pageErrors, []);
  });
});
