// Helpers for the Node SDK compatibility suite.
//
// The tests drive the official @descope/node-sdk, unmodified, against a running emulator whose
// address comes from DESCOPE_EMULATOR_URL (scripts/test.sh sets it). Only the emulator-only
// surface (projects, outbox, clock; shared/EMULATOR_API.md) is called directly, with fetch.

import { randomBytes, randomInt } from 'node:crypto';
import DescopeClient from '@descope/node-sdk';

export const EMULATOR_URL = (process.env.DESCOPE_EMULATOR_URL ?? 'http://127.0.0.1:4545').replace(/\/+$/, '');

/** The redirect a magic link points at; the emulator appends `t=<token>` to it. */
export const MAGIC_LINK_URI = 'http://localhost:3000/verify';

export function uniqueEmail() {
  return `sdk-node-${randomBytes(6).toString('hex')}@example.com`;
}

export function uniquePhone() {
  return `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** The payload of a JWT, decoded without verification (for looking at claims). */
export function decodeJwt(jwt) {
  const [, payload] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

async function call(method, path, body) {
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

async function expectOk(method, path, body) {
  const res = await call(method, path, body);
  if (res.status >= 300) {
    throw new Error(`${method} ${path} -> ${res.status} ${res.text}`);
  }
  return res.json;
}

export async function createProject() {
  const body = await expectOk('POST', '/emulator/v1/projects', {});
  for (const field of ['projectId', 'name', 'managementKey']) {
    if (!body?.[field]) throw new Error(`POST /emulator/v1/projects: no ${field} in ${JSON.stringify(body)}`);
  }
  return body;
}

export async function deleteProject(projectId) {
  await expectOk('DELETE', `/emulator/v1/projects/${projectId}`);
}

export async function resetClock() {
  await expectOk('POST', '/emulator/v1/clock', { reset: true });
}

export async function advanceClock(seconds) {
  await expectOk('POST', '/emulator/v1/clock', { advanceSeconds: seconds });
}

/** A fresh SDK client for the project (so keys are fetched anew). */
export function clientFor(project, { managementKey } = {}) {
  return DescopeClient({
    projectId: project.projectId,
    baseUrl: EMULATOR_URL,
    managementKey: managementKey ?? project.managementKey,
  });
}

/** The newest outbox message for loginId, waiting for one that is not `newerThan`. */
export async function outboxLatest(project, loginId, { newerThan, timeoutMs = 10_000 } = {}) {
  const path = `/emulator/v1/projects/${project.projectId}/outbox/latest?loginId=${encodeURIComponent(loginId)}&wait=5`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no request made';
  for (;;) {
    const res = await call('GET', path);
    if (res.status === 200) {
      if (!newerThan || res.json.id !== newerThan.id) return res.json;
      last = `only the earlier message ${res.json.id}`;
    } else if (res.status === 404) {
      last = `404 ${res.text}`;
    } else {
      throw new Error(`GET ${path} -> ${res.status} ${res.text}`);
    }
    if (Date.now() > deadline) throw new Error(`no new outbox message for ${loginId} within ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asserts an SdkResponse is ok and returns its data, with the error in the message if not. */
export function okData(res, what) {
  if (!res?.ok) {
    throw new Error(`${what}: expected ok, got code ${res?.code} ${JSON.stringify(res?.error)}`);
  }
  return res.data;
}

/** Signs up a new user by email OTP (code from the outbox); returns the verify data and loginId. */
export async function signUpByEmailOtp(client, project, loginId = uniqueEmail()) {
  okData(await client.otp.signUp.email(loginId), 'otp.signUp.email');
  const message = await outboxLatest(project, loginId);
  if (!message.code) throw new Error(`outbox message has no code: ${JSON.stringify(message)}`);
  const data = okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
  return { ...data, loginId };
}
