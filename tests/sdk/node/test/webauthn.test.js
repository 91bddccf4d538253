// WebAuthn (passkeys) through @descope/node-sdk. The browser's part is played by the
// emulator's software authenticator, and in one test by the test's own authenticator
// (ES256 with node:crypto and a tiny CBOR encoder).

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  EMULATOR_URL,
  clientFor,
  createProject,
  decodeJwt,
  deleteProject,
  okData,
  signUpByEmailOtp,
  uniqueEmail,
} from '../lib/emulator.js';

const ORIGIN = 'http://localhost:3000';

async function emulatorCall(method, path, body) {
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The emulator's software authenticator. */
class SoftAuthenticator {
  static async create(project, options = {}) {
    const base = `/emulator/v1/projects/${project.projectId}/authenticators`;
    const { authenticatorId } = await emulatorCall('POST', base, options);
    return new SoftAuthenticator(`${base}/${authenticatorId}`);
  }

  constructor(path) {
    this.path = path;
  }

  async create(options, origin = ORIGIN) {
    return (await emulatorCall('POST', `${this.path}/create`, { options, origin })).response;
  }

  async get(options, origin = ORIGIN) {
    return (await emulatorCall('POST', `${this.path}/get`, { options, origin })).response;
  }

  async credentials() {
    return (await emulatorCall('GET', `${this.path}/credentials`)).credentials;
  }
}

function sessionAmr(data) {
  return decodeJwt(data.sessionJwt).amr;
}

// --- the test's own authenticator ---

function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) {
      const b = Buffer.alloc(3);
      b[0] = (major << 5) | 25;
      b.writeUInt16BE(n, 1);
      return b;
    }
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}

const sha256 = (data) => createHash('sha256').update(data).digest();

class OwnAuthenticator {
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' });
    this.credentialId = randomBytes(20);
    this.count = 0;
  }

  create(options, origin = ORIGIN) {
    const pk = JSON.parse(options).publicKey;
    const cose = new Map([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(this.jwk.x, 'base64url')],
      [-3, Buffer.from(this.jwk.y, 'base64url')],
    ]);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(pk.rp.id),
      Buffer.from([0x45]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLen,
      this.credentialId,
      cbor(cose),
    ]);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: pk.challenge, origin }));
    const attestation = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const id = this.credentialId.toString('base64url');
    return JSON.stringify({
      id,
      rawId: id,
      type: 'public-key',
      response: { attestationObject: attestation.toString('base64url'), clientDataJSON: clientData.toString('base64url') },
    });
  }

  get(options, origin = ORIGIN) {
    const pk = JSON.parse(options).publicKey;
    this.count += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.count);
    const authData = Buffer.concat([sha256(pk.rpId), Buffer.from([0x05]), counter]);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: pk.challenge, origin }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    const id = this.credentialId.toString('base64url');
    return JSON.stringify({
      id,
      rawId: id,
      type: 'public-key',
      response: {
        authenticatorData: authData.toString('base64url'),
        clientDataJSON: clientData.toString('base64url'),
        signature: signature.toString('base64url'),
      },
    });
  }
}

describe('webauthn', () => {
  let project;
  let client;

  before(async () => {
    project = await createProject();
    client = clientFor(project);
  });

  after(async () => {
    if (project) await deleteProject(project.projectId);
  });

  it('signs up, then signs in, with the software authenticator', async () => {
    const auth = await SoftAuthenticator.create(project);
    const loginId = uniqueEmail();
    const started = okData(await client.webauthn.signUp.start(loginId, ORIGIN, 'Node Key'), 'signUp.start');
    assert.equal(started.create, true);
    assert.equal(JSON.parse(started.options).publicKey.rp.id, 'localhost');
    const data = okData(
      await client.webauthn.signUp.finish(started.transactionId, await auth.create(started.options)),
      'signUp.finish',
    );
    assert.deepEqual(data.user.loginIds, [loginId]);
    assert.equal(data.user.webauthn, true);
    assert.deepEqual(sessionAmr(data), ['webauthn']);

    const signIn = okData(await client.webauthn.signIn.start(loginId, ORIGIN), 'signIn.start');
    const [credential] = await auth.credentials();
    assert.deepEqual(JSON.parse(signIn.options).publicKey.allowCredentials.map((c) => c.id), [credential.id]);
    const again = okData(
      await client.webauthn.signIn.finish(signIn.transactionId, await auth.get(signIn.options)),
      'signIn.finish',
    );
    assert.equal(again.user.userId, data.user.userId);
    assert.equal(again.firstSeen, false);
    const { token } = await client.validateSession(again.sessionJwt);
    assert.equal(token.sub, data.user.userId);
    assert.equal((await auth.credentials())[0].signCount, 1);
  });

  it('signUpOrIn says create for a new login ID, sign-in once it has a passkey', async () => {
    const auth = await SoftAuthenticator.create(project);
    const loginId = uniqueEmail();
    let started = okData(await client.webauthn.signUpOrIn.start(loginId, ORIGIN), 'signUpOrIn.start');
    assert.equal(started.create, true);
    const data = okData(
      await client.webauthn.signUp.finish(started.transactionId, await auth.create(started.options)),
      'signUp.finish',
    );
    started = okData(await client.webauthn.signUpOrIn.start(loginId, ORIGIN), 'signUpOrIn.start');
    assert.equal(started.create, false);
    const again = okData(
      await client.webauthn.signIn.finish(started.transactionId, await auth.get(started.options)),
      'signIn.finish',
    );
    assert.equal(again.user.userId, data.user.userId);
  });

  it('update adds a passkey to the signed-in user', async () => {
    const otp = await signUpByEmailOtp(client, project);
    const { loginId } = otp;
    const auth = await SoftAuthenticator.create(project);
    const started = okData(await client.webauthn.update.start(loginId, ORIGIN, otp.refreshJwt), 'update.start');
    const res = await client.webauthn.update.finish(started.transactionId, await auth.create(started.options));
    assert.equal(res.ok, true, JSON.stringify(res.error));
    const signIn = okData(await client.webauthn.signIn.start(loginId, ORIGIN), 'signIn.start');
    const data = okData(
      await client.webauthn.signIn.finish(signIn.transactionId, await auth.get(signIn.options)),
      'signIn.finish',
    );
    assert.equal(data.user.userId, otp.user.userId);
    assert.equal(data.user.webauthn, true);
  });

  it('refuses a wrong origin and a replayed transaction', async () => {
    const auth = await SoftAuthenticator.create(project);
    const loginId = uniqueEmail();
    const up = okData(await client.webauthn.signUp.start(loginId, ORIGIN, 'Neg'), 'signUp.start');
    okData(await client.webauthn.signUp.finish(up.transactionId, await auth.create(up.options)), 'signUp.finish');
    const started = okData(await client.webauthn.signIn.start(loginId, ORIGIN), 'signIn.start');
    const wrong = await client.webauthn.signIn.finish(
      started.transactionId,
      await auth.get(started.options, 'http://evil.test'),
    );
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error.errorCode, 'E067002');
    const good = await auth.get(started.options);
    okData(await client.webauthn.signIn.finish(started.transactionId, good), 'signIn.finish');
    const replay = await client.webauthn.signIn.finish(started.transactionId, good);
    assert.equal(replay.ok, false);
    assert.equal(replay.error.errorCode, 'E067001');
  });

  it('verifies an authenticator written with node:crypto', async () => {
    const own = new OwnAuthenticator();
    const loginId = uniqueEmail();
    const up = okData(await client.webauthn.signUp.start(loginId, ORIGIN, 'Own Key'), 'signUp.start');
    const data = okData(await client.webauthn.signUp.finish(up.transactionId, own.create(up.options)), 'signUp.finish');
    assert.equal(data.user.webauthn, true);
    const started = okData(await client.webauthn.signIn.start(loginId, ORIGIN), 'signIn.start');
    const again = okData(
      await client.webauthn.signIn.finish(started.transactionId, own.get(started.options)),
      'signIn.finish',
    );
    assert.equal(again.user.userId, data.user.userId);
    assert.deepEqual(sessionAmr(again), ['webauthn']);
  });
});
