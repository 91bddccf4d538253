// Social sign-in by clicking: Chromium opens the URL that `POST /v1/auth/oauth/authorize`
// answers (the emulator's fake Google), a person types an email and a name and clicks Continue,
// the browser lands on the app's callback with `code=`, and the app exchanges it. The second
// time the page lists the account: one click. Cancel brings `error=access_denied` back.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authPost,
  createProject,
  decodeJwt,
  deleteProject,
  esc,
  launch,
  screenshot,
  startApp,
  uniqueEmail,
} from '../lib/browser.js';

describe('oauth in a browser', () => {
  let browser;
  let app;
  let project;
  let page;
  let callback;

  before(async () => {
    project = await createProject();
    // The app: its callback shows what the provider sent back.
    app = await startApp({
      '/cb': (_req, url) => {
        const code = url.searchParams.get('code');
        const error = url.searchParams.get('error');
        return {
          body:
            `<!doctype html><title>callback</title>` +
            (code ? `<p>code: <code id="code">${esc(code)}</code></p>` : '') +
            (error ? `<p>error: <code id="error">${esc(error)}</code></p>` : ''),
        };
      },
    });
    callback = `http://127.0.0.1:${app.port}/cb`;
    browser = await launch();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (project) await deleteProject(project.projectId);
  });

  /** Starts OAuth with Google and opens the provider's page in the browser. */
  async function openProvider() {
    const { url } = await authPost(
      project,
      `/v1/auth/oauth/authorize?provider=google&redirectURL=${encodeURIComponent(callback)}`,
    );
    assert.ok(url, 'no url from oauth/authorize');
    const res = await page.goto(url, { waitUntil: 'load' });
    assert.equal(res.status(), 200, `GET ${url} -> ${res.status()}`);
    assert.match(await page.title(), /Sign in with Google/i);
  }

  /** Clicks `selector` and waits for the browser to arrive at the app's callback. */
  async function clickThrough(selector) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
    const at = new URL(page.url());
    assert.equal(`${at.origin}${at.pathname}`, callback, `landed on ${page.url()}`);
    return at.searchParams;
  }

  async function exchange(code) {
    return authPost(project, '/v1/auth/oauth/exchange', { code });
  }

  let userId;
  const email = uniqueEmail();

  it('a new person types who they are and clicks Continue', async () => {
    await openProvider();
    assert.equal(await page.$$eval('a.account', (a) => a.length), 0, 'no account known yet');
    await page.type('#email', email);
    await page.type('#name', 'Ann Browser');
    await screenshot(page, 'oauth-chooser-new');
    const query = await clickThrough('#approve');
    const shown = await page.$eval('#code', (el) => el.textContent);
    assert.equal(shown, query.get('code'));
    assert.ok(shown.length > 10, `code ${shown}`);

    const jwt = await exchange(shown);
    assert.equal(jwt.user.email, email);
    assert.equal(jwt.user.name, 'Ann Browser');
    assert.equal(jwt.user.verifiedEmail, true);
    assert.deepEqual(jwt.user.OAuth, { google: true });
    assert.equal(jwt.firstSeen, true);
    assert.deepEqual(decodeJwt(jwt.sessionJwt).amr, ['oauth']);
    userId = jwt.user.userId;
    assert.ok(userId);

    // A code is good once.
    await assert.rejects(exchange(shown), /-> 4\d\d/);
  });

  it('the second time the page lists the account: one click', async () => {
    assert.ok(userId, 'the first test signed up');
    await openProvider();
    const accounts = await page.$$eval('a.account', (as) => as.map((a) => a.textContent));
    assert.equal(accounts.length, 1, JSON.stringify(accounts));
    assert.ok(accounts[0].includes(email) && accounts[0].includes('Ann Browser'), accounts[0]);
    await screenshot(page, 'oauth-chooser-known');
    const query = await clickThrough('a.account');
    const jwt = await exchange(query.get('code'));
    assert.equal(jwt.user.userId, userId);
    assert.equal(jwt.user.email, email);
    assert.equal(jwt.firstSeen, false);
  });

  it('Cancel brings error=access_denied back to the app', async () => {
    await openProvider();
    const query = await clickThrough('#deny');
    assert.equal(query.get('error'), 'access_denied');
    assert.equal(query.get('code'), null);
    assert.equal(await page.$eval('#error', (el) => el.textContent), 'access_denied');
  });

  it('with no redirect URL the page shows the code (or the refusal)', async () => {
    const { url } = await authPost(project, '/v1/auth/oauth/authorize?provider=google');
    await page.goto(url, { waitUntil: 'load' });
    await page.click('a.account');
    await page.waitForSelector('#code');
    assert.ok(page.url().startsWith(new URL(url).origin), `stayed at the provider: ${page.url()}`);
    await screenshot(page, 'oauth-code-page');
    const jwt = await exchange(await page.$eval('#code', (el) => el.textContent.trim()));
    assert.equal(jwt.user.userId, userId);

    const again = await authPost(project, '/v1/auth/oauth/authorize?provider=google');
    await page.goto(again.url, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#deny')]);
    assert.match(await page.$eval('main', (el) => el.textContent), /You refused to sign in/);
    await screenshot(page, 'oauth-refused-page');
  });
});
