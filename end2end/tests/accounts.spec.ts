import { test, expect } from '@playwright/test';
import { createMeeting, goOffline, goOnline, signIn, sql, syncState, uniqueTitle, waitUntilReadyOffline } from './helpers';

test('a librarian signs in, sees her name, signs out, and back shows nobody signed in', async ({ page }) => {
  await signIn(page, 'biblioteka1@demo.local', 'demo-demo-demo');
  const header = page.locator('header');
  await expect(header).toContainText('Barbara Kowalska');

  await header.getByRole('button', { name: 'Wyloguj się' }).click();
  await expect(page).toHaveURL(/\/logowanie$/);
  await expect(header).not.toContainText('Barbara Kowalska');

  await page.goBack();
  await expect(page.locator('header')).not.toContainText('Barbara Kowalska');
  await expect(page.locator('header').getByRole('link', { name: 'Zaloguj się' })).toBeVisible();
});

test('a wrong password gives a clear Polish message and no session', async ({ page, context }) => {
  await page.goto('/logowanie');
  await page.getByLabel('Adres e-mail').fill('biblioteka2@demo.local');
  await page.getByLabel('Hasło').fill('to-nie-to-haslo');
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await expect(page.getByRole('alert')).toHaveText('Nieprawidłowy e-mail lub hasło.');
  // The password never lands in the address bar or the history.
  expect(page.url()).not.toContain('password');
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'partnerstwa_session')).toBeUndefined();
});

test('a sign-out without a network says so and keeps the page; back online it signs out', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'biblioteka1@demo.local', 'demo-demo-demo');
  const header = page.locator('header');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');

  await goOffline(context);
  await header.getByRole('button', { name: 'Wyloguj się' }).click();
  await expect(header.getByRole('alert')).toContainText('Nie wylogowano');
  await expect(page).not.toHaveURL(/\/logowanie$/);
  await expect(header).toContainText('Barbara Kowalska');

  await goOnline(context);
  await header.getByRole('button', { name: 'Wyloguj się' }).click();
  await expect(page).toHaveURL(/\/logowanie$/);
  await context.close();
});

test('signing out of all devices ends the other browser\'s session too', async ({ browser }) => {
  // An account of its own: other tests stay signed in as the demo people.
  const email = `${uniqueTitle('wszedzie').replace(/[^a-z0-9-]/g, '-')}@demo.local`;
  sql(`insert into users (id, email, full_name, password_hash)
       select gen_random_uuid(), '${email}', 'Wanda Wszędzie', password_hash from users
       where email = 'biblioteka1@demo.local' returning id`);
  const [first, second] = [await browser.newContext(), await browser.newContext()];
  const [tablet, laptop] = [await first.newPage(), await second.newPage()];
  await signIn(tablet, email, 'demo-demo-demo');
  await signIn(laptop, email, 'demo-demo-demo');

  await laptop.goto('/konto');
  await laptop.getByRole('button', { name: 'Wyloguj ze wszystkich urządzeń' }).click();
  await expect(laptop).toHaveURL(/\/logowanie$/);
  await tablet.goto('/konto');
  await expect(tablet.locator('header').getByRole('link', { name: 'Zaloguj się' })).toBeVisible();
  expect(sql(`select count(*) from sessions s join users u on u.id = s.user_id where u.email = '${email}'`)).toBe('0');
  await first.close();
  await second.close();
});

test('a person takes her data off a shared tablet only once everything is sent, and the next person finds none of it', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  await signIn(page, 'biblioteka1@demo.local', 'demo-demo-demo');
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  const held = () =>
    page.evaluate(() => Object.keys(localStorage).filter((k) => /^partnerstwa\/[0-9a-f-]{36}\//.test(k)).length);
  expect(await held()).toBeGreaterThan(0);

  // A change the server does not have yet (its sync requests fail): the button waits.
  const failSync = (route: import('@playwright/test').Route) => route.abort('internetdisconnected');
  await page.route('**/api/sync', failSync);
  const title = uniqueTitle('Spotkanie na cudzym tablecie');
  await createMeeting(page, title);
  await page.goto('/konto');
  const forget = page.getByRole('button', { name: 'Usuń moje dane z tego urządzenia i wyloguj' });
  await expect(page.getByText('Na tym urządzeniu są zmiany, których serwer jeszcze nie ma')).toBeVisible();
  await expect(forget).toBeDisabled();

  await page.unroute('**/api/sync', failSync);
  await syncState(page).click();
  await page.getByRole('button', { name: 'Wyślij teraz' }).click();
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o/, { timeout: 20_000 });
  await page.locator('#sync-panel').getByRole('button', { name: 'Zamknij' }).click();
  await expect(forget).toBeEnabled();
  page.once('dialog', (dialog) => dialog.accept());
  await forget.click();
  await expect(page).toHaveURL(/\/logowanie$/);
  expect(await held()).toBe(0);
  expect(sql(`select count(*) from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe('1');
  await context.close();
});

test('on a shared tablet the next person signed in does not get the last one\'s data, all of it sent', async ({ page }) => {
  const first = sql(`select id from users where email = 'biblioteka1@demo.local'`);
  const held = (user: string) =>
    page.evaluate((prefix) => Object.keys(localStorage).filter((key) => key.startsWith(prefix)).length, `partnerstwa/${user}/`);
  await signIn(page, 'biblioteka1@demo.local');
  await page.goto('/spotkania');
  // The first pull brings her library's records onto the device.
  await expect.poll(() => held(first)).toBeGreaterThan(0);

  await page.locator('header').getByRole('button', { name: 'Wyloguj się' }).click();
  await expect(page).toHaveURL(/\/logowanie$/);
  // Signing out leaves it (a sign-out may come with changes unsent): the
  // next person's sign-in is what clears it.
  expect(await held(first)).toBeGreaterThan(0);
  await signIn(page, 'biblioteka2@demo.local');
  await page.goto('/spotkania');
  await expect.poll(() => held(first)).toBe(0);
});
