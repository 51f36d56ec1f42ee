// First-load benchmark (scripts/bench first-load), in Debian's Chromium:
// - the bytes a first visit transfers, as served (compressed), by kind, for
//   the home page, a meeting and a kiosk link;
// - time to interactive (the app hydrated) of a first visit under the
//   DevTools "Slow 3G" profile;
// - a repeat visit with no network at all, served by the service worker.
// Rows go to stdout and to the file BENCH_ROWS names. No time is asserted.
import { chromium } from '@playwright/test';
import { appendFileSync } from 'node:fs';

const BASE = process.env.BENCH_URL ?? 'http://127.0.0.1:3200';
const LIBRARIAN = 'biblioteka1@demo.local';
const PASSWORD = 'demo-demo-demo';
// DevTools' "Slow 3G": 400 ms round trips and 400 kbit/s, with its
// own 5× latency and 0.8× throughput factors applied.
const SLOW_3G = { offline: false, latency: 2000, downloadThroughput: 50_000, uploadThroughput: 50_000 };

function row(measure, value) {
  const line = `| first-load | ${measure} | ${value} |`;
  console.log(line);
  if (process.env.BENCH_ROWS) appendFileSync(process.env.BENCH_ROWS, `${line}\n`);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function api(path, body, cookie) {
  const response = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response;
}

async function signedIn() {
  const response = await api('/api/login', { email: LIBRARIAN, password: PASSWORD });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('the login set no cookie');
  return cookie;
}

/** The demo's first meeting, from the meetings the librarian pulls. */
async function aMeeting(cookie) {
  const response = await api('/api/sync', { device_id: crypto.randomUUID(), cursor: 0, pull_limit: 500, mutations: [] }, cookie);
  const { changes } = await response.json();
  const meeting = changes.find((c) => c.entity === 'meeting' && !c.deleted);
  if (!meeting) throw new Error('the demo data has no meeting');
  return meeting.record_id;
}

function kindOf(type, url) {
  if (url.endsWith('.wasm') || type === 'Wasm') return 'wasm';
  if (type === 'Document') return 'html';
  if (type === 'Script') return 'js';
  if (type === 'Stylesheet') return 'css';
  if (type === 'Font') return 'fonts';
  if (type === 'Image' || url.includes('/icons/') || url.endsWith('.webmanifest')) return 'icons';
  return 'data';
}

/** A first visit in a fresh context: bytes by kind and time to hydration. */
async function firstVisit(browser, path, { cookie, throttle }) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  if (cookie) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: BASE }]);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttle) await cdp.send('Network.emulateNetworkConditions', throttle);
  const requests = new Map();
  const bytes = {};
  cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, kindOf(e.type, e.response.url)));
  cdp.on('Network.loadingFinished', (e) => {
    const kind = requests.get(e.requestId) ?? 'data';
    bytes[kind] = (bytes[kind] ?? 0) + e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(`${BASE}${path}`, { waitUntil: 'commit', timeout: 300_000 });
  await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 300_000 });
  const interactive = Date.now() - started;
  await page.waitForLoadState('networkidle', { timeout: 300_000 });
  await context.close();
  return { bytes, interactive };
}

/** A signed-in device that visited once, then opens a page with no network. */
async function offlineRepeat(browser, cookie, meeting) {
  const context = await browser.newContext();
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: BASE }]);
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Until the worker holds the pages and this person's data is on the device.
  for (let i = 0; i < 120; i++) {
    const ready = await page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) return false;
      const names = await caches.keys();
      const chunks = await Promise.all(
        names.filter((name) => name.startsWith('partnerstwa-shell-')).map(async (name) => !!(await (await caches.open(name)).match('/__split-cached'))),
      );
      if (!chunks.includes(true)) return false;
      for (const name of names) {
        if (name.startsWith('partnerstwa-pages-') && (await (await caches.open(name)).match('/spotkania/_'))) {
          return Object.keys(localStorage).some((key) => key.endsWith('/ref/partnerships'));
        }
      }
      return false;
    });
    if (ready) break;
    if (i === 20) await page.reload();
    await page.waitForTimeout(500);
  }
  await context.setOffline(true);
  await context.route('**', (route) => (route.request().serviceWorker() ? route.abort('internetdisconnected') : route.fallback()));
  const started = Date.now();
  await page.goto(`${BASE}/spotkania/${meeting}`);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  const hydrated = Date.now() - started;
  await page.getByRole('heading', { level: 1 }).waitFor();
  const shown = Date.now() - started;
  await context.close();
  return { hydrated, shown };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const cookie = await signedIn();
  const meeting = await aMeeting(cookie);
  const { url: kioskLink } = await (await api('/api/kiosk-token', { meeting_id: meeting }, cookie)).json();
  const visits = [
    ['home page /', '/', {}],
    ['a meeting /spotkania/…', `/spotkania/${meeting}`, { cookie }],
    ['kiosk link /kiosk/…', kioskLink, {}],
  ];
  for (const [what, path, options] of visits) {
    const { bytes } = await firstVisit(browser, path, options);
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    const parts = ['html', 'js', 'wasm', 'css', 'fonts', 'icons', 'data']
      .filter((k) => bytes[k])
      .map((k) => `${k} ${kb(bytes[k])}`)
      .join(', ');
    row(`${what}: first visit transfers`, `${kb(total)} (${parts})`);
  }
  for (const [what, path, options] of [visits[0], visits[2]]) {
    const { interactive } = await firstVisit(browser, path, { ...options, throttle: SLOW_3G });
    row(`${what}: interactive on Slow 3G, first visit`, seconds(interactive));
  }
  const { hydrated, shown } = await offlineRepeat(browser, cookie, meeting);
  row('a meeting, repeat visit offline: interactive / meeting shown', `${seconds(hydrated)} / ${seconds(shown)}`);
} finally {
  await browser.close();
}
