// Hosted flows in a real browser: a page on another origin loads the unmodified
// `@descope/web-component` from npm, with base-url, base-static-url and base-cdn-url pointing
// at the emulator (which serves the flow API, config.json, theme.json, the screens and the
// UI components bundle), and signs people in: an email code read from the outbox (a wrong
// one first, shown on the screen), a password sign-up and sign-in, and a magic link opened in
// a second tab while the first one polls. Sessions are checked with the Node SDK.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import {
  EMULATOR_URL,
  createProject,
  decodeJwt,
  deleteProject,
  launch,
  screenshot,
  startApp,
  uniqueEmail,
} from '../lib/browser.js';
import {
  WEB_COMPONENT,
  click,
  messageTo,
  settle,
  success,
  typeCode,
  typeInto,
  waitFor,
  waitForError,
  webComponentPage,
} from '../lib/flows.js';

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
      '/': (_req, url) => ({
        body: webComponentPage(project.projectId, url.searchParams.get('flow') ?? 'sign-up-or-in', { showResult: true }),
      }),
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
    assert.match(await waitForError(page), /code/i);
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
    await settle(); // the screen's fade-in
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
    await waitForError(page);
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
