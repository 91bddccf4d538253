// The React SDK against the emulator: a small app bundled at test time with esbuild from the
// npm packages (`@descope/react-sdk` with its own `@descope/web-component`, react, react-dom),
// served from another origin. `<AuthProvider>` points baseUrl, baseStaticUrl and baseCdnUrl at
// the emulator; `<Descope flowId="sign-up-or-in">` runs the built-in flow; after the success
// the app shows the user from `useUser()` / `useSession()`, and again after a reload (the SDK
// persisted the tokens and refreshes the session from them).

import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import * as esbuild from 'esbuild';
import { EMULATOR_URL, createProject, decodeJwt, deleteProject, launch, screenshot, startApp, uniqueEmail } from '../lib/browser.js';
import { click, messageTo, settle, success, typeCode, typeInto, waitFor, waitForError } from '../lib/flows.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The app: config comes from `window.__CONFIG`, set by the page. */
const APP_SOURCE = `
import React from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider, Descope, useSession, useUser } from '@descope/react-sdk';

const config = window.__CONFIG;

function Who() {
  const { isAuthenticated, isSessionLoading, sessionToken } = useSession();
  const { user, isUserLoading } = useUser();
  if (isSessionLoading || isUserLoading) return <p id="loading">Loading…</p>;
  if (!isAuthenticated) return <p id="anonymous">Not signed in</p>;
  return (
    <p id="who" data-user-id={user?.userId ?? ''} data-session={sessionToken ?? ''}>
      Signed in as {user?.email}
    </p>
  );
}

function App() {
  const { isAuthenticated, isSessionLoading } = useSession();
  return (
    <main style={{ maxWidth: 420, margin: '24px auto', fontFamily: 'sans-serif' }}>
      <h1>React app</h1>
      <Who />
      {!isAuthenticated && !isSessionLoading && (
        <Descope
          flowId={config.flowId}
          theme="light"
          onSuccess={(e) => { window.__success = e.detail; }}
          onError={(e) => { window.__errors = (window.__errors || []).concat([e.detail]); }}
        />
      )}
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <AuthProvider
    projectId={config.projectId}
    baseUrl={config.emulator}
    baseStaticUrl={config.emulator + '/pages'}
    baseCdnUrl={config.emulator}
  >
    <App />
  </AuthProvider>,
);
`;

async function bundle() {
  const result = await esbuild.build({
    stdin: { contents: APP_SOURCE, resolveDir: resolve(HERE, '..'), loader: 'jsx', sourcefile: 'app.jsx' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  assert.equal(result.outputFiles.length, 1);
  return result.outputFiles[0].text;
}

function appPage(projectId) {
  const config = JSON.stringify({ projectId, emulator: EMULATOR_URL, flowId: 'sign-up-or-in' });
  return `<!doctype html><html><head><meta charset="utf-8"><title>react app</title></head><body>
<div id="root"></div>
<script>window.__CONFIG = ${config.replace(/</g, '\\u003c')};</script>
<script src="/app.js"></script>
</body></html>`;
}

describe('the React SDK in a browser', () => {
  let browser;
  let app;
  let project;
  let appUrl;
  let sdk;
  const requests = [];

  before(async () => {
    const [js, created] = await Promise.all([bundle(), createProject()]);
    project = created;
    app = await startApp({
      '/': () => ({ body: appPage(project.projectId) }),
      '/app.js': () => ({ type: 'text/javascript', body: js }),
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

  it('signs up with an email code through <Descope>; the hooks show the user, also after a reload', async () => {
    const page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    const email = uniqueEmail();
    await page.goto(appUrl, { waitUntil: 'load' });
    await page.waitForSelector('#anonymous', { timeout: 20_000 });
    await waitFor(page, 'descope-email-field');
    await settle();
    await screenshot(page, 'react-1-first');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'sendCode');
    await waitFor(page, 'descope-passcode');
    const { code } = await messageTo(project.projectId, email, 'otp');
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await typeCode(page, wrong);
    await click(page, 'verifyCode');
    assert.match(await waitForError(page), /code/i);
    await screenshot(page, 'react-2-wrong-code');
    await typeCode(page, code);
    await click(page, 'verifyCode');

    const detail = await success(page);
    assert.deepEqual(detail.user.loginIds, [email]);
    assert.equal(detail.firstSeen, true);
    assert.equal(decodeJwt(detail.sessionJwt).sub, detail.user.userId);
    const validated = await sdk.validateSession(detail.sessionJwt);
    assert.equal(validated.token.sub, detail.user.userId);

    // The hooks took the session: the app shows the user and the flow is gone.
    const who = await page.waitForSelector('#who', { timeout: 20_000 });
    assert.equal(await who.evaluate((el) => el.dataset.userId), detail.user.userId);
    assert.equal(await who.evaluate((el) => el.dataset.session), detail.sessionJwt);
    assert.match(await who.evaluate((el) => el.textContent), new RegExp(`Signed in as ${email.replace(/\./g, '\\.')}`));
    assert.equal(await page.$('descope-wc'), null);
    await screenshot(page, 'react-3-signed-in');
    const stored = await page.evaluate(() => ({ ds: localStorage.getItem('DS'), dsr: localStorage.getItem('DSR') }));
    assert.equal(stored.ds, detail.sessionJwt);
    assert.ok(stored.dsr);

    // A reload: the SDK refreshes from the persisted refresh token and the hooks have the user.
    await page.reload({ waitUntil: 'load' });
    const again = await page.waitForSelector('#who', { timeout: 20_000 });
    assert.equal(await again.evaluate((el) => el.dataset.userId), detail.user.userId);
    const session = await again.evaluate((el) => el.dataset.session);
    assert.equal(decodeJwt(session).sub, detail.user.userId);
    await sdk.validateSession(session);
    await screenshot(page, 'react-4-reloaded');
    const errors = await page.evaluate(() => window.__errors ?? []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('never left the machine', () => {
    assert.ok(requests.length > 0);
    const outside = requests.filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u) && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
  });
});
