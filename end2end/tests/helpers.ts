import AxeBuilder from '@axe-core/playwright';
import { BrowserContext, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

/** Every demo account's password (server/src/demo.rs). */
export const DEMO_PASSWORD = 'demo-demo-demo';

/** Signs in through the login page and waits for the home page. */
export async function signIn(page: Page, email: string, password: string = DEMO_PASSWORD) {
  await page.goto('/logowanie');
  await page.getByLabel('Adres e-mail').fill(email);
  await page.getByLabel('Hasło').fill(password);
  // The button is enabled only once the app has hydrated; click waits for it.
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await expect(page).toHaveURL(/\/$/);
}

export const LIBRARIAN = 'biblioteka1@demo.local';

/** The demo's partnership of Zalesie, the librarian's library (server/src/demo/mod.rs). */
export const ZALESIE_PARTNERSHIP = '5a1e0000-0000-4000-8000-000000000301';

/** One value from the test database (scripts/test exports DATABASE_URL). */
export function sql(query: string): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the browser tests through scripts/test');
  return execFileSync('psql', [url, '-tAc', query], { encoding: 'utf8' }).trim();
}

/** A title no other test (or earlier run) uses; plain ASCII so it can sit in SQL. */
export function uniqueTitle(what: string): string {
  return `${what} ${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
}

const fromWorker = (route: import('@playwright/test').Route) =>
  route.request().serviceWorker() ? route.abort('internetdisconnected') : route.fallback();

/** Cuts the network for pages and for the service worker alike. */
export async function goOffline(context: BrowserContext) {
  await context.setOffline(true);
  await context.route('**', fromWorker);
}

export async function goOnline(context: BrowserContext) {
  await context.unroute('**', fromWorker);
  await context.setOffline(false);
}

/**
 * Waits until the app can open with no network: the service worker controls
 * the page and holds this person's pages and every route's chunk, and the
 * device has the lists of partnerships and libraries.
 */
export async function waitUntilReadyOffline(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const controlled = () => page.evaluate(() => !!navigator.serviceWorker.controller);
  try {
    await expect.poll(controlled, { timeout: 10_000 }).toBe(true);
  } catch {
    // The worker activated but has not claimed this page (seen under load):
    // a page loaded under an active worker is always controlled.
    await page.reload();
    await expect.poll(controlled).toBe(true);
  }
  await expect
    .poll(() =>
      page.evaluate(async () => {
        for (const name of await caches.keys()) {
          if (!name.startsWith('partnerstwa-pages-')) continue;
          const pages = await caches.open(name);
          const who = await pages.match('/__who');
          if (who && (await who.text()) !== 'nobody' && (await pages.match('/spotkania/_'))) return true;
        }
        return false;
      }),
    )
    .toBe(true);
  // Every route's chunk, so that routes not opened yet open offline too.
  await waitUntilCached(page, 'partnerstwa-shell-', '/__split-cached');
  await expect
    .poll(() =>
      page.evaluate(() =>
        ['/ref/partnerships', '/ref/libraries'].every((ref) => Object.keys(localStorage).some((key) => key.endsWith(ref))),
      ),
    )
    .toBe(true);
}

/** Waits until one of the worker's caches named `prefix…` holds `path`. */
export async function waitUntilCached(page: Page, prefix: string, path: string) {
  await expect
    .poll(() =>
      page.evaluate(async ([prefix, path]) => {
        for (const name of await caches.keys()) {
          if (name.startsWith(prefix) && (await (await caches.open(name)).match(path))) return true;
        }
        return false;
      }, [prefix, path]),
    )
    .toBe(true);
}

/** The header's sync state button. */
export const syncState = (page: Page) => page.locator('.sync-status');

/**
 * Dates are built from now, never written out, so no test goes stale as the
 * calendar moves on. A UTC instant the way the app writes it
 * (`YYYY-MM-DDTHH:MM:SSZ`), `days` and `minutes` from now.
 */
export function instantFromNow(days: number, minutes = 0): string {
  const at = new Date(Date.now() + days * 86_400_000 + minutes * 60_000);
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The day in Poland `days` from today, `YYYY-MM-DD`. */
export function dayFromNow(days: number): string {
  // The en-CA format is ISO-like: 2026-12-10.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

const MONTHS = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września',
  'października', 'listopada', 'grudnia'];

/** A day as the app writes it in Polish: `2026-12-10` → "10 grudnia 2026". */
export function polishDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return `${date} ${MONTHS[month - 1]} ${year}`;
}

/** When `createMeeting` sets a meeting: in ten days, at 14:00 in Poland. */
export const MEETING_DAY = dayFromNow(10);

export async function createMeeting(page: Page, title: string) {
  if (!page.url().endsWith('/spotkania')) await page.goto('/spotkania');
  await page.getByRole('button', { name: 'Nowe spotkanie' }).click();
  await page.getByLabel('Tytuł').fill(title);
  await page.getByLabel('Początek').fill(`${MEETING_DAY}T14:00`);
  await page.getByRole('button', { name: 'Utwórz spotkanie' }).click();
  await expect(page).toHaveURL(/\/spotkania\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}


/** No serious or critical accessibility violations on the page (axe-core). */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}
