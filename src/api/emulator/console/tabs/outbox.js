// Outbox: every message the emulator would have sent, live (Server-Sent Events), newest first,
// with filters, full-text search, copy buttons, a full view, delete and an unread marker.
import { h, panel, copyButton, formatTime, confirmDialog, toast, showError } from '../lib.js';

const CHANNELS = ['email', 'sms', 'voice', 'whatsapp', 'im'];
const KINDS = ['otp', 'magiclink', 'enchantedlink', 'password-reset', 'invite', 'sso-admin-link', 'notp'];
const LIMIT = 100;

let cleanup = null;

function matches(m, f) {
  if (f.channel && m.channel !== f.channel) return false;
  if (f.kind && m.kind !== f.kind) return false;
  if (f.loginId && m.loginId !== f.loginId) return false;
  if (f.q) {
    const hay = [m.subject, m.body, m.to, m.loginId, m.code].filter(Boolean).join('\n').toLowerCase();
    if (!hay.includes(f.q.toLowerCase())) return false;
  }
  return true;
}

function viewMessage(m) {
  const close = () => { dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { class: 'dialog wide', 'aria-label': 'Message' },
    h('h2', {}, m.subject || `${m.kind} ${m.channel} message`),
    h('dl', { class: 'kv' },
      h('dt', {}, 'To'), h('dd', {}, m.to),
      h('dt', {}, 'Login ID'), h('dd', {}, m.loginId || '—'),
      h('dt', {}, 'Channel'), h('dd', {}, m.channel),
      h('dt', {}, 'Kind'), h('dd', {}, m.kind),
      h('dt', {}, 'Sent'), h('dd', {}, formatTime(m.createdTime)),
      m.code ? [h('dt', {}, 'Code'), h('dd', {}, h('span', { class: 'code' }, m.code), copyButton(m.code, 'code'))] : null,
      m.link ? [h('dt', {}, 'Link'), h('dd', {}, h('a', { href: m.link, class: 'secret', target: '_blank', rel: 'noopener' }, m.link), copyButton(m.link, 'link'))] : null,
      m.token ? [h('dt', {}, 'Token'), h('dd', {}, h('code', { class: 'secret' }, m.token), copyButton(m.token, 'token'))] : null),
    h('h3', {}, 'Body'),
    h('pre', { class: 'msg-body' }, m.body),
    h('details', {}, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(m, null, 2))),
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'primary', onclick: close }, 'Close')));
  dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  document.body.append(dlg);
  dlg.showModal();
}

export default {
  async mount(root, ctx) {
    const enc = encodeURIComponent(ctx.projectId);
    const filters = { q: '', channel: '', kind: '', loginId: '' };
    const listBox = h('div', { id: 'outbox-list', 'aria-live': 'polite' });
    const count = h('span', { class: 'muted small-text' });
    let messages = [];
    const unread = new Set();

    function card(m, fresh) {
      const isUnread = unread.has(m.id);
      const el = h('article', { class: ['msg', isUnread && 'unread', fresh && 'fresh'], dataset: { id: m.id }, 'aria-label': `${m.kind} to ${m.to}` },
        h('div', { class: 'msg-head' },
          isUnread ? h('span', { class: 'new-dot', title: 'Unread', 'aria-label': 'unread' }) : null,
          h('span', { class: 'to' }, m.to),
          h('span', { class: 'pill' }, m.channel),
          h('span', { class: 'pill' }, m.kind),
          m.loginId && m.loginId !== m.to ? h('span', {}, `login ${m.loginId}`) : null,
          h('time', { datetime: new Date(m.createdTime).toISOString() }, formatTime(m.createdTime))),
        m.subject ? h('div', { class: 'msg-subject' }, m.subject) : null,
        m.code ? h('div', { class: 'msg-secret' }, h('span', { class: 'code', 'aria-label': 'code' }, m.code), copyButton(m.code, 'code')) : null,
        m.link ? h('div', { class: 'msg-secret' }, h('a', { class: 'secret', href: m.link, target: '_blank', rel: 'noopener' }, m.link), copyButton(m.link, 'link')) : null,
        h('div', { class: 'msg-actions' },
          h('button', { type: 'button', class: 'small', onclick: () => viewMessage(m) }, 'Open'),
          h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete message to ${m.to}`, onclick: async () => {
            try {
              await ctx.emu('DELETE', `/projects/${enc}/outbox/${encodeURIComponent(m.id)}`);
              messages = messages.filter((x) => x.id !== m.id);
              draw();
            } catch (e) { toast(e.message, 'error'); }
          } }, 'Delete')));
      return el;
    }

    function draw(freshId) {
      count.textContent = messages.length ? `${messages.length}${messages.length >= LIMIT ? '+' : ''} message${messages.length === 1 ? '' : 's'}` : '';
      if (!messages.length) {
        const filtered = Object.values(filters).some(Boolean);
        listBox.replaceChildren(h('p', { class: 'empty' }, filtered
          ? 'No message matches these filters.'
          : 'No messages yet. Sign-in codes, magic links and invitations sent in this project appear here as they are sent.'));
        return;
      }
      listBox.replaceChildren(...messages.map((m) => card(m, m.id === freshId)));
    }

    async function load() {
      const qs = new URLSearchParams({ limit: String(LIMIT) });
      for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
      try {
        const res = await ctx.emu('GET', `/projects/${enc}/outbox?${qs}`);
        messages = res.messages || [];
        for (const m of messages) if (!ctx.isSeen(m.id)) unread.add(m.id);
        draw();
        // Shown is seen: the tab's badge clears; the markers stay until "Mark all read".
        ctx.markSeen(messages.map((m) => m.id).reverse());
      } catch (e) {
        showError(listBox, e);
      }
    }

    let timer = 0;
    const later = () => { clearTimeout(timer); timer = setTimeout(load, 250); };
    const search = h('input', { type: 'search', id: 'outbox-search', placeholder: 'Search subject, body, address, code…', 'aria-label': 'Search messages',
      oninput: (e) => { filters.q = e.target.value.trim(); later(); } });
    const select = (name, label, options) => h('select', { 'aria-label': label, id: `outbox-${name}`, onchange: (e) => { filters[name] = e.target.value; load(); } },
      h('option', { value: '' }, `Any ${label.toLowerCase()}`), options.map((o) => h('option', { value: o }, o)));
    const login = h('input', { type: 'text', placeholder: 'Login ID', 'aria-label': 'Login ID', id: 'outbox-login',
      oninput: (e) => { filters.loginId = e.target.value.trim(); later(); } });

    const actions = [
      count,
      h('button', { type: 'button', onclick: () => { unread.clear(); draw(); } }, 'Mark all read'),
      h('button', { type: 'button', class: 'danger', id: 'empty-outbox', onclick: async () => {
        if (!(await confirmDialog('Delete every message of this project?', { confirmLabel: 'Empty outbox' }))) return;
        try {
          await ctx.emu('DELETE', `/projects/${enc}/outbox`);
          messages = [];
          draw();
          toast('Outbox emptied', 'ok');
        } catch (e) { toast(e.message, 'error'); }
      } }, 'Empty outbox'),
    ];
    root.append(panel('Outbox', actions,
      h('div', { class: 'toolbar' }, search, select('channel', 'Channel', CHANNELS), select('kind', 'Kind', KINDS), login),
      listBox));

    const onMessage = (e) => {
      const m = e.detail;
      if (!m || messages.some((x) => x.id === m.id) || !matches(m, filters)) return;
      unread.add(m.id);
      messages = [m, ...messages].slice(0, LIMIT);
      draw(m.id);
      if (document.visibilityState === 'visible') ctx.markSeen([m.id]);
    };
    const onProjects = (e) => {
      if (e.detail?.projectId === ctx.projectId && ['reset', 'replaced'].includes(e.detail.kind)) load();
    };
    ctx.events.addEventListener('outbox', onMessage);
    ctx.events.addEventListener('projects', onProjects);
    cleanup = () => {
      clearTimeout(timer);
      ctx.events.removeEventListener('outbox', onMessage);
      ctx.events.removeEventListener('projects', onProjects);
    };
    await load();
  },
  unmount() {
    if (cleanup) cleanup();
    cleanup = null;
  },
};
