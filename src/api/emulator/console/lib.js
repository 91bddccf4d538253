// Shared helpers of the console: an element builder, API errors, dialogs, tables, toasts.
// Plain ES module, no dependencies; every tab imports what it needs from here.

/** An error answer of the Descope or emulator API (its Descope error body). */
export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    const message = b.errorMessage || b.errorDescription || (typeof body === 'string' && body) || `HTTP ${status}`;
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errorCode = b.errorCode || '';
    this.errorDescription = b.errorDescription || '';
    this.errorMessage = b.errorMessage || '';
  }
}

/** fetch + JSON: resolves to the parsed body, rejects with an ApiError on non-2xx. */
export async function request(method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, { errorMessage: `The emulator did not answer (${e.message})` });
  }
  const text = await res.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : {}; } catch { /* keep the text */ }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/**
 * Builds an element: h('button', {class: 'primary', onclick: fn, dataset: {id}}, 'Save').
 * Children may be strings, numbers, nodes, arrays or null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class' || k === 'className') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

let toastBox;
/** A short note at the bottom of the page; kind: 'ok' | 'error' | 'info'. */
export function toast(text, kind = 'info') {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const t = h('div', { class: `toast toast-${kind}` }, text);
  toastBox.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 6000 : 2500);
}

async function writeClipboard(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain http on another host name: the Clipboard API is missing; fall back.
    const ta = h('textarea', { class: 'offscreen', readonly: true }, text);
    document.body.append(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }
}

/** A button that copies `text`; it says "Copied" for a moment after a click. */
export function copyButton(text, label = 'Copy') {
  const b = h('button', { type: 'button', class: 'copy small', title: `Copy ${label === 'Copy' ? '' : label}`.trim(), 'aria-label': `${label === 'Copy' ? 'Copy' : `Copy ${label}`}` }, label === 'Copy' ? 'Copy' : `Copy ${label}`);
  b.addEventListener('click', async (e) => {
    e.stopPropagation();
    const ok = await writeClipboard(text);
    const before = b.textContent;
    b.textContent = ok ? 'Copied' : 'Copy failed';
    b.classList.toggle('copied', ok);
    b.dataset.copied = ok ? 'true' : 'false';
    setTimeout(() => { b.textContent = before; b.classList.remove('copied'); }, 1500);
  });
  return b;
}

/** Unix milliseconds → a local date and time. */
export function formatTime(ms) {
  if (ms === undefined || ms === null || ms === '' || Number.isNaN(Number(ms))) return '—';
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Replaces `container`'s content with the error's message (the API's own words). */
export function showError(container, err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = e.errorCode ? ` (${e.errorCode})` : '';
  const box = h('div', { class: 'error-box', role: 'alert' },
    h('strong', {}, 'Error'), ' ', e.message || 'Something went wrong', code,
    e.errorDescription && e.errorDescription !== e.message ? h('div', { class: 'muted' }, e.errorDescription) : null);
  if (container) container.replaceChildren(box);
  return box;
}

function fieldInput(f) {
  const id = `f-${f.name}-${Math.random().toString(36).slice(2, 8)}`;
  let input;
  if (f.type === 'select') {
    input = h('select', { id, name: f.name, required: f.required },
      (f.options || []).map((o) => {
        const [value, label] = Array.isArray(o) ? o : typeof o === 'object' ? [o.value, o.label] : [o, o];
        return h('option', { value, selected: String(value) === String(f.value ?? '') }, label);
      }));
  } else if (f.type === 'textarea') {
    input = h('textarea', { id, name: f.name, required: f.required, rows: f.rows || 4, placeholder: f.placeholder }, f.value ?? '');
  } else if (f.type === 'checkbox') {
    input = h('input', { id, name: f.name, type: 'checkbox', checked: !!f.value });
    return h('div', { class: 'field field-check' }, input, h('label', { for: id }, f.label));
  } else {
    input = h('input', { id, name: f.name, type: f.type || 'text', required: f.required, value: f.value ?? '', placeholder: f.placeholder, step: f.step, min: f.min, max: f.max, autocomplete: 'off' });
  }
  return h('div', { class: 'field' }, h('label', { for: id }, f.label || f.name), input, f.help ? h('div', { class: 'muted small-text' }, f.help) : null);
}

function readValues(form, fields) {
  const out = {};
  for (const f of fields) {
    const el = form.elements.namedItem(f.name);
    if (!el) continue;
    if (f.type === 'checkbox') out[f.name] = el.checked;
    else if (f.type === 'number') out[f.name] = el.value === '' ? undefined : Number(el.value);
    else out[f.name] = el.value;
  }
  return out;
}

/**
 * A modal form. `onSubmit(values)` returns a promise; when it rejects, the error shows inside
 * the dialog and the dialog stays open. Resolves to onSubmit's result, or null when cancelled.
 */
export function formDialog({ title, fields = [], submitLabel = 'Save', onSubmit, description }) {
  return new Promise((resolve) => {
    const errorBox = h('div', { class: 'dialog-error', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
    const cancel = h('button', { type: 'button', onclick: () => close(null) }, 'Cancel');
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', {}, title),
      description ? h('p', { class: 'muted' }, description) : null,
      fields.map(fieldInput),
      errorBox,
      h('div', { class: 'dialog-actions' }, cancel, submit));
    const dlg = h('dialog', { class: 'dialog', 'aria-label': title }, form);
    let done = false;
    function close(v) {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      resolve(v);
    }
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      errorBox.replaceChildren();
      submit.disabled = true;
      try {
        const result = await onSubmit(readValues(form, fields));
        close(result === undefined ? true : result);
      } catch (err) {
        showError(errorBox, err);
      } finally {
        submit.disabled = false;
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('input,select,textarea');
    if (first) first.focus();
  });
}

/** A yes/no question in a modal; resolves true when confirmed. */
export function confirmDialog(text, { confirmLabel = 'Confirm', danger = true } = {}) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true) }, confirmLabel);
    const no = h('button', { type: 'button', onclick: () => close(false) }, 'Cancel');
    const dlg = h('dialog', { class: 'dialog', role: 'alertdialog', 'aria-label': text },
      h('p', {}, text), h('div', { class: 'dialog-actions' }, no, yes));
    function close(v) { dlg.close(); dlg.remove(); resolve(v); }
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

/**
 * A table. columns: [{label, get: (row) => node|string, class?}] (or [label, key]).
 * With onRowClick the rows are keyboard-focusable and open with Enter.
 */
export function table(columns, rows, { onRowClick, empty = 'Nothing here yet.' } = {}) {
  const cols = columns.map((c) => (Array.isArray(c) ? { label: c[0], get: (r) => r[c[1]] } : c));
  if (!rows || rows.length === 0) return h('p', { class: 'empty' }, empty);
  const body = rows.map((r) => {
    const tr = h('tr', {}, cols.map((c) => h('td', { class: c.class, 'data-label': c.label }, cellValue(c.get(r)))));
    if (onRowClick) {
      tr.tabIndex = 0;
      tr.classList.add('clickable');
      tr.addEventListener('click', (e) => { if (!e.target.closest('button,a,input')) onRowClick(r, tr); });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target === tr) onRowClick(r, tr); });
    }
    return tr;
  });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data' }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))), h('tbody', {}, body)));
}

function cellValue(v) {
  if (v === undefined || v === null || v === '') return '';
  return v instanceof Node || Array.isArray(v) ? v : String(v);
}

function b64urlDecode(s) {
  const pad = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(pad);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Splits a JWT: {header, payload, signature (bytes), signingInput}; throws on a malformed one. */
export function decodeJwt(jwt) {
  const parts = String(jwt || '').trim().split('.');
  if (parts.length !== 3) throw new Error('A JWT has three parts separated by dots');
  const text = (p) => new TextDecoder().decode(b64urlDecode(p));
  let header;
  let payload;
  try { header = JSON.parse(text(parts[0])); } catch { throw new Error('The JWT header is not base64url JSON'); }
  try { payload = JSON.parse(text(parts[1])); } catch { throw new Error('The JWT payload is not base64url JSON'); }
  let signature;
  try { signature = b64urlDecode(parts[2]); } catch { throw new Error('The JWT signature is not base64url'); }
  return { header, payload, signature, signingInput: `${parts[0]}.${parts[1]}` };
}

/** A titled panel with optional action buttons at the right of the title. */
export function panel(title, actions, ...children) {
  return h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, title), actions && actions.length ? h('div', { class: 'actions' }, actions) : null),
    children);
}

/** Downloads `text` as a file named `name`. */
export function download(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
