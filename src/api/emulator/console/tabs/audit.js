// Audit tab: search the project's audit trail (newest first) by login ID, action and text;
// a row opens to show the whole event.

import { h, showError, table, formatTime } from '../lib.js';
import { chips, jsonBlock, loading, splitList, viewTab } from './common-data.js';

const SIZE = 100;

class AuditView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alive = true;
    this.query = { loginId: '', action: '', text: '' };
    this.listBox = h('div', { class: 'list-box' });
    const loginId = h('input', { type: 'search', name: 'loginId', placeholder: 'Login ID', 'aria-label': 'Login ID' });
    const action = h('input', { type: 'search', name: 'action', placeholder: 'Action, e.g. LoginSucceed', 'aria-label': 'Action', list: 'audit-actions' });
    const text = h('input', { type: 'search', name: 'text', placeholder: 'Text', 'aria-label': 'Text' });
    this.actions = h('datalist', { id: 'audit-actions' });
    const form = h('form', { class: 'toolbar', role: 'search' }, loginId, action, text, this.actions,
      h('button', { type: 'submit' }, 'Search'),
      h('button', { type: 'button', onclick: () => this.refresh() }, 'Refresh'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.query = { loginId: loginId.value.trim(), action: action.value.trim(), text: text.value.trim() };
      this.refresh();
    });
    root.replaceChildren(h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Audit trail')), form, this.listBox));
  }

  async refresh() {
    loading(this.listBox);
    const body = { size: SIZE, text: this.query.text };
    if (this.query.loginId) body.externalIds = splitList(this.query.loginId);
    if (this.query.action) body.actions = splitList(this.query.action);
    let res;
    try {
      res = await this.ctx.mgmt('POST', '/v1/mgmt/audit/search', body);
    } catch (err) {
      if (this.alive) showError(this.listBox, err);
      return;
    }
    if (!this.alive) return;
    const audits = res.audits || [];
    const seen = new Set([...this.actions.options].map((o) => o.value));
    for (const a of audits) {
      if (a.action && !seen.has(a.action)) { seen.add(a.action); this.actions.append(h('option', { value: a.action })); }
    }
    const columns = [
      { label: 'Time', get: (a) => h('span', { class: 'nowrap' }, formatTime(Number(a.occurred))) },
      { label: 'Action', get: (a) => h('strong', {}, a.action) },
      { label: 'Type', get: (a) => a.type || null },
      { label: 'Login IDs', get: (a) => (a.externalIds?.length ? chips(a.externalIds) : null) },
      { label: 'User ID', get: (a) => (a.userId ? h('code', {}, a.userId) : null) },
      { label: 'Actor', get: (a) => (a.actorId && a.actorId !== a.userId ? h('code', {}, a.actorId) : null) },
      { label: 'Method', get: (a) => a.method || null },
      { label: 'Address', get: (a) => a.remoteAddress || null },
      { label: 'Tenants', get: (a) => (a.tenants?.length ? chips(a.tenants) : null) },
    ];
    const total = typeof res.total === 'number' ? res.total : audits.length;
    this.listBox.replaceChildren(
      h('p', { class: 'muted' }, total > audits.length ? `Newest ${audits.length} of ${total} events; click a row for details.` : `${audits.length} event${audits.length === 1 ? '' : 's'}, newest first; click a row for details.`),
      table(columns, audits, {
        empty: this.query.loginId || this.query.action || this.query.text ? 'No event matches.' : 'No audit events yet.',
        onRowClick: (a, tr) => toggle(tr, a, columns.length),
      }));
    for (const tr of this.listBox.querySelectorAll('tbody tr')) tr.setAttribute('aria-expanded', 'false');
  }
}

/** Opens or closes the detail row under `tr`. */
function toggle(tr, a, span) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains('detail-row')) {
    next.remove();
    tr.setAttribute('aria-expanded', 'false');
    return;
  }
  const detail = h('tr', { class: 'detail-row' },
    h('td', { colspan: span, 'data-label': 'Event' }, jsonBlock(a)));
  tr.after(detail);
  tr.setAttribute('aria-expanded', 'true');
}

export default viewTab(AuditView);
