// Helpers for driving `<descope-wc>` (on its own or inside React's `<Descope>`) in a page:
// the page that hosts the web component, the outbox, the screens inside the component's
// shadow DOM, and the `success` the page records in `window.__success`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EMULATOR_URL, esc } from './browser.js';

const require = createRequire(import.meta.url);

/** The unmodified `@descope/web-component` bundle from npm, for the app to serve at `/wc.js`. */
export const WEB_COMPONENT = readFileSync(require.resolve('@descope/web-component/dist/index.js'), 'utf8');

/**
 * The app's page: `<descope-wc>` running `flowId` of the project against the emulator (base-url,
 * base-static-url and base-cdn-url all point at it), loaded from `/wc.js`. The page records the
 * `success` event's detail in `window.__success` and each `error` event's in `window.__errors`;
 * with `showResult` it also shows who signed in, in a `<pre id="result">` below the component.
 */
export function webComponentPage(projectId, flowId, { showResult = false } = {}) {
  const result = showResult ? '\n<pre id="result"></pre>' : '';
  const show = showResult
    ? `
    document.getElementById('result').textContent = 'signed in as ' + e.detail.user.loginIds.join(',');`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body>
<descope-wc id="wc" project-id="${esc(projectId)}" flow-id="${esc(flowId)}" theme="light"
  base-url="${esc(EMULATOR_URL)}" base-static-url="${esc(EMULATOR_URL)}/pages" base-cdn-url="${esc(EMULATOR_URL)}"></descope-wc>${result}
<script>
  const wc = document.getElementById('wc');
  wc.addEventListener('success', (e) => {
    window.__success = e.detail;${show}
  });
  wc.addEventListener('error', (e) => { window.__errors = (window.__errors || []).concat([e.detail]); });
</script>
<script src="/wc.js"></script>
</body></html>`;
}

export async function outbox(projectId) {
  const res = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${projectId}/outbox`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

/** The newest message of `kind` to `to`, waiting for it (e.g. `.code` of an 'otp' one). */
export async function messageTo(projectId, to, kind) {
  for (let i = 0; i < 50; i += 1) {
    const found = (await outbox(projectId)).filter((m) => m.to === to && m.kind === kind);
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} message to ${to}`);
}

/** Waits for an element of the current screen (inside the component's shadow DOM). */
export async function waitFor(page, selector) {
  await page.waitForSelector(`descope-wc >>> ${selector}`, { visible: true, timeout: 20_000 });
}

export async function typeInto(page, field, text) {
  const input = await page.waitForSelector(`descope-wc >>> ${field} >>> input`, { visible: true, timeout: 20_000 });
  await input.click({ clickCount: 3 });
  await input.type(text, { delay: 20 });
}

/** Types a code into the passcode's boxes, one digit each (replacing what is there). */
export async function typeCode(page, code) {
  await page.waitForSelector('descope-wc >>> descope-passcode >>> input', { visible: true, timeout: 20_000 });
  const boxes = await page.$$('descope-wc >>> descope-passcode >>> input');
  assert.equal(boxes.length, code.length);
  for (const [i, box] of boxes.entries()) {
    await box.click({ clickCount: 3 });
    await box.type(code[i], { delay: 20 });
  }
}

export async function click(page, buttonId) {
  const button = await page.waitForSelector(`descope-wc >>> descope-button#${buttonId}`, {
    visible: true,
    timeout: 20_000,
  });
  await button.click();
}

/** The text the screen shows in its error element ('' when none). */
export async function errorText(page) {
  return page.$eval('descope-wc >>> [data-type="error-message"]', (el) => el.textContent.trim()).catch(() => '');
}

/** Waits until the screen shows an error; its text. */
export async function waitForError(page) {
  await page.waitForFunction(
    () => document.querySelector('descope-wc')?.shadowRoot?.querySelector('[data-type="error-message"]')?.textContent.trim(),
    { timeout: 20_000 },
  );
  return errorText(page);
}

/** The `success` event's detail, once the page recorded it in `window.__success`. */
export async function success(page) {
  await page.waitForFunction(() => window.__success, { timeout: 20_000 });
  return page.evaluate(() => window.__success);
}

/** Lets a new screen finish fading in before a screenshot. */
export function settle(ms = 500) {
  return new Promise((r) => setTimeout(r, ms));
}
