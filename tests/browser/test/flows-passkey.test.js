// Passkeys in the hosted flows: the unmodified `<descope-wc>` on a page at http://localhost
// (a secure context whose rpId is `localhost`) offers "Use a passkey" on the first screen; the
// flow answers webauthnCreate / webauthnGet, the component runs the ceremony with the browser's
// own WebAuthn API (Chromium's virtual authenticator, CDP WebAuthn.*) and the emulator verifies
// the credential. Sign up, then sign in with the same passkey; the sessions validate with the
// Node SDK.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { EMULATOR_URL, createProject, decodeJwt, deleteProject, launch, screenshot, startApp, uniqueEmail } from '../lib/browser.js';
import { WEB_COMPONENT, click, settle, success, typeInto, waitFor, waitForError, webComponentPage } from '../lib/flows.js';

describe('passkeys in the hosted flows', () => {
  let browser;
  let app;
  let project;
  let origin;
  let page;
  let cdp;
  let authenticatorId;
  let sdk;
  const email = uniqueEmail();
  let userId;

  before(async () => {
    project = await createProject();
    app = await startApp({
      '/': (_req, url) => ({ body: webComponentPage(project.projectId, url.searchParams.get('flow') ?? 'sign-up-or-in') }),
      '/wc.js': () => ({ type: 'text/javascript', body: WEB_COMPONENT }),
    });
    origin = `http://localhost:${app.port}`;
    browser = await launch();
    page = await browser.newPage();
    cdp = await page.createCDPSession();
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    sdk = DescopeClient({ projectId: project.projectId, baseUrl: EMULATOR_URL });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (project) await deleteProject(project.projectId);
  });

  async function open(flow) {
    await page.evaluate(() => localStorage.clear()).catch(() => {});
    await page.goto(`${origin}/?flow=${flow}`, { waitUntil: 'load' });
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    await waitFor(page, 'descope-button#usePasskey');
  }

  async function credentials() {
    return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  }

  it('signs up with a passkey that Chromium makes', async () => {
    await open('sign-up-or-in');
    await settle();
    await screenshot(page, 'flow-passkey-1-first');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'usePasskey');
    const detail = await success(page);
    await screenshot(page, 'flow-passkey-2-signed-up');
    assert.deepEqual(detail.user.loginIds, [email]);
    assert.equal(detail.user.webauthn, true);
    assert.equal(detail.firstSeen, true);
    assert.deepEqual(decodeJwt(detail.sessionJwt).amr, ['webauthn']);
    await sdk.validateSession(detail.sessionJwt);
    userId = detail.user.userId;
    const held = await credentials();
    assert.equal(held.length, 1);
    assert.equal(held[0].rpId, 'localhost');
  });

  it('signs in with it', async () => {
    assert.ok(userId, 'the sign-up ran');
    const count = (await credentials())[0].signCount;
    await open('sign-in');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'usePasskey');
    const detail = await success(page);
    assert.equal(detail.user.userId, userId);
    assert.equal(detail.firstSeen, false);
    assert.ok(decodeJwt(detail.sessionJwt).amr.includes('webauthn'));
    await sdk.validateSession(detail.sessionJwt);
    assert.equal((await credentials())[0].signCount, count + 1, 'the browser signed the assertion');
    assert.deepEqual(await page.evaluate(() => window.__errors ?? []), []);
  });

  it('shows why a sign-up of the existing user is refused', async () => {
    await open('sign-up');
    await typeInto(page, 'descope-email-field', email);
    await click(page, 'usePasskey');
    assert.match(await waitForError(page), /already exists/);
    await screenshot(page, 'flow-passkey-3-exists');
    assert.equal((await credentials()).length, 1);
  });
});
