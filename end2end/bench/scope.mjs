// What each role's device holds of a 300-library program, and how soon a
// coordinator's first screen shows (scripts/bench scope), in Debian's
// Chromium against the release build. The program is the browser tests'
// fixture (end2end/fixtures/big-program.sql: 900 meetings, 27 000 sign-ins).
// Rows go to stdout and to the file BENCH_ROWS names. No time is asserted.
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

const BASE = process.env.BENCH_URL ?? 'http://127.0.0.1:3200';
const PASSWORD = 'demo-demo-demo';
const PROGRAM = '5a1e0000-0000-4000-8000-000000000900';

function row(measure, value) {
  const line = `| scope | ${measure} | ${value} |`;
  console.log(line);
  if (process.env.BENCH_ROWS) appendFileSync(process.env.BENCH_ROWS, `${line}\n`);
}

const size = (bytes) => (bytes < 1_000_000 ? `${(bytes / 1000).toFixed(0)} kB` : `${(bytes / 1_000_000).toFixed(2)} MB`);

function sql(query) {
  return execFileSync('psql', [process.env.DATABASE_URL, '-tAc', query], { encoding: 'utf8' }).trim();
}

/** A fresh device signed in as `email`, on `path`, with the time until `shown` appears. */
async function device(browser, email, path, shown) {
  const context = await browser.newContext();
  const response = await fetch(`${BASE}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!response.ok || !cookie) throw new Error(`${email} could not sign in (${response.status})`);
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: BASE }]);
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${BASE}${path}`);
  await page.getByText(shown).first().waitFor({ timeout: 60_000 });
  return { context, page, ms: Date.now() - started };
}

/** localStorage in bytes as Chromium counts it (UTF-16), once `settled` holds. */
async function held(page, settled) {
  for (let i = 0; i < 240; i++) {
    if (await page.evaluate(settled)) break;
    await page.waitForTimeout(500);
  }
  if (!(await page.evaluate(settled))) throw new Error('the device never finished its pull');
  return page.evaluate(() =>
    Object.keys(localStorage).reduce((sum, key) => sum + 2 * (key.length + (localStorage.getItem(key) ?? '').length), 0),
  );
}

const records = (entity) => `Object.keys(localStorage).filter((key) => key.includes('/rec/${entity}/')).length`;

sql(readFileSync(new URL('../fixtures/big-program.sql', import.meta.url), 'utf8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const coordinator = await device(browser, 'koordynator300@demo.local', `/programy/${PROGRAM}`, 'Biblioteka testowa nr 250');
  row('coordinator of 300 libraries, fresh device: program page with its libraries shown', `${(coordinator.ms / 1000).toFixed(1)} s`);
  const partnerships = `Object.keys(localStorage).some((key) => key.endsWith('/ref/partnerships'))`;
  row('device store after the first pull: coordinator (no library taken offline)', size(await held(coordinator.page, partnerships)));
  await coordinator.context.close();
  // One device at a time, so none syncs while another is measured.
  const others = [
    ['tutor of 30 libraries (2 700 sign-ins, without signatures or contact data)', 'tutor300@demo.local', 2700],
    ['librarian of 1 library (90 sign-ins with signatures)', 'biblioteka300@demo.local', 90],
  ];
  for (const [who, email, signIns] of others) {
    const { page, context } = await device(browser, email, '/spotkania', 'Spotkania');
    row(`device store after the first pull: ${who}`, size(await held(page, `${records('sign_in')} === ${signIns}`)));
    await context.close();
  }
} finally {
  await browser.close();
}
