// The console shell: project picker, tab router (location.hash `#/<tab>`), live streams and the
// `ctx` handed to every tab module (see lib.js for the helpers tabs share).
import { h, request, showError, toast, copyButton, formatTime } from './lib.js';

export const TABS = [['projects', 'Projects'], ['outbox', 'Outbox'], ['users', 'Users'],
  ['tenants', 'Tenants'], ['roles', 'Roles'], ['accesskeys', 'Access keys'], ['audit', 'Audit'],
  ['requests', 'Requests'], ['faults', 'Faults'], ['clock', 'Clock'], ['jwt', 'JWT']];
/** Tabs that work without a project. */
const GLOBAL_TABS = new Set(['projects', 'clock', 'jwt']);
const CONSOLE_HEADER = 'x-descope-emulator-console';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const events = new EventTarget();

const state = {
  projects: [],
  projectId: '',
  project: null, // {projectId, name, managementKey}
  tab: 'projects',
  current: null, // the mounted tab module
  mountSeq: 0,
  outboxStream: null,
  unread: 0,
  clock: null, // {now, offsetSeconds, frozen, at (performance.now() when read)}
};

// ---- unread marker: seen message IDs per project in localStorage ----
const seenKey = (pid) => `descope-emulator.seen.${pid}`;
function seenSet(pid) {
  try { return new Set(JSON.parse(localStorage.getItem(seenKey(pid)) || '[]')); } catch { return new Set(); }
}
function saveSeen(pid, set) {
  // Bounded: the newest 500 IDs are enough for a 100-message view.
  const ids = [...set].slice(-500);
  try { localStorage.setItem(seenKey(pid), JSON.stringify(ids)); } catch { /* private mode */ }
}

function emu(method, path, body) {
  return request(method, `/emulator/v1${path}`, body);
}

function mgmt(method, path, body) {
  if (!state.project) return Promise.reject(new Error('Pick a project first'));
  const { projectId, managementKey } = state.project;
  return request(method, path, body, {
    Authorization: `Bearer ${projectId}:${managementKey || ''}`,
    // Keeps the console's own calls out of the project's request log.
    [CONSOLE_HEADER]: '1',
  });
}

function makeCtx() {
  const pid = state.projectId;
  return {
    projectId: pid,
    managementKey: state.project?.managementKey || '',
    projectName: state.project?.name || '',
    projects: state.projects,
    mgmt,
    emu,
    events,
    /** Selects a project (and reloads the tab). */
    selectProject,
    /** Goes to a tab. */
    go: (tab) => { location.hash = `#/${tab}`; },
    isSeen: (id) => seenSet(pid).has(id),
    markSeen: (ids) => {
      if (!pid) return;
      const s = seenSet(pid);
      for (const id of ids) { s.delete(id); s.add(id); }
      saveSeen(pid, s);
      refreshUnread();
    },
    clock: () => clockNow(),
    refreshProjects: loadProjects,
  };
}

// ---- tabs ----
function renderTabs() {
  // The links are built once and then only marked: a link that is replaced while someone
  // clicks or focuses it would swallow the click and lose the keyboard focus.
  const ul = $('tabs');
  if (!ul.children.length) {
    ul.replaceChildren(...TABS.map(([id, label]) => h('li', {},
      h('a', { href: `#/${id}`, id: `tab-${id}` },
        label, id === 'outbox' ? h('span', { class: 'badge', id: 'unread-badge', hidden: state.unread === 0, 'aria-label': `${state.unread} unread` }, String(state.unread)) : null))));
  }
  for (const [id] of TABS) {
    const a = $(`tab-${id}`);
    a.classList.toggle('active', state.tab === id);
    if (state.tab === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function tabFromHash() {
  const id = (location.hash.match(/^#\/([\w-]+)/) || [])[1];
  return TABS.some(([t]) => t === id) ? id : null;
}

async function showTab() {
  const seq = ++state.mountSeq;
  if (state.current?.unmount) {
    try { state.current.unmount(); } catch (e) { console.error(e); }
  }
  state.current = null;
  renderTabs();
  const view = $('view');
  const root = h('div', { class: 'tab-root', id: `view-${state.tab}` });
  view.replaceChildren(root);
  const label = TABS.find(([t]) => t === state.tab)[1];
  document.title = `${label} · descope-emulator console`;
  if (!state.projectId && !GLOBAL_TABS.has(state.tab)) {
    root.append(h('div', { class: 'empty-state' },
      h('h2', {}, label),
      h('p', {}, state.projects.length ? 'Pick a project above first.' : 'No projects yet — create one.'),
      h('a', { class: 'button primary', href: '#/projects' }, 'Go to Projects')));
    return;
  }
  let mod;
  try {
    mod = (await import(`./tabs/${state.tab}.js`)).default;
  } catch (e) {
    if (seq !== state.mountSeq) return;
    console.warn(`tab ${state.tab}:`, e);
    root.append(h('div', { class: 'empty-state' }, h('h2', {}, label), h('p', { class: 'muted' }, `The ${label} tab is not available in this build.`)));
    return;
  }
  if (seq !== state.mountSeq) return;
  state.current = mod;
  try {
    await mod.mount(root, makeCtx());
  } catch (e) {
    if (seq === state.mountSeq) showError(root, e);
  }
}

// ---- projects ----
async function loadProjects() {
  try {
    const { projects } = await emu('GET', '/projects');
    state.projects = projects || [];
  } catch (e) {
    toast(`Could not list projects: ${e.message}`, 'error');
    return;
  }
  const sel = $('project');
  const want = state.projectId || params.get('projectId') || localStorage.getItem('descope-emulator.project') || '';
  sel.replaceChildren(...(state.projects.length
    ? state.projects.map((p) => h('option', { value: p.projectId }, p.name ? `${p.name} (${p.projectId})` : p.projectId))
    : [h('option', { value: '' }, 'No projects')]));
  sel.disabled = state.projects.length === 0;
  const exists = state.projects.some((p) => p.projectId === want);
  const pid = exists ? want : (state.projects[0]?.projectId || '');
  sel.value = pid;
  if (pid !== state.projectId) await selectProject(pid);
}

async function selectProject(pid) {
  if (pid === state.projectId && state.project) return;
  state.projectId = pid;
  state.project = null;
  if (pid) {
    try {
      state.project = await emu('GET', `/projects/${encodeURIComponent(pid)}`);
    } catch (e) {
      state.project = { projectId: pid, name: '', managementKey: '' };
      toast(`Could not open project ${pid}: ${e.message}`, 'error');
    }
    localStorage.setItem('descope-emulator.project', pid);
  }
  $('project').value = pid;
  const url = new URL(location.href);
  if (pid) url.searchParams.set('projectId', pid); else url.searchParams.delete('projectId');
  history.replaceState(null, '', url);
  openOutboxStream();
  refreshUnread();
  await showTab();
}

// ---- live streams ----
function setLive(ok) {
  const el = $('live');
  el.classList.toggle('ok', ok);
  el.querySelector('.live-text').textContent = ok ? 'live' : 'reconnecting';
}

function openOutboxStream() {
  if (state.outboxStream) state.outboxStream.close();
  state.outboxStream = null;
  const pid = state.projectId;
  if (!pid) return;
  const es = new EventSource(`/emulator/v1/projects/${encodeURIComponent(pid)}/outbox/stream`);
  es.addEventListener('message', (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (pid !== state.projectId) return;
    events.dispatchEvent(new CustomEvent('outbox', { detail: m }));
    refreshUnread();
  });
  es.addEventListener('error', () => {
    // A deleted project ends its stream for good; EventSource would retry forever.
    if (!state.projects.some((p) => p.projectId === pid)) es.close();
  });
  state.outboxStream = es;
}

function openEventStream() {
  const es = new EventSource('/emulator/v1/events');
  es.addEventListener('open', () => setLive(true));
  es.addEventListener('error', () => setLive(false));
  es.addEventListener('projects', (e) => {
    loadProjects();
    let detail = {};
    try { detail = JSON.parse(e.data); } catch { /* keep {} */ }
    events.dispatchEvent(new CustomEvent('projects', { detail }));
  });
  es.addEventListener('clock', (e) => {
    try { setClock(JSON.parse(e.data)); } catch { /* ignore */ }
    events.dispatchEvent(new CustomEvent('clock', { detail: state.clock }));
  });
}

let unreadTimer = 0;
function refreshUnread() {
  clearTimeout(unreadTimer);
  unreadTimer = setTimeout(async () => {
    const pid = state.projectId;
    let n = 0;
    if (pid) {
      try {
        const { messages } = await emu('GET', `/projects/${encodeURIComponent(pid)}/outbox?limit=100`);
        const seen = seenSet(pid);
        n = (messages || []).filter((m) => !seen.has(m.id)).length;
      } catch { n = 0; }
    }
    if (pid !== state.projectId) return;
    state.unread = n;
    const b = $('unread-badge');
    if (b) { b.textContent = String(n); b.hidden = n === 0; b.setAttribute('aria-label', `${n} unread`); }
  }, 100);
}

// ---- clock chip ----
function setClock(c) {
  state.clock = { ...c, at: performance.now() };
  renderClock();
}
/** The emulator time now, in Unix milliseconds (ticking locally between reads). */
function clockNow() {
  const c = state.clock;
  if (!c) return Date.now();
  return c.now * 1000 + (c.frozen ? 0 : performance.now() - c.at);
}
function renderClock() {
  const c = state.clock;
  const chip = $('clock-chip');
  if (!c) { chip.textContent = ''; return; }
  const off = c.offsetSeconds ? ` (${c.offsetSeconds > 0 ? '+' : ''}${c.offsetSeconds}s)` : '';
  chip.textContent = `Clock ${formatTime(clockNow())}${off}${c.frozen ? ' · frozen' : ''}`;
  chip.classList.toggle('shifted', !!c.offsetSeconds || !!c.frozen);
}
async function loadClock() {
  try { setClock(await emu('GET', '/clock')); } catch { /* the chip stays empty */ }
}

// ---- magic link landing (/emulator/magiclink?t=...) ----
function showTokenBanner() {
  const t = params.get('t');
  if (!t) return;
  const b = $('token-banner');
  b.hidden = false;
  b.replaceChildren(h('strong', {}, 'Magic link token '), h('code', { class: 'secret', id: 'tokenValue' }, t), ' ', copyButton(t, 'token'));
}

// ---- start ----
window.addEventListener('hashchange', () => {
  state.tab = tabFromHash() || 'projects';
  showTab();
});
$('project').addEventListener('change', (e) => selectProject(e.target.value));

state.tab = tabFromHash() || (params.get('projectId') ? 'outbox' : 'projects');
showTokenBanner();
renderTabs();
openEventStream();
setInterval(renderClock, 1000);
loadClock();
await loadProjects();
if (!state.projectId) await showTab();
