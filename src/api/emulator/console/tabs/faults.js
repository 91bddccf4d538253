// Faults: rules that make the project's next matching Descope calls fail or slow down.
import { h, panel, table, formDialog, confirmDialog, showError, toast } from '../lib.js';

export default {
  async mount(root, ctx) {
    const enc = encodeURIComponent(ctx.projectId);
    const list = h('div', { id: 'faults-list' });
    async function load() {
      try {
        const { faults } = await ctx.emu('GET', `/projects/${enc}/faults`);
        list.replaceChildren(table([
          { label: 'Match', class: 'mono', get: (f) => f.match },
          { label: 'Answer', get: (f) => (f.status ? `${f.status}${f.errorCode ? ` ${f.errorCode}` : ''}` : 'handled as usual') },
          { label: 'Delay', get: (f) => (f.delayMs ? `${f.delayMs} ms` : '—') },
          { label: 'Left', get: (f) => (f.remaining === null || f.remaining === undefined ? 'until removed' : String(f.remaining)) },
          { label: 'Probability', get: (f) => (f.probability === 1 ? '100%' : `${Math.round(f.probability * 100)}%`) },
          { label: '', get: (f) => h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove fault ${f.match}`, onclick: async () => {
            try {
              await ctx.emu('DELETE', `/projects/${enc}/faults/${encodeURIComponent(f.id)}`);
              await load();
            } catch (e) { toast(e.message, 'error'); }
          } }, 'Remove') },
        ], faults, { empty: 'No fault rules. Add one to make a Descope call fail or slow down, e.g. POST /v1/auth/otp/verify/email answering 429.' }));
      } catch (e) {
        showError(list, e);
      }
    }
    async function add() {
      const done = await formDialog({
        title: 'Add a fault',
        description: 'The next matching Descope calls of this project answer with this status (a Descope error body) and/or are delayed.',
        fields: [
          { name: 'match', label: 'Match', required: true, placeholder: 'POST /v1/auth/otp/verify/email', help: 'An operation ID, "METHOD /path" or "/path".' },
          { name: 'status', label: 'Status', type: 'number', placeholder: '429 (empty: only delay)', min: 400, max: 599 },
          { name: 'errorCode', label: 'Error code', placeholder: 'E011004' },
          { name: 'errorMessage', label: 'Error message' },
          { name: 'delayMs', label: 'Delay (ms)', type: 'number', value: 0, min: 0 },
          { name: 'times', label: 'Times (0 = until removed)', type: 'number', value: 1, min: 0 },
        ],
        submitLabel: 'Add fault',
        onSubmit: (v) => {
          const body = { match: v.match.trim() };
          for (const k of ['status', 'delayMs', 'times']) if (v[k] !== undefined) body[k] = v[k];
          if (v.errorCode) body.errorCode = v.errorCode.trim();
          if (v.errorMessage) body.errorMessage = v.errorMessage;
          return ctx.emu('POST', `/projects/${enc}/faults`, body);
        },
      });
      if (done) { toast('Fault added', 'ok'); await load(); }
    }
    root.append(panel('Fault rules', [
      h('button', { type: 'button', class: 'primary', id: 'add-fault', onclick: add }, 'Add fault'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!(await confirmDialog('Remove every fault rule of this project?', { confirmLabel: 'Clear' }))) return;
        try { await ctx.emu('DELETE', `/projects/${enc}/faults`); await load(); } catch (e) { toast(e.message, 'error'); }
      } }, 'Clear all'),
      h('button', { type: 'button', onclick: load }, 'Refresh'),
    ], list));
    await load();
  },
};
