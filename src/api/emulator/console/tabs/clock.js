// Clock: the emulator's one clock, ticking; advance by presets or seconds, set, freeze, reset.
import { h, panel, formatTime, showError } from '../lib.js';

let cleanup = null;

const PRESETS = [['+1 min', 60], ['+5 min', 300], ['+1 hour', 3600], ['+1 day', 86400], ['+30 days', 2592000], ['−1 hour', -3600]];

function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export default {
  async mount(root, ctx) {
    let clock = null; // {now, offsetSeconds, frozen, at}
    const big = h('div', { class: 'clock-big', id: 'clock-now', 'aria-live': 'off' }, '—');
    const detail = h('div', { class: 'muted', id: 'clock-detail' });
    const error = h('div', {});
    const nowMs = () => (clock ? clock.now * 1000 + (clock.frozen ? 0 : performance.now() - clock.at) : Date.now());

    function render() {
      if (!clock) return;
      big.textContent = formatTime(nowMs());
      const off = clock.offsetSeconds;
      const parts = [off === 0 ? 'In step with real time' : `${off > 0 ? 'Ahead of' : 'Behind'} real time by ${describe(Math.abs(off))}`];
      if (clock.frozen) parts.push('frozen');
      detail.textContent = parts.join(' · ');
      freeze.textContent = clock.frozen ? 'Unfreeze' : 'Freeze';
      freeze.setAttribute('aria-pressed', String(!!clock.frozen));
    }
    function describe(s) {
      const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
      const out = [];
      for (const [name, n] of units) {
        const q = Math.floor(s / n);
        if (q) { out.push(`${q} ${name}${q === 1 ? '' : 's'}`); s -= q * n; }
        if (out.length === 2) break;
      }
      return out.join(' ') || '0 seconds';
    }
    function set(c) { clock = { ...c, at: performance.now() }; render(); }
    async function post(body) {
      error.replaceChildren();
      try {
        set(await ctx.emu('POST', '/clock', body));
      } catch (e) {
        showError(error, e);
      }
    }

    const freeze = h('button', { type: 'button', id: 'clock-freeze', onclick: () => post({ frozen: !clock?.frozen }) }, 'Freeze');
    const seconds = h('input', { type: 'number', id: 'advance-seconds', step: '1', placeholder: 'seconds', 'aria-label': 'Seconds to advance (negative goes back)' });
    const at = h('input', { type: 'datetime-local', id: 'clock-set', step: '1', 'aria-label': 'Date and time to set' });
    root.append(
      panel('Emulator clock', [freeze, h('button', { type: 'button', id: 'clock-reset', onclick: () => post({ reset: true }) }, 'Reset to real time')],
        big, detail, error,
        h('p', { class: 'muted small-text' }, 'One clock for every project: token expiry, code lifetimes and sessions follow it. SDKs check a token\'s exp and iat against their own machine\'s clock.')),
      h('div', { class: 'grid2' },
        panel('Advance', [],
          h('div', { class: 'actions' }, PRESETS.map(([label, s]) => h('button', { type: 'button', class: 'advance', dataset: { seconds: s }, onclick: () => post({ advanceSeconds: s }) }, label))),
          h('form', { class: 'actions', style: { marginTop: '12px' }, onsubmit: (e) => {
            e.preventDefault();
            if (seconds.value === '' || !Number.isFinite(Number(seconds.value))) { showError(error, new Error('Enter a number of seconds')); return; }
            post({ advanceSeconds: Math.trunc(Number(seconds.value)) });
          } }, seconds, h('button', { type: 'submit', class: 'primary' }, 'Advance'))),
        panel('Set', [],
          h('form', { class: 'actions', onsubmit: (e) => {
            e.preventDefault();
            const ms = new Date(at.value).getTime();
            if (!at.value || Number.isNaN(ms)) { showError(error, new Error('Pick a date and time')); return; }
            post({ set: Math.floor(ms / 1000) });
          } }, at, h('button', { type: 'submit', class: 'primary' }, 'Set clock')))));

    try {
      set(await ctx.emu('GET', '/clock'));
      at.value = toLocalInput(nowMs());
    } catch (e) {
      showError(error, e);
    }
    const tick = setInterval(render, 250);
    const onClock = (e) => { if (e.detail) set(e.detail); };
    ctx.events.addEventListener('clock', onClock);
    cleanup = () => { clearInterval(tick); ctx.events.removeEventListener('clock', onClock); };
  },
  unmount() {
    if (cleanup) cleanup();
    cleanup = null;
  },
};
