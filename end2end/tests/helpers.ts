import { expect, Page } from '@playwright/test';

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
