// Small helpers shared by the management test files (mgmt-*.test.js, claims.test.js).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { okData, outboxLatest } from './emulator.js';

/** A short random suffix for unique names. */
export function uid() {
  return randomBytes(5).toString('hex');
}

/** Signs an existing user in by email OTP (code from the outbox); returns the verify data. */
export async function signInByEmailOtp(client, project, loginId) {
  okData(await client.otp.signIn.email(loginId), 'otp.signIn.email');
  const message = await outboxLatest(project, loginId);
  if (!message.code) throw new Error(`outbox message has no code: ${JSON.stringify(message)}`);
  return okData(await client.otp.verify.email(loginId, message.code), 'otp.verify.email');
}

/** Asserts an SdkResponse failed with a 4xx and an errorCode. */
export function assertClientError(res, what) {
  assert.equal(res?.ok, false, `${what}: expected a failure, got ok with ${JSON.stringify(res?.data)}`);
  assert.ok(res.code >= 400 && res.code < 500, `${what}: expected 4xx, got ${res.code} ${JSON.stringify(res.error)}`);
  assert.ok(res.error?.errorCode, `${what}: no errorCode in ${JSON.stringify(res.error)}`);
}

/** Creates a user by management API with a verified email login ID; returns the user. */
export async function createUser(client, loginId, options = {}) {
  return okData(await client.management.user.create(loginId, { email: loginId, verifiedEmail: true, ...options }), 'user.create');
}
