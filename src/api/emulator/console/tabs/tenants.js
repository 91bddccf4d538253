// Tenants tab: list (with a filter), create, edit (name, self-provisioning domains), delete.

import { h, toast, copyButton, showError, formDialog, confirmDialog, table } from '../lib.js';
import { button, chips, loading, secs, section, splitList, viewTab } from './common-data.js';

class TenantsView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alive = true;
    this.filter = '';
    this.tenants = [];
    this.listBox = h('div', { class: 'list-box' });
    this.errorBox = h('div', { class: 'action-error', 'aria-live': 'assertive' });
    const filter = h('input', { type: 'search', placeholder: 'Filter by name, ID or domain…', 'aria-label': 'Filter tenants' });
    filter.addEventListener('input', () => { this.filter = filter.value.trim().toLowerCase(); this.render(); });
    root.replaceChildren(
      section('Tenants', [button('Create tenant', () => this.create(), { class: 'primary', 'data-action': 'create-tenant' })],
        h('div', { class: 'toolbar' }, filter),
        this.errorBox,
        this.listBox));
  }

  async refresh() {
    loading(this.listBox);
    try {
      const res = await this.ctx.mgmt('GET', '/v1/mgmt/tenant/all');
      if (!this.alive) return;
      this.tenants = res.tenants || [];
    } catch (err) {
      if (this.alive) showError(this.listBox, err);
      return;
    }
    this.render();
  }

  render() {
    const f = this.filter;
    const rows = this.tenants.filter((t) => !f
      || t.name.toLowerCase().includes(f) || t.id.toLowerCase().includes(f)
      || (t.selfProvisioningDomains || []).some((d) => d.toLowerCase().includes(f)));
    this.listBox.replaceChildren(table([
      { label: 'Name', get: (t) => h('strong', {}, t.name) },
      { label: 'ID', get: (t) => h('span', { class: 'nowrap' }, h('code', {}, t.id), ' ', copyButton(t.id, 'ID')) },
      { label: 'Self-provisioning domains', get: (t) => chips(t.selfProvisioningDomains) },
      { label: 'Created', get: (t) => secs(t.createdTime) },
      {
        label: 'Actions',
        get: (t) => h('span', { class: 'row-actions' },
          button('Edit', () => this.edit(t), { class: 'small', 'aria-label': `Edit ${t.name}` }),
          button('Delete', () => this.remove(t), { class: 'small danger', 'aria-label': `Delete ${t.name}` })),
      },
    ], rows, { empty: f ? 'No tenant matches.' : 'No tenants yet.' }));
  }

  async create() {
    const done = await formDialog({
      title: 'Create tenant',
      submitLabel: 'Create',
      fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'id', label: 'ID (optional)', help: 'Left empty, the emulator picks one.' },
        { name: 'domains', label: 'Self-provisioning domains (comma-separated)', placeholder: 'example.com' },
      ],
      onSubmit: (v) => this.ctx.mgmt('POST', '/v1/mgmt/tenant/create', {
        name: v.name.trim(),
        id: v.id.trim(),
        selfProvisioningDomains: splitList(v.domains),
      }),
    });
    if (!done || !this.alive) return;
    toast(`Created tenant ${done.id || ''}`.trim(), 'ok');
    await this.refresh();
  }

  async edit(t) {
    const done = await formDialog({
      title: `Edit tenant ${t.id}`,
      fields: [
        { name: 'name', label: 'Name', required: true, value: t.name },
        { name: 'domains', label: 'Self-provisioning domains (comma-separated)', value: (t.selfProvisioningDomains || []).join(', ') },
      ],
      onSubmit: (v) => this.ctx.mgmt('PATCH', '/v1/mgmt/tenant/patch', {
        id: t.id,
        name: v.name.trim(),
        selfProvisioningDomains: splitList(v.domains),
      }),
    });
    if (!done || !this.alive) return;
    toast('Saved', 'ok');
    await this.refresh();
  }

  async remove(t) {
    if (!(await confirmDialog(`Delete tenant ${t.name} (${t.id})?`, { confirmLabel: 'Delete' }))) return;
    try {
      await this.ctx.mgmt('POST', '/v1/mgmt/tenant/delete', { id: t.id });
    } catch (err) {
      showError(this.errorBox, err);
      return;
    }
    this.errorBox.replaceChildren();
    toast(`Deleted tenant ${t.name}`, 'ok');
    if (this.alive) await this.refresh();
  }
}

export default viewTab(TenantsView);
