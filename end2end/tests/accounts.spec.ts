import { test, expect, Page } from '@playwright/test';

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/logowanie');
  await page.getByLabel('Adres e-mail').fill(email);
  await page.getByLabel('Hasło').fill(password);
  // Until hydration the form would submit natively; retry until the app handles it.
  await expect(async () => {
    await page.getByRole('button', { name: 'Zaloguj się' }).click({ timeout: 1_000 });
    await expect(page).toHaveURL(/\/$/, { timeout: 2_000 });
  }).toPass();
}

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
  await expect(async () => {
    await page.getByRole('button', { name: 'Zaloguj się' }).click({ timeout: 1_000 });
    await expect(page.getByRole('alert')).toHaveText('Nieprawidłowy e-mail lub hasło.', { timeout: 2_000 });
  }).toPass();
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'partnerstwa_session')).toBeUndefined();
});
