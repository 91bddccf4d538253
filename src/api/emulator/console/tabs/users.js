// Users tab: search, detail, create, edit, disable/enable, delete, log out, impersonate.
// Everything goes through the Descope management API with the project's key.

import { h, toast, copyButton, formatTime, showError, formDialog, confirmDialog, table } from '../lib.js';
import {
  authPost, badge, busy, button, chips, facts, jsonBlock, jwtView, loading, parseObject, secs,
  section, splitList, statusBadge, tenantList, verifiedBadge, viewTab,
} from './common-data.js';

const PAGE = 50;

/** "acme:Admin|Viewer, beta" → [{tenantId: 'acme', roleNames: ['Admin', 'Viewer']}, {tenantId: 'beta', roleNames: []}]. */
function tenantsOf(text) {
  return splitList(text).map((item) => {
    const at = item.indexOf(':');
    if (at < 0) return { tenantId: item, roleNames: [] };
    return {
      tenantId: item.slice(0, at).trim(),
      roleNames: item.slice(at + 1).split('|').map((r) => r.trim()).filter(Boolean),
    };
  });
}

class UsersView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alive = true;
    this.query = { text: '', status: '', tenant: '' };
    this.page = 0;
    this.tenants = [];
  }

  async start() {
    this.tenants = await tenantList(this.ctx);
    if (!this.alive) return;
    this.listBox = h('div', { class: 'list-box' });
    this.detailBox = h('div', { class: 'detail-box', hidden: true });
    this.root.replaceChildren(this.searchBar(), this.listBox, this.detailBox);
    await this.refresh();
  }

  searchBar() {
    const text = h('input', { type: 'search', name: 'text', placeholder: 'Search login ID, email, name…', 'aria-label': 'Search users', value: this.query.text });
    const status = h('select', { name: 'status', 'aria-label': 'Status' },
      [['', 'Any status'], ['enabled', 'Enabled'], ['disabled', 'Disabled'], ['invited', 'Invited']]
        .map(([v, l]) => h('option', { value: v, selected: v === this.query.status }, l)));
    const tenant = h('select', { name: 'tenant', 'aria-label': 'Tenant' },
      h('option', { value: '' }, 'Any tenant'),
      this.tenants.map((t) => h('option', { value: t.id, selected: t.id === this.query.tenant }, t.name || t.id)));
    const form = h('form', { class: 'toolbar', role: 'search' },
      text, status, tenant,
      h('button', { type: 'submit' }, 'Search'),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'primary', 'data-action': 'create-user', onclick: () => this.create() }, 'Create user'));
    const go = () => {
      this.query = { text: text.value.trim(), status: status.value, tenant: tenant.value };
      this.page = 0;
      this.refresh();
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); go(); });
    status.addEventListener('change', go);
    tenant.addEventListener('change', go);
    return form;
  }

  async refresh() {
    this.showList();
    loading(this.listBox);
    const body = { limit: PAGE, page: this.page, text: this.query.text };
    if (this.query.status) body.statuses = [this.query.status];
    if (this.query.tenant) body.tenantIds = [this.query.tenant];
    let res;
    try {
      res = await this.ctx.mgmt('POST', '/v2/mgmt/user/search', body);
    } catch (err) {
      if (this.alive) showError(this.listBox, err);
      return;
    }
    if (!this.alive) return;
    const users = res.users || [];
    const columns = [
      { label: 'Login ID', get: (u) => h('span', { class: 'mono' }, u.loginIds.join(', ')) },
      { label: 'Name', get: (u) => u.name || null },
      { label: 'Email', get: (u) => (u.email ? h('span', {}, u.email, ' ', verifiedBadge(u.verifiedEmail)) : null) },
      { label: 'Phone', get: (u) => (u.phone ? h('span', {}, u.phone, ' ', verifiedBadge(u.verifiedPhone)) : null) },
      { label: 'Status', get: (u) => statusBadge(u.status) },
      { label: 'Created', get: (u) => secs(u.createdTime) },
    ];
    const pager = h('div', { class: 'pager' },
      button('← Previous', () => { this.page -= 1; this.refresh(); }, { disabled: this.page === 0 }),
      h('span', { class: 'muted' }, `Page ${this.page + 1} · ${users.length} user${users.length === 1 ? '' : 's'}`),
      button('Next →', () => { this.page += 1; this.refresh(); }, { disabled: users.length < PAGE }));
    const empty = this.query.text || this.query.status || this.query.tenant
      ? 'No user matches this search.'
      : 'No users yet. Create one, or sign one up through your app.';
    this.listBox.replaceChildren(
      table(columns, users, { onRowClick: (u) => this.openDetail(u.loginIds[0]), empty }),
      users.length || this.page ? pager : null);
  }

  showList() {
    this.listBox.hidden = false;
    this.detailBox.hidden = true;
    this.root.querySelector('form.toolbar').hidden = false;
  }

  async load(loginId) {
    return (await this.ctx.mgmt('GET', `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`)).user;
  }

  async openDetail(loginId) {
    this.listBox.hidden = true;
    this.root.querySelector('form.toolbar').hidden = true;
    this.detailBox.hidden = false;
    loading(this.detailBox);
    let user;
    let history = [];
    try {
      user = await this.load(loginId);
      try {
        history = await this.ctx.mgmt('POST', '/v1/mgmt/user/history', [user.userId]);
      } catch {
        history = [];
      }
    } catch (err) {
      if (!this.alive) return;
      this.detailBox.replaceChildren(this.backButton());
      this.detailBox.append(showError(null, err));
      return;
    }
    if (!this.alive) return;
    this.renderDetail(user, Array.isArray(history) ? history : []);
  }

  backButton() {
    return button('← All users', () => this.refresh(), { class: 'back', 'data-action': 'back' });
  }

  renderDetail(u, history) {
    const loginId = u.loginIds[0];
    const errorBox = h('div', { class: 'action-error', 'aria-live': 'assertive' });
    const sessionBox = h('div', { class: 'session-box' });
    const disabled = u.status === 'disabled';
    const actions = [
      button('Edit', () => this.edit(u), { 'data-action': 'edit-user' }),
      button(disabled ? 'Enable' : 'Disable', (e) => this.setStatus(e.currentTarget, u, disabled ? 'enabled' : 'disabled', errorBox), { 'data-action': disabled ? 'enable-user' : 'disable-user' }),
      button('Log out', (e) => this.logout(e.currentTarget, u, errorBox), { 'data-action': 'logout-user' }),
      button('Impersonate', (e) => this.impersonate(e.currentTarget, u, sessionBox, errorBox), { 'data-action': 'impersonate-user', class: 'primary' }),
      button('Delete', () => this.remove(u, errorBox), { 'data-action': 'delete-user', class: 'danger' }),
    ];
    const oauth = Object.entries(u.OAuth || {}).filter(([, v]) => v).map(([k]) => k);
    const methods = [
      ['Password', u.password], ['TOTP', u.TOTP], ['Passkeys (WebAuthn)', u.webauthn],
      ['SAML / SSO', u.SAML], ['SCIM', u.SCIM],
    ];
    this.lastLoginBox = h('span', { 'data-field': 'lastLogin' });
    this.historyBox = h('div', {});
    this.renderHistory(history);
    const tenantRows = u.userTenants || [];
    const attrs = Object.entries(u.customAttributes || {});
    this.detailBox.replaceChildren(
      this.backButton(),
      section(u.name || loginId, actions,
        errorBox,
        h('div', { class: 'detail-grid' },
          h('div', {},
            h('h3', {}, 'Profile'),
            facts([
              ['User ID', h('span', {}, h('code', {}, u.userId), ' ', copyButton(u.userId, 'ID'))],
              ['Login IDs', h('span', { class: 'mono', 'data-field': 'loginIds' }, u.loginIds.join(', '))],
              ['Status', h('span', { 'data-field': 'status' }, statusBadge(u.status), u.test ? [' ', badge('test user', 'info')] : null)],
              ['Name', h('span', { 'data-field': 'name' }, u.name || '—')],
              (u.givenName || u.familyName) ? ['Given / family name', `${u.givenName || '—'} / ${u.familyName || '—'}`] : null,
              ['Email', u.email ? h('span', {}, u.email, ' ', verifiedBadge(u.verifiedEmail)) : '—'],
              ['Phone', u.phone ? h('span', {}, u.phone, ' ', verifiedBadge(u.verifiedPhone)) : '—'],
              ['Created', secs(u.createdTime)],
              ['Last login', this.lastLoginBox],
            ])),
          h('div', {},
            h('h3', {}, 'Sign-in methods'),
            h('ul', { class: 'methods' },
              methods.map(([label, on]) => h('li', {}, on ? badge('yes', 'ok') : badge('no', 'muted'), ' ', label)),
              h('li', {}, oauth.length ? badge('yes', 'ok') : badge('no', 'muted'), ' OAuth', oauth.length ? [': ', chips(oauth)] : null)),
            h('h3', {}, 'Roles'),
            h('p', {}, 'Project: ', chips(u.roleNames)),
            tenantRows.length
              ? table([
                { label: 'Tenant', get: (t) => t.tenantName || t.tenantId },
                { label: 'Tenant ID', get: (t) => h('code', {}, t.tenantId) },
                { label: 'Roles', get: (t) => chips(t.roleNames) },
              ], tenantRows)
              : h('p', { class: 'muted' }, 'In no tenant.'))),
        h('h3', {}, 'Custom attributes'),
        attrs.length
          ? facts(attrs.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
          : h('p', { class: 'muted' }, 'None.'),
        h('h3', {}, 'Sessions'),
        h('p', { class: 'muted' },
          'Log out ends every session of this user; Impersonate signs in as the user (through an embedded magic link) and shows the tokens.'),
        sessionBox,
        h('h3', {}, 'Login history'),
        this.historyBox,
        h('details', {}, h('summary', {}, 'Raw user object'), jsonBlock(u))));
    this.detailBox.querySelector('h2')?.setAttribute('tabindex', '-1');
    this.detailBox.querySelector('h2')?.focus();
  }

  renderHistory(history) {
    const lastLogin = history.reduce((m, r) => Math.max(m, r.loginTime || 0), 0);
    this.lastLoginBox.textContent = lastLogin ? secs(lastLogin) : 'never';
    this.historyBox.replaceChildren(history.length
      ? table([
        { label: 'Time', get: (r) => secs(r.loginTime) },
        { label: 'IP', get: (r) => r.ip || null },
        { label: 'Place', get: (r) => [r.city, r.country].filter(Boolean).join(', ') || null },
        { label: 'Tenant', get: (r) => r.selectedTenant || null },
      ], history.slice(0, 20))
      : h('p', { class: 'muted' }, 'No sign-ins yet.'));
  }

  userFields(u = {}) {
    const tenants = (u.userTenants || [])
      .map((t) => (t.roleNames.length ? `${t.tenantId}:${t.roleNames.join('|')}` : t.tenantId)).join(', ');
    const known = this.tenants.length ? `Tenant IDs: ${this.tenants.map((t) => t.id).join(', ')}` : 'No tenants yet.';
    const attrs = u.customAttributes && Object.keys(u.customAttributes).length ? JSON.stringify(u.customAttributes) : '';
    return [
      ['email', 'Email', 'email', u.email],
      ['phone', 'Phone (E.164, e.g. +15551234567)', 'tel', u.phone],
      ['name', 'Display name', 'text', u.name],
      ['roleNames', 'Project roles (comma-separated)', 'text', (u.roleNames || []).join(', ')],
      ['tenants', 'Tenants (comma-separated IDs; roles in a tenant as id:Role A|Role B)', 'text', tenants, known],
      ['customAttributes', 'Custom attributes (JSON object)', 'textarea', attrs, 'Attributes must be defined in the project first.'],
    ].map(([name, label, type, value, help]) => ({ name, label, type, value: value ?? '', help, rows: 2 }));
  }

  async create() {
    const fields = [
      { name: 'loginId', label: 'Login ID', type: 'text', required: true, help: 'An email, a phone or any name the user signs in with.' },
      ...this.userFields(),
      { name: 'verifiedEmail', label: 'Email verified', type: 'checkbox', value: false },
    ];
    const created = await formDialog({
      title: 'Create user',
      submitLabel: 'Create',
      fields,
      onSubmit: async (v) => {
        const body = {
          loginId: v.loginId.trim(),
          email: v.email.trim(),
          phone: v.phone.trim(),
          name: v.name.trim(),
          roleNames: splitList(v.roleNames),
          userTenants: tenantsOf(v.tenants),
          customAttributes: parseObject(v.customAttributes, 'Custom attributes'),
        };
        if (v.verifiedEmail) body.verifiedEmail = true;
        return (await this.ctx.mgmt('POST', '/v1/mgmt/user/create', body)).user;
      },
    });
    if (!created || !this.alive) return;
    toast(`Created ${created.loginIds[0]}`, 'ok');
    await this.openDetail(created.loginIds[0]);
  }

  async edit(u) {
    const loginId = u.loginIds[0];
    const fields = [
      ...this.userFields(u),
      { name: 'verifiedEmail', label: 'Email verified', type: 'checkbox', value: u.verifiedEmail },
      { name: 'verifiedPhone', label: 'Phone verified', type: 'checkbox', value: u.verifiedPhone },
    ];
    const saved = await formDialog({
      title: `Edit ${loginId}`,
      fields,
      onSubmit: async (v) => {
        const body = {
          loginId,
          email: v.email.trim(),
          phone: v.phone.trim(),
          name: v.name.trim(),
          verifiedEmail: v.verifiedEmail,
          verifiedPhone: v.verifiedPhone,
          roleNames: splitList(v.roleNames),
          userTenants: tenantsOf(v.tenants),
          customAttributes: parseObject(v.customAttributes, 'Custom attributes'),
        };
        return (await this.ctx.mgmt('PATCH', '/v1/mgmt/user/patch', body)).user || true;
      },
    });
    if (!saved || !this.alive) return;
    toast('Saved', 'ok');
    await this.openDetail(loginId);
  }

  async setStatus(btn, u, status, errorBox) {
    const loginId = u.loginIds[0];
    const done = await busy(btn, () => this.ctx.mgmt('POST', '/v1/mgmt/user/update/status', { loginId, status }), errorBox);
    if (done === undefined || !this.alive) return;
    toast(status === 'disabled' ? `Disabled ${loginId}` : `Enabled ${loginId}`, 'ok');
    await this.openDetail(loginId);
  }

  async logout(btn, u, errorBox) {
    const done = await busy(btn, () => this.ctx.mgmt('POST', '/v1/mgmt/user/logout', { loginId: u.loginIds[0] }), errorBox);
    if (done !== undefined) toast(`Logged out every session of ${u.loginIds[0]}`, 'ok');
  }

  async impersonate(btn, u, sessionBox, errorBox) {
    errorBox.replaceChildren();
    const res = await busy(btn, async () => {
      const { token } = await this.ctx.mgmt('POST', '/v1/mgmt/user/signin/embeddedlink', { loginId: u.loginIds[0] });
      return authPost(this.ctx, '/v1/auth/magiclink/verify', { token });
    }, errorBox);
    if (!res || !this.alive) return;
    sessionBox.replaceChildren(
      h('div', { class: 'session', 'data-session': 'impersonated' },
        h('p', {}, badge('signed in', 'ok'), ` A new session of ${u.loginIds[0]}`,
          res.cookieExpiration ? `, refresh token valid until ${formatTime(res.cookieExpiration * 1000)}` : '', '.'),
        res.sessionJwt ? jwtView('Session JWT', res.sessionJwt, 'session') : null,
        res.refreshJwt
          ? jwtView('Refresh JWT', res.refreshJwt, 'refresh')
          : h('p', { class: 'muted' }, 'The refresh token went into a cookie (the project keeps it out of the body).')));
    sessionBox.querySelector('[data-jwt="session"] textarea')?.focus();
    toast('Signed in as the user', 'ok');
    try {
      const history = await this.ctx.mgmt('POST', '/v1/mgmt/user/history', [u.userId]);
      if (this.alive && Array.isArray(history)) this.renderHistory(history);
    } catch {
      // the history is a nicety
    }
  }

  async remove(u, errorBox) {
    const loginId = u.loginIds[0];
    if (!(await confirmDialog(`Delete ${loginId}? This cannot be undone.`, { confirmLabel: 'Delete' }))) return;
    try {
      await this.ctx.mgmt('POST', '/v1/mgmt/user/delete', { loginId });
    } catch (err) {
      showError(errorBox, err);
      return;
    }
    toast(`Deleted ${loginId}`, 'ok');
    if (this.alive) await this.refresh();
  }
}

export default viewTab(UsersView);
