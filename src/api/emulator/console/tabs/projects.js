// Projects: the live list, create, reset, delete, snapshot download/upload, the project's ID
// and management key, and snippets that connect the SDKs to it.
import { h, panel, table, copyButton, formDialog, confirmDialog, toast, showError, download } from '../lib.js';

let off = null;

function snippets(ctx) {
  const base = location.origin;
  const pid = ctx.projectId;
  const key = ctx.managementKey || '<management key>';
  return [
    ['Python', `from descope import DescopeClient

client = DescopeClient(
    project_id="${pid}",
    base_url="${base}",
    management_key="${key}",
)`],
    ['Node', `import DescopeClient from '@descope/node-sdk';

const client = DescopeClient({
  projectId: '${pid}',
  baseUrl: '${base}',
  managementKey: '${key}',
});`],
    ['Web component', `<script src="${base}/npm/@descope/web-component@4.3.2/dist/index.js"></script>
<descope-wc project-id="${pid}" flow-id="sign-up-or-in"
  base-url="${base}" base-static-url="${base}/pages"
  base-cdn-url="${base}"></descope-wc>`],
  ];
}

function snippetBlock(ctx) {
  const all = snippets(ctx);
  const out = h('div', { class: 'snippet' });
  const tabs = h('div', { class: 'actions', role: 'group', 'aria-label': 'SDK' });
  function show(i) {
    const [, code] = all[i];
    [...tabs.children].forEach((b, j) => {
      b.classList.toggle('primary', i === j);
      b.setAttribute('aria-pressed', String(i === j));
    });
    out.replaceChildren(h('pre', {}, h('code', {}, code)), copyButton(code, 'snippet'));
  }
  all.forEach(([label], i) => tabs.append(h('button', { type: 'button', class: 'small', onclick: () => show(i) }, label)));
  show(0);
  return h('div', {}, tabs, out);
}

async function createProject(ctx) {
  const created = await formDialog({
    title: 'New project',
    fields: [
      { name: 'name', label: 'Name', placeholder: 'My app' },
      { name: 'projectId', label: 'Project ID (optional)', placeholder: 'P2… (generated when empty)', help: 'A P followed by letters and digits, shorter than 32 characters.' },
    ],
    submitLabel: 'Create',
    onSubmit: (v) => ctx.emu('POST', '/projects', { name: v.name.trim(), projectId: v.projectId.trim() }),
  });
  if (created && created.projectId) {
    toast(`Created ${created.name}`, 'ok');
    await ctx.refreshProjects();
    await ctx.selectProject(created.projectId);
  }
}

function uploadSnapshot(ctx) {
  const input = h('input', { type: 'file', accept: 'application/json,.json', class: 'offscreen', 'aria-label': 'Snapshot file' });
  input.addEventListener('change', async () => {
    const file = input.files[0];
    input.remove();
    if (!file) return;
    if (!(await confirmDialog(`Replace everything in ${ctx.projectName || ctx.projectId} with ${file.name}?`, { confirmLabel: 'Replace' }))) return;
    try {
      const text = await file.text();
      let snap;
      try { snap = JSON.parse(text); } catch { throw new Error(`${file.name} is not JSON`); }
      await ctx.emu('PUT', `/projects/${encodeURIComponent(ctx.projectId)}/snapshot`, snap);
      toast('Snapshot loaded', 'ok');
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  document.body.append(input);
  input.click();
}

function projectPanel(ctx) {
  const pid = ctx.projectId;
  const enc = encodeURIComponent(pid);
  const keyText = h('code', { class: 'mono', id: 'management-key' }, '•'.repeat(16));
  let shown = false;
  const reveal = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', onclick: () => {
    shown = !shown;
    keyText.textContent = shown ? ctx.managementKey : '•'.repeat(16);
    reveal.textContent = shown ? 'Hide' : 'Show';
    reveal.setAttribute('aria-pressed', String(shown));
  } }, 'Show');
  const actions = [
    h('button', { type: 'button', onclick: async () => {
      try {
        const snap = await ctx.emu('GET', `/projects/${enc}/snapshot`);
        download(`${pid}.json`, JSON.stringify(snap, null, 2));
      } catch (e) { toast(e.message, 'error'); }
    } }, 'Download snapshot'),
    h('button', { type: 'button', onclick: () => uploadSnapshot(ctx) }, 'Upload snapshot'),
    h('button', { type: 'button', class: 'danger', id: 'reset-project', onclick: async () => {
      if (!(await confirmDialog(`Reset ${ctx.projectName || pid}? Users, tenants, roles, sessions and messages are removed; the keys stay.`, { confirmLabel: 'Reset' }))) return;
      try {
        await ctx.emu('POST', `/projects/${enc}/reset`);
        toast('Project reset', 'ok');
      } catch (e) { toast(e.message, 'error'); }
    } }, 'Reset'),
    h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!(await confirmDialog(`Delete ${ctx.projectName || pid} and everything in it?`, { confirmLabel: 'Delete' }))) return;
      try {
        await ctx.emu('DELETE', `/projects/${enc}`);
        toast('Project deleted', 'ok');
        await ctx.refreshProjects();
      } catch (e) { toast(e.message, 'error'); }
    } }, 'Delete'),
  ];
  return panel(ctx.projectName || pid, actions,
    h('dl', { class: 'kv' },
      h('dt', {}, 'Project ID'), h('dd', {}, h('code', { class: 'mono', id: 'project-id' }, pid), copyButton(pid, 'ID')),
      h('dt', {}, 'Management key'), h('dd', {}, ctx.managementKey
        ? [keyText, reveal, copyButton(ctx.managementKey, 'key')]
        : h('span', { class: 'muted' }, 'none active')),
      h('dt', {}, 'Base URL'), h('dd', {}, h('code', { class: 'mono' }, location.origin), copyButton(location.origin, 'URL')),
      h('dt', {}, 'JWKS'), h('dd', {}, h('a', { href: `/${enc}/.well-known/jwks.json`, class: 'mono' }, `/${pid}/.well-known/jwks.json`))),
    h('h3', {}, 'Connect an SDK'),
    snippetBlock(ctx));
}

export default {
  async mount(root, ctx) {
    const list = h('div', {});
    const newButton = h('button', { type: 'button', class: 'primary', id: 'new-project', onclick: () => createProject(ctx) }, 'New project');
    async function drawList() {
      try {
        const { projects } = await ctx.emu('GET', '/projects');
        list.replaceChildren(table([
          { label: 'Name', get: (p) => h('span', {}, p.name, p.projectId === ctx.projectId ? h('span', { class: 'pill ok', style: { marginLeft: '8px' } }, 'open') : null) },
          { label: 'Project ID', class: 'mono', get: (p) => p.projectId },
          { label: '', get: (p) => p.projectId === ctx.projectId ? null
            : h('button', { type: 'button', class: 'small', onclick: () => ctx.selectProject(p.projectId) }, 'Open') },
        ], projects, { empty: 'No projects yet — create one.', onRowClick: (p) => ctx.selectProject(p.projectId) }));
      } catch (e) {
        showError(list, e);
      }
    }
    root.append(
      ctx.projectId ? projectPanel(ctx) : null,
      panel('Projects', [newButton], list));
    await drawList();
    const onProjects = () => drawList();
    ctx.events.addEventListener('projects', onProjects);
    off = () => ctx.events.removeEventListener('projects', onProjects);
  },
  unmount() {
    if (off) off();
    off = null;
  },
};
