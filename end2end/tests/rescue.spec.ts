import { expect, test } from '@playwright/test';
import {
  DEMO_PASSWORD,
  LIBRARIAN,
  createMeeting,
  goOffline,
  instantFromNow,
  signIn,
  sql,
  syncState,
  uniqueTitle,
  waitUntilReadyOffline,
  ZALESIE_PARTNERSHIP,
} from './helpers';


test.use({ serviceWorkers: 'allow' });

test('a rescue file from another tablet is shown before anything from it is sent, and sent once when accepted', async ({
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  // The tablet that cannot reach the server keeps its change in a file.
  const tablet = await browser.newContext();
  const offline = await tablet.newPage();
  await signIn(offline, LIBRARIAN);
  await offline.goto('/spotkania');
  await waitUntilReadyOffline(offline);
  await goOffline(tablet);
  const title = uniqueTitle('Spotkanie z pliku');
  await createMeeting(offline, title);
  await expect(syncState(offline)).toHaveText('1 zmiana czeka na wysłanie');
  await syncState(offline).click();
  const [download] = await Promise.all([
    offline.waitForEvent('download'),
    offline.getByRole('button', { name: 'Zapisz kopię niewysłanych zmian do pliku' }).click(),
  ]);
  // Kept past the tablet's context, which takes its downloads with it.
  const file = testInfo.outputPath('rescue.json');
  await download.saveAs(file);
  await tablet.close();

  // The office computer reads it: what it holds is listed, nothing is sent yet.
  const office = await browser.newContext();
  const page = await office.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  // A device that has sent nothing yet says its work is saved here.
  await expect(syncState(page)).toHaveText(/Zapisano na tym urządzeniu|Wszystko wysłane o/, { timeout: 20_000 });
  await syncState(page).click();
  await page.locator('#rescue-file').setInputFiles(file);
  const offer = page.getByRole('group', { name: 'Plik zawiera 1 zmianę:' });
  await expect(offer).toContainText(`Spotkanie: ${title}`);
  await expect(offer).toContainText('z Twoimi uprawnieniami');
  await offer.getByRole('button', { name: 'Nie dodawaj' }).click();
  await expect(offer).toBeHidden();
  await expect(page.getByText('Wszystkie zmiany są na serwerze.')).toBeVisible();
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('0');

  // Read again and accepted: sent, once.
  await page.locator('#rescue-file').setInputFiles([]);
  await page.locator('#rescue-file').setInputFiles(file);
  await page.getByRole('group', { name: 'Plik zawiera 1 zmianę:' }).getByRole('button', { name: 'Dodaj do wysłania' }).click();
  await expect(page.getByText('Wczytano 1 zmianę.')).toBeVisible();
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o/, { timeout: 20_000 });
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('1');
  await office.close();
});

test('a store too full for what the server sends says so in the header, keeps what was saved, and catches up once there is room', async ({
  browser,
  playwright,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  const mine = uniqueTitle('Spotkanie zapisane');
  await createMeeting(page, mine);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o/, { timeout: 20_000 });

  // Something else on the device takes all but a little of the storage.
  const filled = await page.evaluate(() => {
    // Kept free: room for small writes, not for long minutes.
    localStorage.setItem('inna-aplikacja/zapas', 'x'.repeat(16 * 1024));
    let chunk = 'x'.repeat(512 * 1024);
    let n = 0;
    while (chunk.length > 1000) {
      try {
        localStorage.setItem(`inna-aplikacja/${n}`, chunk);
        n++;
      } catch {
        chunk = chunk.slice(0, chunk.length / 2);
      }
    }
    localStorage.removeItem('inna-aplikacja/zapas');
    return n;
  });
  expect(filled).toBeGreaterThan(1);

  // Another computer of the library adds a meeting with long minutes.
  const other = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  expect((await other.post('/api/login', { data: { email: LIBRARIAN, password: DEMO_PASSWORD } })).status()).toBe(200);
  const long = uniqueTitle('Spotkanie z długą notatką');
  const pushed = await other.post('/api/sync', {
    data: {
      device_id: crypto.randomUUID(),
      cursor: 0,
      pull_limit: 1,
      mutations: [
        {
          id: crypto.randomUUID(),
          seq: 1,
          entity: 'meeting',
          record_id: crypto.randomUUID(),
          op: 'upsert',
          base_rev: null,
          data: {
            partnership_id: ZALESIE_PARTNERSHIP,
            kind: 'working',
            title: long,
            starts_at: instantFromNow(-2),
            minutes: 'Długa notatka ze spotkania. '.repeat(2_000),
          },
          client_time: null,
        },
      ],
    },
  });
  expect(pushed.status()).toBe(200);
  await other.dispose();

  await syncState(page).click();
  await page.getByRole('button', { name: 'Wyślij teraz' }).click();
  await expect(syncState(page)).toHaveText('Wymaga uwagi: pamięć urządzenia jest pełna', { timeout: 20_000 });
  await expect(page.getByText(/nie mieści się to, co przychodzi z serwera/)).toBeVisible();
  // What was saved here is all still here.
  await page.goto('/spotkania');
  await expect(page.getByRole('link', { name: new RegExp(mine) })).toBeVisible();
  await expect(syncState(page)).not.toHaveText(/Zapisano|Wszystko wysłane/);

  // Room again: the device catches up by itself.
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith('inna-aplikacja/')) localStorage.removeItem(key);
  });
  await syncState(page).click();
  await page.getByRole('button', { name: 'Wyślij teraz' }).click();
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o|Zapisano na tym urządzeniu/, { timeout: 20_000 });
  await page.goto('/spotkania');
  await expect(page.getByRole('link', { name: new RegExp(long) })).toBeVisible();
  await context.close();
});
