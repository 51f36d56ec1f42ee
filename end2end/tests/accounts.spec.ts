import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

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
