import { test, expect, Page, Browser } from '@playwright/test';
import { DEMO_PASSWORD as PASSWORD, expectAccessible, polishDay, signIn, sql } from './helpers';

// Demo data (server/src/demo.rs). Tests never change demo passwords or
// deactivate demo accounts: they run in parallel against one database.
const ZALESIE = 'Gminna Biblioteka Publiczna w Zalesiu';
const ZALESIE_ID = '5a1e0000-0000-4000-8000-000000000001';
const RUDKA = 'Miejsko-Gminna Biblioteka Publiczna w Rudce';
const RUDKA_ID = '5a1e0000-0000-4000-8000-000000000004';
const OLSZANKA = 'Gminna Biblioteka Publiczna w Olszance';
const OLSZANKA_ID = '5a1e0000-0000-4000-8000-000000000005';

const main = (page: Page) => page.locator('main');

test('a librarian sees only her library; after logout the back button shows no protected page', async ({ page }) => {
  await signIn(page, 'biblioteka1@demo.local', PASSWORD);
  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Biblioteki' }).click();
  await expect(page).toHaveURL(/\/biblioteki$/);
  const table = page.getByTestId('libraries');
  await expect(table).toContainText(ZALESIE);
  await expect(table).toContainText('Filia biblioteczna w Borowie');
  await expect(table).not.toContainText(RUDKA);
  await expect(table).not.toContainText(OLSZANKA);
  await expect(main(page)).toContainText('3 biblioteki');
  // Coordinators' pages are not offered to a librarian.
  await expect(page.getByRole('link', { name: 'Osoby' })).toHaveCount(0);

  await table.getByRole('link', { name: ZALESIE }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ZALESIE);
  await expect(main(page)).toContainText('Barbara Kowalska');
  await expect(main(page)).toContainText('Filia biblioteczna w Lipnicy');
  // No invitation form for a librarian.
  await expect(page.getByRole('heading', { name: 'Zaproś osobę' })).toHaveCount(0);

  // A program's settings are the coordinator's.
  await page.goto('/programy/5a1e0000-0000-4000-8000-000000000101');
  await expect(page.locator('dl.facts')).toContainText('miesięcy');
  await expect(page.getByRole('button', { name: 'Zapisz ustawienia' })).toHaveCount(0);

  // Another library's address gives a refusal, not its data.
  await page.goto(`/biblioteki/${RUDKA_ID}`);
  await expect(main(page)).toContainText('Nie masz dostępu do tej strony.');
  await expect(main(page)).not.toContainText('Ewa Zielińska');

  await page.goto('/biblioteki');
  await expect(page.getByTestId('libraries')).toContainText(ZALESIE);
  await page.locator('header').getByRole('button', { name: 'Wyloguj się' }).click();
  await expect(page).toHaveURL(/\/logowanie$/);

  await page.goBack();
  await expect(page).toHaveURL(/\/biblioteki$/);
  await expect(main(page)).toContainText('Zaloguj się, aby zobaczyć tę stronę.');
  await expect(main(page)).not.toContainText(ZALESIE);
  await page.goBack();
  await expect(main(page)).not.toContainText('Barbara Kowalska');
});

test('a tutor sees the assigned libraries only', async ({ page }) => {
  await signIn(page, 'tutor@demo.local', PASSWORD);
  await page.goto('/biblioteki');
  const table = page.getByTestId('libraries');
  await expect(table).toContainText(ZALESIE);
  await expect(table).toContainText(RUDKA);
  await expect(table).not.toContainText(OLSZANKA);
  await page.goto(`/biblioteki/${OLSZANKA_ID}`);
  await expect(main(page)).toContainText('Nie masz dostępu do tej strony.');
});

test('a visitor is asked to sign in instead of seeing lists', async ({ page }) => {
  for (const path of ['/biblioteki', '/programy', '/osoby', '/konto']) {
    await page.goto(path);
    await expect(main(page)).toContainText('Zaloguj się, aby zobaczyć tę stronę.');
    await expect(main(page).getByRole('link', { name: 'Przejdź do logowania' })).toBeVisible();
  }
});

test('a program page shows dates, hours and the clause the Polish way', async ({ page }) => {
  await signIn(page, 'koordynator@demo.local', PASSWORD);
  await page.goto('/programy');
  await expect(main(page)).toContainText('1 program');
  await main(page).getByRole('link', { name: 'Program Rozwoju Bibliotek — III' }).click();
  // The demo's program runs eighteen months around the day it was seeded.
  const [starts, ends] = sql(`select starts_on || ' ' || ends_on from programs where name = 'Program Rozwoju Bibliotek'`).split(' ');
  await expect(main(page)).toContainText(`${polishDay(starts)} – ${polishDay(ends)}`);
  await expect(main(page)).toContainText('24 godziny');
  await expect(main(page)).toContainText('Klauzula informacyjna (wersja 1)');
  await expect(main(page)).toContainText(OLSZANKA);
  await expect(page.locator('dl.facts')).toContainText('60 miesięcy');

  // The coordinator sets how long attendance lists are kept; the clause
  // text unchanged stays at its version (an empty one is refused).
  const clause = page.getByLabel('Klauzula informacyjna — krótka treść (w kiosku i na wydruku)');
  const text = await clause.inputValue();
  await clause.fill('   ');
  await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
  await expect(page.locator('#clause-short-error')).toHaveText('To pole jest wymagane.');
  await clause.fill(text);
  await page.getByLabel(/Przechowywanie list obecności/).fill('36');
  await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
  await expect(page.getByText('Zapisano. Obowiązuje klauzula w wersji 1.')).toBeVisible();
  await expect(page.locator('dl.facts')).toContainText('36 miesięcy');

  // Opened by its address (a bookmark, a reload), the page hydrates and its
  // form holds what is stored, on the server's page and once live.
  const address = page.url();
  const stored = sql(`select short_text from information_clauses c join programs p on p.id = c.program_id
    where p.name = 'Program Rozwoju Bibliotek' order by c.version desc limit 1`);
  await page.goto(address);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await expect(page.getByLabel(/Przechowywanie list obecności/)).toHaveValue('36');
  await expect(clause).toHaveValue(stored);
  await expect(page.getByLabel('Klauzula informacyjna — pełna treść')).not.toHaveValue('');
  await page.getByLabel(/Przechowywanie list obecności/).fill('60');
  await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
  await expect(page.locator('dl.facts')).toContainText('60 miesięcy');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await expect(page.getByLabel(/Przechowywanie list obecności/)).toHaveValue('60');

  // Search narrows the library list and survives a reload.
  await page.goto('/biblioteki');
  await page.getByLabel('Szukaj na liście').fill('rudka');
  await page.getByRole('button', { name: 'Szukaj' }).click();
  await expect(page).toHaveURL(/\?q=rudka$/);
  await expect(main(page)).toContainText('1 biblioteka');
  await page.reload();
  await expect(page.getByTestId('libraries')).toContainText(RUDKA);
  await expect(page.getByTestId('libraries')).not.toContainText(ZALESIE);
});

async function newPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test('a coordinator invites a librarian, who sets a password, changes it, and is deactivated', async ({ page, browser }) => {
  const email = `nowa.${Date.now()}.${Math.floor(Math.random() * 1e6)}@gmina.pl`;
  await signIn(page, 'koordynator@demo.local', PASSWORD);
  await page.goto(`/biblioteki/${OLSZANKA_ID}`);
  const invite = page.getByRole('region', { name: 'Zaproś osobę' });
  await invite.getByLabel('Imię i nazwisko').fill('Nowa Bibliotekarka');
  await invite.getByLabel('Adres e-mail').fill('to nie e-mail');
  await invite.getByRole('button', { name: 'Zaproś' }).click();
  await expect(invite).toContainText('To nie jest poprawny adres e-mail.');
  await invite.getByLabel('Adres e-mail').fill(email);
  await invite.getByRole('button', { name: 'Zaproś' }).click();
  const link = await page.locator('#invitation-link').inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zaproszenie\/[\w-]{43}$/);
  await expect(main(page)).toContainText('Nowa Bibliotekarka');
  await expect(main(page)).toContainText('zaproszone');

  // The invited person, on her own device.
  const invited = await newPage(browser);
  const her = invited.page;
  await her.goto(link);
  await expect(her.locator('main')).toContainText(`Ustaw hasło do konta ${email}`);
  await her.getByLabel('Nowe hasło', { exact: true }).fill('biblioteka1');
  await expect(her.locator('#password-strength')).toContainText('za słabe');
  await her.getByLabel('Powtórz nowe hasło').fill('biblioteka1');
  await her.getByRole('button', { name: 'Ustaw hasło i zaloguj się' }).click();
  await expect(her.locator('main')).toContainText('To hasło jest zbyt popularne');
  await her.getByLabel('Nowe hasło', { exact: true }).fill('sosna przy czytelni');
  await expect(her.locator('#password-strength')).toContainText('silne');
  await her.getByLabel('Powtórz nowe hasło').fill('sosna przy czytelni');
  await her.getByRole('button', { name: 'Ustaw hasło i zaloguj się' }).click();
  await expect(her).toHaveURL(/\/$/);
  await expect(her.locator('header')).toContainText('Nowa Bibliotekarka');
  await her.goto('/biblioteki');
  await expect(her.getByTestId('libraries')).toContainText(OLSZANKA);
  await expect(her.locator('main')).toContainText('1 biblioteka');

  // The link worked once.
  const again = await newPage(browser);
  await again.page.goto(link);
  await expect(again.page.locator('main')).toContainText('Ten link jest nieważny');
  await again.context.close();

  // She changes her password on her account page.
  await her.goto('/konto');
  await her.getByLabel('Obecne hasło').fill('sosna przy czytelni');
  await her.getByLabel('Nowe hasło', { exact: true }).fill('lipa nad stawem 7');
  await her.getByLabel('Powtórz nowe hasło').fill('lipa nad stawem 7');
  await her.getByRole('button', { name: 'Zmień hasło' }).click();
  await expect(her.locator('main')).toContainText('Hasło zmienione.');

  // The coordinator deactivates her; her next page load is signed out.
  await page.goto(`/osoby?q=${encodeURIComponent(email)}`);
  const people = page.getByTestId('people');
  await expect(people).toContainText('Nowa Bibliotekarka');
  await expect(people).toContainText(`Biblioteka: ${OLSZANKA}`);
  page.once('dialog', (dialog) => dialog.accept());
  await people.getByRole('button', { name: 'Wyłącz konto' }).click();
  await expect(people).toContainText('wyłączone');
  await expect(people.getByRole('button', { name: 'Włącz konto' })).toBeVisible();

  await her.goto('/biblioteki');
  await expect(her.locator('main')).toContainText('Zaloguj się, aby zobaczyć tę stronę.');
  await invited.context.close();
});

test.describe('on a 10-inch tablet', () => {
  test.use({ viewport: { width: 800, height: 1280 }, hasTouch: true });

  test('lists stay usable with touch-sized targets', async ({ page }) => {
    await signIn(page, 'koordynator@demo.local', PASSWORD);
    await page.goto('/biblioteki');
    const link = page.getByTestId('libraries').getByRole('link', { name: RUDKA });
    const box = await link.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    const search = await page.getByRole('button', { name: 'Szukaj' }).boundingBox();
    expect(search?.height ?? 0).toBeGreaterThanOrEqual(44);
    // Nothing overflows sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
  });
});

test("a coordinator reads a library's meetings from the server, and takes the library onto her laptop only when she asks", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'koordynator@demo.local', PASSWORD);
  const meetingsHere = () =>
    page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes('/rec/meeting/')).length);
  // Her laptop holds no library: the meetings page says where to read them.
  await page.goto('/spotkania');
  await expect(page.getByText(/Na tym urządzeniu nie ma jeszcze żadnej biblioteki/)).toBeVisible({ timeout: 20_000 });
  await page.getByRole('link', { name: 'Przejdź do bibliotek' }).click();
  await page.getByTestId('libraries').getByRole('link', { name: ZALESIE }).click();
  await expect(page).toHaveURL(new RegExp(`/biblioteki/${ZALESIE_ID}$`));
  const table = page.getByTestId('library-meetings');
  await expect(table).toContainText('Spotkanie inicjujące partnerstwa');
  await expect(table.getByRole('row', { name: /Spotkanie inicjujące partnerstwa/ })).toContainText(/\d+ os(oba|oby|ób)/);
  await expect(page.getByText(/Dane tej biblioteki oglądasz w sieci/)).toBeVisible();
  // Her device has synced, and holds none of it.
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).some((key) => key.endsWith('/ref/partnerships'))), {
      timeout: 20_000,
    })
    .toBe(true);
  expect(await meetingsHere()).toBe(0);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Zabierz na to urządzenie' }).click();
  await expect(page.getByText(/Dane tej biblioteki są na tym urządzeniu/)).toBeVisible();
  await expect.poll(meetingsHere, { timeout: 20_000 }).toBeGreaterThan(0);
  await page.goto('/spotkania');
  await expect(page.getByRole('link', { name: /Spotkanie inicjujące partnerstwa/ })).toBeVisible();

  // Let go of: the library's records leave the laptop.
  await page.goto(`/biblioteki/${ZALESIE_ID}`);
  await page.getByRole('button', { name: 'Usuń z tego urządzenia' }).click();
  await expect(page.getByText(/Dane tej biblioteki oglądasz w sieci/)).toBeVisible();
  await expect.poll(meetingsHere, { timeout: 20_000 }).toBe(0);
  await context.close();
});
