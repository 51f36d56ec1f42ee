import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectAccessible, signIn, sql, syncState } from './helpers';

// A program of 300 libraries, each with a partnership, 3 meetings and 30
// sign-ins a meeting (27 000 sign-ins with drawn signatures), and its own
// coordinator, so the demo's program and the other tests stay as they are.
const PROGRAM = '5a1e0000-0000-4000-8000-000000000900';
const COORDINATOR = 'koordynator300@demo.local';
const LIBRARIES = 300;

/** Seeds the big program once (tests of one run share the database). */
function seedBigProgram() {
  sql(readFileSync(join(__dirname, '..', 'fixtures', 'big-program.sql'), 'utf8'));
}

/** What the site keeps in localStorage, in bytes as Chromium counts them (UTF-16). */
const storeBytes = (page: import('@playwright/test').Page) =>
  page.evaluate(() =>
    Object.keys(localStorage).reduce((sum, key) => sum + 2 * (key.length + (localStorage.getItem(key) ?? '').length), 0),
  );

test('a coordinator of 300 libraries sees her program, its libraries and a library’s meetings from the server, and her device holds under 1 MB', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  seedBigProgram();
  expect(sql(`select count(*) from records r join program_libraries p using (library_id) where p.program_id = '${PROGRAM}' and r.entity = 'sign_in'`)).toBe(
    String(LIBRARIES * 90),
  );
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, COORDINATOR);

  // Each screen within the expect timeout (10 s), served by the server.
  await page.goto(`/programy/${PROGRAM}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Program testowy 300 bibliotek/);
  await expect(page.getByRole('row', { name: /Biblioteka testowa nr 250\b/ })).toBeVisible();
  await page.goto('/biblioteki');
  await expect(page.locator('main')).toContainText('300 bibliotek');
  await page.getByLabel('Szukaj na liście').fill('nr 137');
  await page.getByRole('button', { name: 'Szukaj' }).click();
  await page.getByTestId('libraries').getByRole('link', { name: 'Biblioteka testowa nr 137' }).click();
  const meetings = page.getByTestId('library-meetings');
  await expect(meetings.getByRole('row')).toHaveCount(4);
  await expect(meetings.getByRole('row', { name: /Spotkanie 1 w bibliotece nr 137/ })).toContainText('30 osób');
  await expectAccessible(page);

  // A meeting of a library her device does not hold: read from the server,
  // its list too, with the signatures and without contact data.
  await meetings.getByRole('link', { name: 'Spotkanie 1 w bibliotece nr 137' }).click();
  const read = page.getByTestId('meeting-from-server');
  await expect(read.getByRole('heading', { level: 1 })).toHaveText('Spotkanie 1 w bibliotece nr 137');
  await expect(read).toContainText('Notatka ze spotkania partnerów.');
  await expect(read).toContainText('czytasz z serwera');
  await read.getByRole('link', { name: /Lista obecności/ }).click();
  await expect(page.locator('.attendance__row')).toHaveCount(30);
  await expect(page.locator('.attendance__signature svg')).toHaveCount(30);
  await expect(page.locator('main')).toContainText('Tę listę czytasz z serwera');
  await expect(page.locator('main')).not.toContainText('@example.pl');
  await expect(page.getByRole('button', { name: /Skreśl/ })).toHaveCount(0);
  await expectAccessible(page);

  // Her device has synced what it holds: no library, so no records and no
  // partnerships of her program; never a failed pull.
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).some((key) => key.endsWith('/ref/partnerships'))))
    .toBe(true);
  await expect(syncState(page)).not.toHaveText(/Wymaga uwagi/);
  const records = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes('/rec/')).length);
  expect(records).toBe(0);
  expect(await storeBytes(page)).toBeLessThan(1_000_000);
  await context.close();
});
