// Access keys tab: search, create (the cleartext is shown once, with a copy button),
// activate/deactivate, delete.

import { h, toast, copyButton, showError, formDialog, confirmDialog, table } from '../lib.js';
import { badge, button, chips, fromLocalInput, loading, secs, section, splitList, statusBadge, viewTab } from './common-data.js';

class KeysView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alive = true;
    this.text = '';
    this.listBox = h('div', { class: 'list-box' });
    this.errorBox = h('div', { class: 'action-error', 'aria-live': 'assertive' });
    this.secretBox = h('div', { class: 'secret-box' });
    const input = h('input', { type: 'search', placeholder: 'Search name, ID or description…', 'aria-label': 'Search access keys' });
    const form = h('form', { class: 'toolbar', role: 'search' }, input, h('button', { type: 'submit' }, 'Search'));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.text = input.value.trim(); this.refresh(); });
    root.replaceChildren(
      this.secretBox,
      section('Access keys', [button('Create access key', () => this.create(), { class: 'primary', 'data-action': 'create-key' })],
        form, this.errorBox, this.listBox));
  }

  async refresh() {
    loading(this.listBox);
    let keys;
    try {
      keys = (await this.ctx.mgmt('POST', '/v1/mgmt/accesskey/search', { text: this.text })).keys || [];
    } catch (err) {
      if (this.alive) showError(this.listBox, err);
      return;
    }
    if (!this.alive) return;
    const now = (typeof this.ctx.clock === 'function' ? this.ctx.clock() : Date.now()) / 1000;
    this.listBox.replaceChildren(table([
      { label: 'Name', get: (k) => h('strong', {}, k.name) },
      { label: 'ID', get: (k) => h('span', { class: 'nowrap' }, h('code', {}, k.id), ' ', copyButton(k.id, 'ID')) },
      {
        label: 'Status',
        get: (k) => [statusBadge(k.status), k.expireTime && k.expireTime < now ? [' ', badge('expired', 'bad')] : null],
      },
      { label: 'Roles', get: (k) => chips(k.roleNames) },
      { label: 'Tenants', get: (k) => chips((k.keyTenants || []).map((t) => (t.roleNames.length ? `${t.tenantName || t.tenantId}: ${t.roleNames.join(', ')}` : t.tenantName || t.tenantId))) },
      { label: 'Expires', get: (k) => (k.expireTime ? secs(k.expireTime) : 'never') },
      { label: 'Created', get: (k) => secs(k.createdTime) },
      {
        label: 'Actions',
        get: (k) => h('span', { class: 'row-actions' },
          k.status === 'active'
            ? button('Deactivate', () => this.act('deactivate', k), { class: 'small', 'aria-label': `Deactivate ${k.name}` })
            : button('Activate', () => this.act('activate', k), { class: 'small', 'aria-label': `Activate ${k.name}` }),
          button('Delete', () => this.remove(k), { class: 'small danger', 'aria-label': `Delete ${k.name}` })),
      },
    ], keys, { empty: this.text ? 'No key matches.' : 'No access keys yet.' }));
  }

  async create() {
    const res = await formDialog({
      title: 'Create access key',
      submitLabel: 'Create',
      fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'description', label: 'Description' },
        { name: 'expire', label: 'Expires (empty: never)', type: 'datetime-local' },
        { name: 'roleNames', label: 'Project roles (comma-separated)' },
        { name: 'tenants', label: 'Tenants (comma-separated IDs)' },
      ],
      onSubmit: (v) => this.ctx.mgmt('POST', '/v1/mgmt/accesskey/create', {
        name: v.name.trim(),
        description: v.description,
        expireTime: fromLocalInput(v.expire),
        roleNames: splitList(v.roleNames),
        keyTenants: splitList(v.tenants).map((tenantId) => ({ tenantId, roleNames: [] })),
      }),
    });
    if (!res || !this.alive) return;
    this.showSecret(res.key, res.cleartext);
    await this.refresh();
  }

  showSecret(key, cleartext) {
    const dismiss = button('I have copied it', () => this.secretBox.replaceChildren(), { class: 'small' });
    this.secretBox.replaceChildren(
      h('div', { class: 'notice', role: 'alert', 'data-secret': key.id },
        h('p', {}, h('strong', {}, `Access key "${key.name}" created.`), ' Copy it now: it is not shown again.'),
        h('div', { class: 'secret-row' }, h('code', { class: 'mono secret' }, cleartext), copyButton(cleartext, 'key')),
        dismiss));
    dismiss.focus();
  }

  async act(what, k) {
    this.errorBox.replaceChildren();
    try {
      await this.ctx.mgmt('POST', `/v1/mgmt/accesskey/${what}`, { id: k.id });
    } catch (err) {
      showError(this.errorBox, err);
      return;
    }
    toast(`${what === 'activate' ? 'Activated' : 'Deactivated'} ${k.name}`, 'ok');
    if (this.alive) await this.refresh();
  }

  async remove(k) {
    if (!(await confirmDialog(`Delete access key ${k.name}? Anything using it stops working.`, { confirmLabel: 'Delete' }))) return;
    this.errorBox.replaceChildren();
    try {
      await this.ctx.mgmt('POST', '/v1/mgmt/accesskey/delete', { id: k.id });
    } catch (err) {
      showError(this.errorBox, err);
      return;
    }
    toast(`Deleted ${k.name}`, 'ok');
    if (this.alive) await this.refresh();
  }
}

export default viewTab(KeysView);
