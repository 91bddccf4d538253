// Helpers shared by the data tabs (users, tenants, roles, access keys, audit): small pieces
// built on lib.js that only these tabs need.

import { h, formatTime, copyButton, decodeJwt, showError } from '../lib.js';

// The data tabs' own styles (tables of users, detail panels, tokens), loaded once.
if (!document.querySelector('link[data-console-data]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: '/emulator/console/tabs/data.css', 'data-console-data': '' }));
}

/** "a, b ,,c" → ['a', 'b', 'c']. */
export function splitList(text) {
  return String(text ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Unix seconds → a local time, or '—' for 0/absent. */
export function secs(t) {
  return t ? formatTime(Number(t) * 1000) : '—';
}

/** A small coloured label; kind: ok | warn | bad | muted | info. */
export function badge(text, kind = 'muted') {
  return h('span', { class: `pill ${kind}` }, text);
}

/** A user's or key's status as a badge. */
export function statusBadge(status) {
  const kind = status === 'enabled' || status === 'active' ? 'ok' : status === 'invited' ? 'warn' : 'bad';
  return badge(status || 'unknown', kind);
}

/** "verified" / "unverified" next to an address. */
export function verifiedBadge(verified) {
  return verified ? badge('verified', 'ok') : badge('unverified', 'muted');
}

/** A list of names as chips (or a dash). */
export function chips(names) {
  if (!names || names.length === 0) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'tags' }, names.map((n) => h('span', { class: 'tag' }, n)));
}

/** A titled section with action buttons to the right of the title. */
export function section(title, actions, ...children) {
  return h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, title),
      actions && actions.length ? h('div', { class: 'actions' }, actions) : null),
    children);
}

/** A definition list of [label, value] pairs (values: strings or nodes); null pairs skipped. */
export function facts(pairs) {
  return h('dl', { class: 'kv facts' },
    pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === '' || v === undefined || v === null ? '—' : v)]));
}

/** A button. */
export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', onclick, ...attrs }, label);
}

/** Runs `fn` with `btn` disabled; shows an error in `errorBox` (or rethrows when none). */
export async function busy(btn, fn, errorBox) {
  if (btn) btn.disabled = true;
  try {
    return await fn();
  } catch (err) {
    if (errorBox) showError(errorBox, err);
    else throw err;
    return undefined;
  } finally {
    if (btn) btn.disabled = false;
  }
}

/** "Loading…" in `root`. */
export function loading(root) {
  root.replaceChildren(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
}

/** Pretty JSON in a <pre>. */
export function jsonBlock(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

/**
 * A JWT with a copy button and its decoded header and claims; `testId` names the element for
 * tests (`data-jwt`).
 */
export function jwtView(label, jwt, testId) {
  let decoded = null;
  try { decoded = decodeJwt(jwt); } catch { decoded = null; }
  const claims = decoded ? decoded.payload : null;
  return h('div', { class: 'jwt-view', 'data-jwt': testId },
    h('div', { class: 'jwt-head' }, h('strong', {}, label), copyButton(jwt, label)),
    h('textarea', { class: 'jwt-text mono', readonly: true, rows: 3, 'aria-label': label, spellcheck: 'false' }, jwt),
    claims
      ? h('details', { open: testId === 'session' },
        h('summary', {}, 'Decoded claims',
          claims.exp ? h('span', { class: 'muted' }, ` (expires ${formatTime(claims.exp * 1000)})`) : null),
        jsonBlock({ header: decoded.header, payload: claims }))
      : null);
}

/** POST to the Descope auth API as the project's own front end (bearer = project ID). */
export async function authPost(ctx, path, body) {
  const res = await fetch(path, {
    method: 'POST',
    // The console header keeps the console's own calls out of the project's request log.
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ctx.projectId}`, 'x-descope-emulator-console': '1' },
    body: JSON.stringify(body ?? {}),
    credentials: 'omit',
  });
  const text = await res.text();
  let parsed = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { errorMessage: text }; }
  if (!res.ok) {
    const e = new Error(parsed.errorMessage || parsed.errorDescription || `HTTP ${res.status}`);
    e.status = res.status;
    e.errorCode = parsed.errorCode || '';
    e.errorDescription = parsed.errorDescription || '';
    throw e;
  }
  return parsed;
}

/** A `datetime-local` value → Unix seconds, 0 for ''. */
export function fromLocalInput(v) {
  if (!v) return 0;
  const ms = new Date(v).getTime();
  if (Number.isNaN(ms)) throw new Error(`Not a date and time: ${v}`);
  return Math.floor(ms / 1000);
}

/** Parses a JSON object typed in a form; '' → {}. */
export function parseObject(text, what) {
  const t = String(text ?? '').trim();
  if (!t) return {};
  let v;
  try { v = JSON.parse(t); } catch (e) { throw new Error(`${what} must be a JSON object: ${e.message}`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v;
}

/** Loads the project's tenants (for pickers); [] when that fails. */
export async function tenantList(ctx) {
  try {
    return (await ctx.mgmt('GET', '/v1/mgmt/tenant/all')).tenants || [];
  } catch {
    return [];
  }
}

/**
 * A tab module over a view class: `mount` builds a fresh view (the one before stops updating)
 * and starts it (`start()` where the view has one, else `refresh()`); `unmount` stops it.
 */
export function viewTab(View) {
  let view = null;
  return {
    async mount(root, ctx) {
      if (view) view.alive = false;
      root.classList.add('data-tab');
      view = new View(root, ctx);
      await (view.start ? view.start() : view.refresh());
    },
    unmount() {
      if (view) view.alive = false;
      view = null;
    },
  };
}
