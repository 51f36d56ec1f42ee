import { BrowserContext, Page, expect, test } from '@playwright/test';
import {
  LIBRARIAN,
  createMeeting,
  goOffline,
  goOnline,
  signIn,
  sql,
  syncState,
  uniqueTitle,
  waitUntilReadyOffline,
} from './helpers';

// Offline tests need the service worker: each test has its own contexts.
test.use({ serviceWorkers: 'allow' });

async function writeMinutes(page: Page, text: string) {
  await page.getByLabel('Notatka ze spotkania').fill(text);
  await expect(page.locator('.save-state')).toHaveText('Zapisano na tym urządzeniu');
}

async function signedInPage(context: BrowserContext) {
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  return page;
}

test('a meeting written offline survives reloads and a closed page, then reaches the database once', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await signedInPage(context);
  const title = uniqueTitle('Spotkanie bez sieci');
  // The tab that opens the meeting again, opened blank now: Chromium does
  // not always apply a context's offline state to a page created in it
  // later, and that page could send what must stay on the device.
  const again = await context.newPage();

  await goOffline(context);
  // The service worker's own requests fail too (it would answer 404 if it reached the server).
  const missing = await page.evaluate(() =>
    fetch('/pkg/no-such-file.js').then(
      (response) => response.status,
      () => 'failed',
    ),
  );
  expect(missing).toBe('failed');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Spotkania');
  await createMeeting(page, title);
  await writeMinutes(page, 'Pierwsza wersja notatki.');
  // One change, or two if Chromium let this reloaded page try to send the
  // first while the minutes were saved (a change taken for sending is never
  // folded into a later one: the server may have it already).
  await expect(syncState(page)).toHaveText(/^(1 zmiana czeka|2 zmiany czekają) na wysłanie$/);

  // Reloaded with no network: the app opens and shows the meeting.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByLabel('Notatka ze spotkania')).toHaveValue('Pierwsza wersja notatki.');
  await writeMinutes(page, 'Ostateczna wersja notatki.\nDrugi akapit.');
  const address = page.url();
  // Closed as a person closes a tab (pagehide runs and frees the sync lease;
  // a tab killed without it holds the lease up to 45 s).
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;

  await again.goto(address);
  await expect(again.getByLabel('Notatka ze spotkania')).toHaveValue('Ostateczna wersja notatki.\nDrugi akapit.');
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('0');

  await goOnline(context);
  // The closed tab let go of the sync lease (it failed offline, then closed):
  // this tab sends as soon as the network is back.
  await expect(syncState(again)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('1');
  expect(sql(`select data->>'minutes' from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe(
    'Ostateczna wersja notatki.\nDrugi akapit.',
  );
  await context.close();
});

test('a device the browser knows to be offline asks the server nothing, and sends as soon as it is back', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await signedInPage(context);
  const title = uniqueTitle('Spotkanie w bibliotece bez zasięgu');
  await goOffline(context);
  let asked = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/sync') asked += 1;
  });
  await createMeeting(page, title);
  await writeMinutes(page, 'Notatka bez sieci.');
  await expect(syncState(page)).toHaveText('1 zmiana czeka na wysłanie');
  // A save sends 1.5 s later and a failure retries after 1–2 s: by now a
  // device that asked anyway would have asked more than once.
  await page.waitForTimeout(5_000);
  expect(asked).toBe(0);

  // It looks again every few seconds without asking, so it does not wait
  // out a backoff grown while it was offline.
  await goOnline(context);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('1');
  await context.close();
});

test('two devices edit different paragraphs offline and both edits are kept; an overlap is settled on screen', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const tablet = await browser.newContext();
  const laptop = await browser.newContext();
  const onTablet = await signedInPage(tablet);
  const onLaptop = await signedInPage(laptop);
  const title = uniqueTitle('Spotkanie na dwa urządzenia');

  await createMeeting(onTablet, title);
  await writeMinutes(onTablet, 'Akapit pierwszy.\nAkapit drugi.\nAkapit trzeci.');
  await expect(syncState(onTablet)).toHaveText(/Wszystko wysłane o/);
  const address = onTablet.url();
  // The laptop opens the app afresh, which fetches the tablet's meeting.
  await onLaptop.goto(address);
  await expect(onLaptop.getByLabel('Notatka ze spotkania')).toHaveValue(
    'Akapit pierwszy.\nAkapit drugi.\nAkapit trzeci.',
  );

  await goOffline(tablet);
  await goOffline(laptop);
  await writeMinutes(onTablet, 'Akapit pierwszy, poprawiony na tablecie.\nAkapit drugi.\nAkapit trzeci.');
  await writeMinutes(onLaptop, 'Akapit pierwszy.\nAkapit drugi.\nAkapit trzeci, uzupełniony na laptopie.');
  await goOnline(tablet);
  await expect(syncState(onTablet)).toHaveText(/Wszystko wysłane o/);
  await goOnline(laptop);
  await expect(syncState(onLaptop)).toHaveText(/Wszystko wysłane o/);
  const merged = 'Akapit pierwszy, poprawiony na tablecie.\nAkapit drugi.\nAkapit trzeci, uzupełniony na laptopie.';
  expect(sql(`select data->>'minutes' from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe(
    merged,
  );
  await expect(onLaptop.getByLabel('Notatka ze spotkania')).toHaveValue(merged);

  // Now both rewrite the same paragraph.
  await onTablet.getByRole('button', { name: /Wszystko wysłane/ }).click();
  await onTablet.getByRole('button', { name: 'Wyślij teraz' }).click();
  await expect(onTablet.getByLabel('Notatka ze spotkania')).toHaveValue(merged);
  await goOffline(tablet);
  await goOffline(laptop);
  await writeMinutes(onTablet, merged.replace('Akapit drugi.', 'Drugi akapit według tabletu.'));
  await writeMinutes(onLaptop, merged.replace('Akapit drugi.', 'Drugi akapit według laptopa.'));
  await goOnline(tablet);
  await expect(syncState(onTablet)).toHaveText(/Wszystko wysłane o/);
  await goOnline(laptop);

  // The server kept the tablet's text; the laptop is shown both and chooses.
  const conflicts = onLaptop.getByRole('region', { name: 'Dwie wersje do rozstrzygnięcia' });
  await expect(conflicts).toBeVisible();
  await expect(conflicts).toContainText('Drugi akapit według tabletu.');
  await expect(conflicts).toContainText('Drugi akapit według laptopa.');
  await conflicts.getByRole('button', { name: 'Weź drugą wersję' }).click();
  await expect(conflicts).toBeHidden();
  const chosen = merged.replace('Akapit drugi.', 'Drugi akapit według laptopa.');
  await expect(onLaptop.getByLabel('Notatka ze spotkania')).toHaveValue(chosen);
  await expect(syncState(onLaptop)).toHaveText(/Wszystko wysłane o/);
  expect(sql(`select data->>'minutes' from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe(
    chosen,
  );
  const meetingId = address.split('/').pop();
  expect(
    sql(
      `select count(*) from records where entity = 'conflict' and not deleted and data->>'record_id' = '${meetingId}'`,
    ),
  ).toBe('0');
  await tablet.close();
  await laptop.close();
});

test('the meetings page is in Polish, fits a tablet and says what waits', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, hasTouch: true });
  const page = await signedInPage(context);
  await expect(page.getByRole('heading', { name: 'Nadchodzące' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Do uzupełnienia' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow).toBe(false);
  for (const control of await page.locator('main button, main select, main a.meeting-item__link').all()) {
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
  await syncState(page).click();
  await expect(page.getByRole('heading', { name: 'Zmiany na tym urządzeniu' })).toBeVisible();
  await expect(page.getByText('Wszystkie zmiany są na serwerze.')).toBeVisible();
  await context.close();
});

test('a tutor reads the partnership meetings without changing them; another library sees none of them', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'tutor@demo.local');
  await page.goto('/spotkania');
  await page.getByRole('link', { name: /Spotkanie inicjujące partnerstwa/ }).click();
  await expect(page.getByLabel('Notatka ze spotkania')).toHaveValue(/Przyszło 14 osób/);
  await expect(page.getByText('Możesz czytać spotkania tego partnerstwa, ale nie zmieniać ich.')).toBeVisible();
  await expect(page.getByLabel('Notatka ze spotkania')).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Usuń spotkanie' })).toHaveCount(0);
  await page.goto('/spotkania');
  await expect(page.getByRole('link', { name: /Spotkanie robocze/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Nowe spotkanie' })).toHaveCount(0);
  await context.close();

  const rudka = await browser.newContext();
  const other = await rudka.newPage();
  await signIn(other, 'biblioteka2@demo.local');
  await other.goto('/spotkania');
  // Once the device has synced, it knows it has no partnership and no meetings of Zalesie.
  await expect(other.getByText('Nie prowadzisz jeszcze żadnego partnerstwa w programie.', { exact: false })).toBeVisible();
  await expect(other.getByText('Brak spotkań.')).toHaveCount(3);
  await expect(other.getByRole('link', { name: /Spotkanie inicjujące/ })).toHaveCount(0);
  await rudka.close();
});

test('two tabs of one person: one sends, the other shows the change at once', async ({ browser }) => {
  const context = await browser.newContext();
  const first = await signedInPage(context);
  const second = await context.newPage();
  // The first tab holds the sync lease: the second must not talk to /api/sync.
  let sentBySecond = 0;
  second.on('request', (request) => {
    if (request.url().endsWith('/api/sync')) sentBySecond += 1;
  });
  await second.goto('/spotkania');
  const title = uniqueTitle('Spotkanie z dwóch kart');
  await createMeeting(first, title);
  // The other tab follows the shared store through storage events, without a reload.
  await expect(second.getByRole('link', { name: new RegExp(title) })).toBeVisible();
  await expect(syncState(second)).toHaveText(/Wszystko wysłane o/);
  expect(sentBySecond).toBe(0);
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('1');
  await context.close();
});

test('the tasks of every meeting in one list, overdue ones marked; a status changed there reaches the meeting', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await signedInPage(context);
  const title = uniqueTitle('Spotkanie z zadaniami');
  await createMeeting(page, title);
  await page.getByRole('button', { name: 'Dodaj zadanie' }).click();
  await page.getByLabel('Zadanie', { exact: true }).fill('Zamówić salę');
  await page.getByLabel('Osoba odpowiedzialna').fill('Ola');
  // 15 January of last year: long overdue, whatever today is.
  const lastYear = new Date().getFullYear() - 1;
  await page.getByLabel('Termin').fill(`${lastYear}-01-15`);
  await expect(page.locator('.save-state')).toHaveText('Zapisano na tym urządzeniu');

  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Zadania' }).click();
  const row = page.getByRole('row', { name: /Zamówić salę/ });
  await expect(row).toContainText(`15 stycznia ${lastYear}`);
  await expect(row).toContainText('po terminie');
  await expect(row).toContainText(title);
  await row.getByRole('combobox', { name: 'Status zadania: Zamówić salę' }).selectOption('done');
  await expect(page.getByRole('row', { name: /Zamówić salę/ })).toHaveCount(0);
  await page.getByLabel('Pokaż też zrobione').check();
  await expect(page.getByRole('row', { name: /Zamówić salę/ })).not.toContainText('po terminie');
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(
    sql(`select data->'tasks'->0->>'status' from records where entity = 'meeting' and data->>'title' = '${title}'`),
  ).toBe('done');
  await context.close();
});
