// Helpers for driving `<descope-wc>` (on its own or inside React's `<Descope>`) in a page:
// the outbox, the screens inside the component's shadow DOM, and the `success` the page
// records in `window.__success`.

import assert from 'node:assert/strict';
import { EMULATOR_URL } from './browser.js';

export async function outbox(projectId) {
  const res = await fetch(`${EMULATOR_URL}/emulator/v1/projects/${projectId}/outbox`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

/** The newest message of `kind` to `to`, waiting for it. */
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
