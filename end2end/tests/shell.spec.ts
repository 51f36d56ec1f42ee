import { test, expect } from '@playwright/test';
import { LIBRARIAN, goOffline, goOnline, signIn, waitUntilReadyOffline } from './helpers';

test('the home page is in Polish by default, even for an English-language browser', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Partnerstwa lokalne bibliotek');
  await expect(page).toHaveTitle('Partnerstwa lokalne bibliotek · Partnerstwa');
  await context.close();
});

test('the language switch turns the page English without a reload, and the choice persists', async ({ page }) => {
  await page.goto('/');
  // Mark the document: a full reload would lose the mark.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  // Hydration attaches the click handler: wait for it once, click once (a
  // repeated click could undo a switch that was merely slow to show).
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await page.getByRole('button', { name: 'Switch the interface to English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Library partnerships');

  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Library partnerships');
  // The reloaded page hydrates again before its switch works (the button
  // waits for it, and so does the click).
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await page.getByRole('button', { name: 'Przełącz interfejs na polski' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Partnerstwa lokalne bibliotek');
});

test('a page reloaded offline keeps the chosen language, though the service worker cached it in Polish', async ({
  browser,
}) => {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  await page.getByRole('button', { name: 'Switch the interface to English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meetings');

  await goOffline(context);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meetings');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // The cached Polish page did not overwrite the choice, and the site keeps
  // one language cookie (not one per directory the server answered).
  expect(await page.evaluate(() => document.cookie.match(/(^|; )lang=/g)?.length)).toBe(1);
  await goOnline(context);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meetings');
  await context.close();
});

test('an unknown address gets a 404 page in Polish with a way home', async ({ page }) => {
  const response = await page.goto('/nie-ma-takiej-strony');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nie ma takiej strony');
  await page.getByRole('link', { name: 'Wróć na stronę główną' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('the header shows when the browser goes offline', async ({ page, context }) => {
  await page.goto('/');
  const status = page.getByRole('status');
  await expect(status).toHaveText('W sieci');
  await context.setOffline(true);
  await expect(status).toHaveText('Bez sieci');
  await context.setOffline(false);
  await expect(status).toHaveText('W sieci');
});

test('healthz answers ok while the database is up', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('built assets are served compressed with long cache headers', async ({ page, request }) => {
  // The wasm is fetched by the module script, possibly after the load event:
  // wait for its response rather than read what was fetched by then.
  const wasm = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('.wasm'));
  await page.goto('/');
  const wasmPath = new URL((await wasm).url()).pathname;
  expect(wasmPath).toMatch(/^\/pkg\/partnerstwa\.[^/]+\.wasm$/);
  const response = await request.get(wasmPath, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-encoding']).toMatch(/br|gzip/);
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
});
