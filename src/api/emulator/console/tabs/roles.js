// Roles & permissions tab: both lists, with create, edit and delete. Roles may be scoped to a
// tenant; their permissions must exist first.

import { h, toast, showError, formDialog, confirmDialog, table } from '../lib.js';
import { badge, button, chips, loading, section, splitList, tenantList, viewTab } from './common-data.js';

class RolesView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alive = true;
    this.roles = [];
    this.permissions = [];
    this.tenants = [];
    this.rolesBox = h('div', { class: 'list-box' });
    this.permsBox = h('div', { class: 'list-box' });
    this.errorBox = h('div', { class: 'action-error', 'aria-live': 'assertive' });
    root.replaceChildren(
      this.errorBox,
      section('Roles', [button('Create role', () => this.editRole(null), { class: 'primary', 'data-action': 'create-role' })], this.rolesBox),
      section('Permissions', [button('Create permission', () => this.editPermission(null), { 'data-action': 'create-permission' })], this.permsBox));
  }

  async refresh() {
    loading(this.rolesBox);
    loading(this.permsBox);
    try {
      const [roles, perms, tenants] = await Promise.all([
        this.ctx.mgmt('GET', '/v1/mgmt/role/all'),
        this.ctx.mgmt('GET', '/v1/mgmt/permission/all'),
        tenantList(this.ctx),
      ]);
      if (!this.alive) return;
      this.roles = roles.roles || [];
      this.permissions = perms.permissions || [];
      this.tenants = tenants;
    } catch (err) {
      if (this.alive) showError(this.rolesBox, err);
      this.permsBox.replaceChildren();
      return;
    }
    this.render();
  }

  tenantName(id) {
    if (!id) return '';
    const t = this.tenants.find((x) => x.id === id);
    return t ? t.name : id;
  }

  render() {
    this.rolesBox.replaceChildren(table([
      { label: 'Name', get: (r) => h('strong', {}, r.name) },
      { label: 'Description', get: (r) => r.description },
      { label: 'Permissions', get: (r) => chips(r.permissionNames) },
      { label: 'Scope', get: (r) => (r.tenantId ? badge(`tenant ${this.tenantName(r.tenantId)}`, 'info') : badge('project', 'muted')) },
      { label: 'Flags', get: (r) => [r.default ? badge('default', 'ok') : null, r.private ? badge('private', 'warn') : null] },
      {
        label: 'Actions',
        get: (r) => h('span', { class: 'row-actions' },
          button('Edit', () => this.editRole(r), { class: 'small', 'aria-label': `Edit role ${r.name}` }),
          button('Delete', () => this.removeRole(r), { class: 'small danger', 'aria-label': `Delete role ${r.name}` })),
      },
    ], this.roles, { empty: 'No roles yet.' }));
    this.permsBox.replaceChildren(table([
      { label: 'Name', get: (p) => h('strong', {}, p.name) },
      { label: 'Description', get: (p) => p.description },
      { label: '', get: (p) => (p.systemDefault ? badge('built in', 'muted') : null) },
      {
        label: 'Actions',
        get: (p) => h('span', { class: 'row-actions' },
          button('Edit', () => this.editPermission(p), { class: 'small', 'aria-label': `Edit permission ${p.name}` }),
          button('Delete', () => this.removePermission(p), { class: 'small danger', 'aria-label': `Delete permission ${p.name}` })),
      },
    ], this.permissions, { empty: 'No permissions yet.' }));
  }

  async editRole(r) {
    const names = this.permissions.map((p) => p.name);
    const fields = [
      { name: 'name', label: 'Name', required: true, value: r ? r.name : '' },
      { name: 'description', label: 'Description', value: r ? r.description : '' },
      {
        name: 'permissionNames',
        label: 'Permissions (comma-separated)',
        value: r ? r.permissionNames.join(', ') : '',
        help: names.length ? `Known: ${names.join(', ')}` : 'Create permissions first.',
      },
    ];
    if (!r) {
      fields.push({
        name: 'tenantId',
        label: 'Scope',
        type: 'select',
        value: '',
        options: [['', 'Project (every tenant)'], ...this.tenants.map((t) => [t.id, `Tenant ${t.name}`])],
      });
    }
    fields.push({ name: 'default', label: 'Default role (given to new users)', type: 'checkbox', value: r ? r.default : false });
    const done = await formDialog({
      title: r ? `Edit role ${r.name}` : 'Create role',
      submitLabel: r ? 'Save' : 'Create',
      fields,
      onSubmit: (v) => {
        const permissionNames = splitList(v.permissionNames);
        if (r) {
          return this.ctx.mgmt('POST', '/v1/mgmt/role/update', {
            name: r.name,
            tenantId: r.tenantId,
            newName: v.name.trim(),
            description: v.description,
            permissionNames,
            default: v.default,
            private: r.private,
          });
        }
        return this.ctx.mgmt('POST', '/v1/mgmt/role/create', {
          name: v.name.trim(),
          description: v.description,
          permissionNames,
          tenantId: v.tenantId,
          default: v.default,
        });
      },
    });
    if (!done || !this.alive) return;
    toast(r ? 'Saved' : 'Role created', 'ok');
    await this.refresh();
  }

  async removeRole(r) {
    if (!(await confirmDialog(`Delete role ${r.name}? Users and keys lose it.`, { confirmLabel: 'Delete' }))) return;
    await this.act(() => this.ctx.mgmt('POST', '/v1/mgmt/role/delete', { name: r.name, tenantId: r.tenantId }), `Deleted role ${r.name}`);
  }

  async editPermission(p) {
    const done = await formDialog({
      title: p ? `Edit permission ${p.name}` : 'Create permission',
      submitLabel: p ? 'Save' : 'Create',
      fields: [
        { name: 'name', label: 'Name', required: true, value: p ? p.name : '' },
        { name: 'description', label: 'Description', value: p ? p.description : '' },
      ],
      onSubmit: (v) => (p
        ? this.ctx.mgmt('POST', '/v1/mgmt/permission/update', { name: p.name, newName: v.name.trim(), description: v.description })
        : this.ctx.mgmt('POST', '/v1/mgmt/permission/create', { name: v.name.trim(), description: v.description })),
    });
    if (!done || !this.alive) return;
    toast(p ? 'Saved' : 'Permission created', 'ok');
    await this.refresh();
  }

  async removePermission(p) {
    if (!(await confirmDialog(`Delete permission ${p.name}? Roles lose it.`, { confirmLabel: 'Delete' }))) return;
    await this.act(() => this.ctx.mgmt('POST', '/v1/mgmt/permission/delete', { name: p.name }), `Deleted permission ${p.name}`);
  }

  async act(fn, message) {
    this.errorBox.replaceChildren();
    try {
      await fn();
    } catch (err) {
      showError(this.errorBox, err);
      return;
    }
    toast(message, 'ok');
    if (this.alive) await this.refresh();
  }
}

export default viewTab(RolesView);
