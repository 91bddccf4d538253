// Requests: the project's request log (the Descope calls it received), newest first, each
// row opening to its headers and bodies (secrets redacted by the emulator); clear.
import { h, panel, formatTime, confirmDialog, showError, toast } from '../lib.js';

let cleanup = null;

function pretty(v) {
  if (v === undefined || v === null || v === '') return '(empty)';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

function statusPill(r) {
  const cls = r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : 'ok';
  return h('span', { class: `pill ${cls}` }, String(r.status), r.fault ? ` fault ${r.fault}` : '');
}

function row(r) {
  return h('details', { class: 'req' },
    h('summary', {},
      h('span', { class: 'req-line' },
        statusPill(r), ' ',
        h('strong', {}, r.method), ' ', h('span', { class: 'mono' }, r.path),
        h('span', { class: 'muted small-text' }, ` · ${r.operationId || 'unknown operation'} · ${r.latencyMs} ms · ${formatTime(r.time)}`))),
    h('div', { class: 'req-body' },
      h('h3', {}, 'Request headers'), h('pre', {}, pretty(r.requestHeaders)),
      h('h3', {}, 'Request body'), h('pre', {}, pretty(r.requestBody)),
      h('h3', {}, 'Response body'), h('pre', {}, pretty(r.responseBody))));
}

export default {
  async mount(root, ctx) {
    const enc = encodeURIComponent(ctx.projectId);
    const list = h('div', { id: 'requests-list' });
    const auto = h('input', { type: 'checkbox', id: 'requests-auto', checked: true });
    let timer = 0;
    let last = '';
    async function load() {
      try {
        const { requests } = await ctx.emu('GET', `/projects/${enc}/requests?limit=200`);
        const key = JSON.stringify((requests || []).map((r) => [r.time, r.path, r.status]));
        if (key === last) return; // unchanged: keep open rows open
        last = key;
        list.replaceChildren(...(requests && requests.length ? requests.map(row)
          : [h('p', { class: 'empty' }, 'No requests yet. Descope API calls made to this project (by SDKs, apps, curl) are listed here; the console\'s own calls are not.')]));
      } catch (e) {
        showError(list, e);
      }
    }
    function schedule() {
      clearInterval(timer);
      if (auto.checked) timer = setInterval(() => { if (document.visibilityState === 'visible') load(); }, 2000);
    }
    auto.addEventListener('change', schedule);
    root.append(panel('Request log', [
      h('span', { class: 'field-check actions' }, auto, h('label', { for: 'requests-auto' }, 'Refresh every 2 s')),
      h('button', { type: 'button', onclick: () => { last = ''; load(); } }, 'Refresh'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!(await confirmDialog('Clear the request log of this project?', { confirmLabel: 'Clear' }))) return;
        try {
          await ctx.emu('DELETE', `/projects/${enc}/requests`);
          last = '';
          await load();
          toast('Request log cleared', 'ok');
        } catch (e) { toast(e.message, 'error'); }
      } }, 'Clear'),
    ], list));
    await load();
    schedule();
    cleanup = () => clearInterval(timer);
  },
  unmount() {
    if (cleanup) cleanup();
    cleanup = null;
  },
};
