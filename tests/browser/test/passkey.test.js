// Passkeys with the browser's own authenticator: a page on http://localhost (a secure context,
// rpId `localhost`) calls the emulator's WebAuthn API with fetch (cross-origin: the emulator
// allows CORS), hands the options to navigator.credentials.create/get exactly as web-js does,
// and Chromium's virtual authenticator (CDP WebAuthn.*) makes and signs the credential. The
// emulator verifies what a real browser produced.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  EMULATOR_URL,
  createProject,
  decodeJwt,
  deleteProject,
  launch,
  startApp,
  uniqueEmail,
} from '../lib/browser.js';

/**
 * Runs in the page: one WebAuthn ceremony the way web-js does it. `kind` is 'signup', 'signin'
 * or 'update' (add a passkey; `bearer` is then `<projectId>:<refreshJwt>`); `start` is the start
 * body (without `origin`). Resolves to {options, credentialId, jwt: the finish's answer}, or
 * {error} with where it failed.
 */
async function ceremonyInPage(emulatorUrl, bearer, kind, start) {
  const b64urlToBuf = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
  const bufToB64url = (b) =>
    btoa(String.fromCharCode(...new Uint8Array(b)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const post = async (path, body) => {
    const res = await fetch(`${emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const started = await post(`/v1/auth/webauthn/${kind}/start`, { ...start, origin: location.origin });
    const options = JSON.parse(started.options);
    const pk = options.publicKey;
    pk.challenge = b64urlToBuf(pk.challenge);
    let response;
    if (kind !== 'signin') {
      pk.user.id = b64urlToBuf(pk.user.id);
      pk.excludeCredentials?.forEach((c) => (c.id = b64urlToBuf(c.id)));
      const cred = await navigator.credentials.create(options);
      response = {
        id: cred.id,
        rawId: bufToB64url(cred.rawId),
        type: cred.type,
        response: {
          attestationObject: bufToB64url(cred.response.attestationObject),
          clientDataJSON: bufToB64url(cred.response.clientDataJSON),
        },
      };
    } else {
      pk.allowCredentials?.forEach((c) => (c.id = b64urlToBuf(c.id)));
      const cred = await navigator.credentials.get(options);
      response = {
        id: cred.id,
        rawId: bufToB64url(cred.rawId),
        type: cred.type,
        response: {
          authenticatorData: bufToB64url(cred.response.authenticatorData),
          clientDataJSON: bufToB64url(cred.response.clientDataJSON),
          signature: bufToB64url(cred.response.signature),
          userHandle: cred.response.userHandle ? bufToB64url(cred.response.userHandle) : undefined,
        },
      };
    }
    const finished = await post(`/v1/auth/webauthn/${kind}/finish`, {
      transactionId: started.transactionId,
      response: JSON.stringify(response),
    });
    return { options: started.options, credentialId: response.id, jwt: finished };
  } catch (e) {
    return { error: `${e.name}: ${e.message}` };
  }
}

describe('passkeys with the browser authenticator', () => {
  let browser;
  let app;
  let project;
  let page;
  let cdp;
  let authenticatorId;
  let origin;

  before(async () => {
    project = await createProject();
    app = await startApp({
      '/': () => ({ body: '<!doctype html><html lang="en"><title>passkeys</title><h1>An app on localhost</h1></html>' }),
    });
    origin = `http://localhost:${app.port}`;
    browser = await launch();
    page = await browser.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    assert.equal(await page.evaluate(() => window.isSecureContext), true, 'localhost is a secure context');
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
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (project) await deleteProject(project.projectId);
  });

  const loginId = uniqueEmail();
  let userId;
  let credentialId;

  async function ceremony(kind, start, bearer) {
    const out = await page.evaluate(ceremonyInPage, EMULATOR_URL, bearer ?? project.projectId, kind, start);
    assert.ok(!out.error, `${kind} in the browser: ${out.error}`);
    return out;
  }

  async function browserCredentials() {
    return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  }

  it('signs up with a passkey that Chromium makes', async () => {
    const out = await ceremony('signup', { user: { loginId, name: 'Pat Key' } });
    const rp = JSON.parse(out.options).publicKey.rp;
    assert.equal(rp.id, 'localhost');

    const { jwt } = out;
    assert.equal(jwt.user.loginIds[0], loginId);
    assert.equal(jwt.user.name, 'Pat Key');
    assert.equal(jwt.user.webauthn, true);
    assert.equal(jwt.firstSeen, true);
    assert.deepEqual(decodeJwt(jwt.sessionJwt).amr, ['webauthn']);
    userId = jwt.user.userId;

    // The browser holds the credential, for rpId localhost, with our user handle.
    const creds = await browserCredentials();
    assert.equal(creds.length, 1);
    assert.equal(creds[0].rpId, 'localhost');
    assert.equal(creds[0].isResidentCredential, true);
    assert.equal(Buffer.from(creds[0].credentialId, 'base64').toString('base64url'), out.credentialId);
    credentialId = out.credentialId;
  });

  it('signs in with it: the browser signs, the emulator verifies', async () => {
    assert.ok(userId, 'the sign-up ran');
    const before = (await browserCredentials())[0].signCount;
    const out = await ceremony('signin', { loginId });
    const allowed = JSON.parse(out.options).publicKey.allowCredentials.map((c) => c.id);
    assert.deepEqual(allowed, [credentialId]);
    assert.equal(out.credentialId, credentialId);
    assert.equal(out.jwt.user.userId, userId);
    assert.equal(out.jwt.firstSeen, false);
    const amr = decodeJwt(out.jwt.sessionJwt).amr;
    assert.ok(amr.includes('webauthn'), JSON.stringify(amr));
    assert.equal((await browserCredentials())[0].signCount, before + 1, 'the authenticator counted the use');

    // Again: the counter moves on and the emulator accepts the higher count.
    const again = await ceremony('signin', { loginId });
    assert.equal(again.jwt.user.userId, userId);
  });

  it('signs in with no login ID: the browser picks the resident credential', async () => {
    const out = await ceremony('signin', { loginId: '' });
    assert.deepEqual(JSON.parse(out.options).publicKey.allowCredentials ?? [], []);
    assert.equal(out.credentialId, credentialId);
    assert.equal(out.jwt.user.userId, userId);
    assert.ok(decodeJwt(out.jwt.sessionJwt).amr.includes('webauthn'));
  });

  it('adding a second passkey on the same authenticator is refused by the browser (excludeCredentials)', async () => {
    const signedIn = await ceremony('signin', { loginId });
    const out = await page.evaluate(
      ceremonyInPage,
      EMULATOR_URL,
      `${project.projectId}:${signedIn.jwt.refreshJwt}`,
      'update',
      { loginId },
    );
    assert.match(out.error ?? '', /^InvalidStateError/, JSON.stringify(out));
    assert.equal((await browserCredentials()).length, 1);
  });

  it('a sign-up of an existing login ID is refused by the emulator', async () => {
    const out = await page.evaluate(ceremonyInPage, EMULATOR_URL, project.projectId, 'signup', {
      user: { loginId, name: 'Pat Key' },
    });
    assert.match(out.error ?? '', /signup\/start -> 400 .*E062107/, JSON.stringify(out));
    assert.equal((await browserCredentials()).length, 1);
  });
});
