import { expect, test } from '@playwright/test';
import { LIBRARIAN, createMeeting, goOffline, signIn, sql, syncState, uniqueTitle, waitUntilReadyOffline } from './helpers';

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
