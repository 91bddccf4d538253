// JWT: decode a pasted token (header, claims, times as dates) and check it: the signature
// with WebCrypto against the project's published keys, the expiry by the emulator clock.
import { h, panel, decodeJwt, formatTime, showError, request } from '../lib.js';

const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];

/** The project a token names: the last path segment of its issuer, or its audience. */
function projectOf(payload, fallback) {
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  const fromIss = iss.split('/').filter(Boolean).pop() || '';
  if (/^P[A-Za-z0-9]{1,30}$/.test(fromIss)) return fromIss;
  const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  if (typeof aud === 'string' && /^P[A-Za-z0-9]{1,30}$/.test(aud)) return aud;
  return fallback;
}

async function verifySignature(ctx, jwt) {
  const { header, payload, signature, signingInput } = jwt;
  if (header.alg === 'none') return { ok: false, text: 'Unsigned (alg "none"): never accept it' };
  if (header.alg !== 'RS256') return { ok: false, text: `Algorithm ${header.alg} is not checked here (the emulator signs with RS256)` };
  if (!globalThis.crypto?.subtle) return { ok: null, text: 'WebCrypto is unavailable on this page (open the console on localhost or https)' };
  const project = projectOf(payload, ctx.projectId);
  if (!project) return { ok: null, text: 'No project to check against: pick one above' };
  let keys;
  try {
    keys = (await request('GET', `/v2/keys/${encodeURIComponent(project)}`)).keys || [];
  } catch (e) {
    return { ok: false, text: `Could not read the keys of ${project}: ${e.message}` };
  }
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return { ok: false, text: `No key ${header.kid || '(no kid)'} among ${project}'s published keys (${keys.length})` };
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, new TextEncoder().encode(signingInput));
    return ok ? { ok: true, text: `Signature valid: key ${jwk.kid} of ${project}` } : { ok: false, text: `Signature does NOT match key ${jwk.kid} of ${project}` };
  } catch (e) {
    return { ok: false, text: `Could not check the signature: ${e.message}` };
  }
}

function timeCheck(payload, nowMs) {
  const now = nowMs / 1000;
  if (typeof payload.exp === 'number' && payload.exp <= now) return { ok: false, text: `Expired ${formatTime(payload.exp * 1000)} (emulator time ${formatTime(nowMs)})` };
  if (typeof payload.nbf === 'number' && payload.nbf > now) return { ok: false, text: `Not valid before ${formatTime(payload.nbf * 1000)}` };
  if (typeof payload.exp !== 'number') return { ok: null, text: 'No exp claim' };
  return { ok: true, text: `Not expired by the emulator clock: expires ${formatTime(payload.exp * 1000)}` };
}

function verdict({ ok, text }) {
  const cls = ok === true ? 'ok-box' : ok === false ? 'error-box' : 'warn-box';
  return h('div', { class: cls, role: 'status' }, text);
}

export default {
  async mount(root, ctx) {
    const out = h('div', { id: 'jwt-result' });
    const input = h('textarea', { id: 'jwt-input', rows: 5, placeholder: 'eyJhbGciOi…', 'aria-label': 'JWT', spellcheck: 'false' });
    let seq = 0;
    async function inspect() {
      const n = ++seq;
      const text = input.value.trim();
      if (!text) { out.replaceChildren(h('p', { class: 'empty' }, 'Paste a session, refresh or access-key token to decode and check it.')); return; }
      let jwt;
      try { jwt = decodeJwt(text); } catch (e) { showError(out, e); return; }
      const { header, payload } = jwt;
      const times = TIME_CLAIMS.filter((c) => typeof payload[c] === 'number');
      const checks = h('div', {}, verdict({ ok: null, text: 'Checking the signature…' }));
      out.replaceChildren(
        checks,
        h('div', { class: 'grid2' },
          panel('Header', [], h('pre', { class: 'jwt-part' }, JSON.stringify(header, null, 2))),
          panel('Times', [], times.length ? h('dl', { class: 'kv' }, times.map((c) => [h('dt', {}, c), h('dd', {}, `${formatTime(payload[c] * 1000)} (${payload[c]})`)])) : h('p', { class: 'muted' }, 'No time claims'))),
        panel('Claims', [], h('pre', { class: 'jwt-part', id: 'jwt-claims' }, JSON.stringify(payload, null, 2))));
      const sig = await verifySignature(ctx, jwt);
      if (n !== seq) return;
      checks.replaceChildren(verdict(sig), verdict(timeCheck(payload, ctx.clock())));
    }
    input.addEventListener('input', inspect);
    root.append(panel('Decode a JWT', [], input, h('p', { class: 'muted small-text' }, 'Decoded in this page; the signature is checked against the keys the emulator publishes for the token\'s project.')), out);
    await inspect();
  },
};
