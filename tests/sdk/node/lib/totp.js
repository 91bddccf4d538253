// TOTP codes for the Node SDK suite: RFC 6238 with the authenticator-app defaults
// (HMAC-SHA1, 30-second steps, 6 digits), computed from the base32 key of a TOTP sign-up.

import { createHmac } from 'node:crypto';
import { EMULATOR_URL } from './emulator.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/=+$/, '')) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${text}`);
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit code of `key` at `atSeconds` (Unix seconds). */
export function totpCode(key, atSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigInt64BE(BigInt(Math.floor(atSeconds / 30)));
  const digest = createHmac('sha1', base32Decode(key)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/** The emulator's clock in Unix seconds: it judges the code and may be offset from the real one. */
export async function emulatorNow() {
  const res = await fetch(`${EMULATOR_URL}/emulator/v1/clock`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /emulator/v1/clock -> ${res.status} ${text}`);
  return JSON.parse(text).now;
}
