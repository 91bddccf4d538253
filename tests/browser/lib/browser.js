// Helpers for the browser suite: a real headless Chromium (the system's, driven by
// puppeteer-core) against a running emulator whose address comes from DESCOPE_EMULATOR_URL
// (scripts/test.sh sets it), and a tiny HTTP server that plays the app.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const EMULATOR_URL = (process.env.DESCOPE_EMULATOR_URL ?? 'http://127.0.0.1:4545').replace(/\/+$/, '');

const HERE = dirname(fileURLToPath(import.meta.url));

/** Where screenshots go: target/sdk-logs/browser/ of the repository (or BROWSER_ARTIFACTS). */
export const ARTIFACTS = process.env.BROWSER_ARTIFACTS ?? resolve(HERE, '../../../target/sdk-logs/browser');

export function uniqueEmail() {
  return `browser-${randomBytes(6).toString('hex')}@example.com`;
}

/** The payload of a JWT, decoded without verification (for looking at claims). */
export function decodeJwt(jwt) {
  const [, payload] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** The Chromium to run: $CHROMIUM_PATH, else the first of the usual names on PATH. */
export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found && existsSync(found)) return found;
    } catch {
      // not on PATH
    }
  }
  throw new Error('no Chromium found: install the Debian package `chromium` or set CHROMIUM_PATH');
}

/** A headless Chromium. Root needs --no-sandbox; loopback traffic never goes through a proxy. */
export async function launch() {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-proxy-server',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--disable-sync',
      '--metrics-recording-only',
      '--password-store=basic',
    ],
    defaultViewport: { width: 800, height: 720 },
    protocolTimeout: 30_000,
  });
}

/** Saves a screenshot of the page as `<ARTIFACTS>/<name>.png`; the file's path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Starts the app's HTTP server on 127.0.0.1 (any free port) with `routes`: path -> (req, url) =>
 * {status?, type?, body}. Resolves to {port, close()}.
 */
export async function startApp(routes) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://app.invalid');
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const { status = 200, type = 'text/html; charset=utf-8', body = '' } = route(req, url);
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return {
    port: server.address().port,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Escapes text for HTML. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function call(method, path, { body, bearer } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${EMULATOR_URL}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return json;
}

/** POST to the Descope auth API as the project's frontend would (bearer = project ID). */
export function authPost(project, path, body = {}) {
  return call('POST', path, { body, bearer: project.projectId });
}

export async function createProject() {
  const body = await call('POST', '/emulator/v1/projects', { body: {} });
  if (!body?.projectId) throw new Error(`POST /emulator/v1/projects: no projectId in ${JSON.stringify(body)}`);
  return body;
}

export async function deleteProject(projectId) {
  await call('DELETE', `/emulator/v1/projects/${projectId}`);
}
