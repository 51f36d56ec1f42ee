import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { LIBRARIAN, createMeeting, expectAccessible, goOffline, goOnline, signIn, sql, syncState, uniqueTitle, waitUntilReadyOffline } from './helpers';

// Offline tests need the service worker: each test has its own context.
test.use({ serviceWorkers: 'allow' });

const ZALESIE_ID = '5a1e0000-0000-4000-8000-000000000001';

/** Hours used in PRB as "Wykorzystano 3,5 z 24 godzin" says, as a number. */
async function hoursUsed(page: Page): Promise<number> {
  const sentence = page.locator('.hours__sentence').first();
  await expect(sentence).toContainText('Wykorzystano');
  const text = (await sentence.textContent()) ?? '';
  const used = /Wykorzystano ([\d,]+) z 24 godzin/.exec(text);
  if (!used) throw new Error(`unexpected sentence: ${text}`);
  return Number(used[1].replace(',', '.'));
}

test('a partner and a consultation written offline survive a reload, reach the database, and the library page counts the hours', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto(`/biblioteki/${ZALESIE_ID}`);
  const before = await hoursUsed(page);
  await page.goto('/partnerzy');
  await waitUntilReadyOffline(page);
  const partner = uniqueTitle('Koło Gospodyń Wiejskich');
  const topic = uniqueTitle('Plan działań na wiosnę');

  await goOffline(context);
  await page.reload();
  await page.getByRole('button', { name: 'Dodaj partnera' }).click();
  // Checked before saving: the sector is required, the e-mail must be one.
  await page.getByLabel('Nazwa *').fill(partner);
  await page.getByLabel('E-mail').fill('kgw@');
  await page.getByRole('button', { name: 'Zapisz partnera' }).click();
  await expect(page.locator('#new-partner-sector-error')).toHaveText('To pole jest wymagane.');
  await expect(page.locator('#new-partner-email-error')).toHaveText('To nie jest poprawny adres e-mail.');
  await expect(page.getByLabel('E-mail')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Sektor *').selectOption({ label: 'Organizacja pozarządowa' });
  await page.getByLabel('E-mail').fill('KGW@Zalesie.pl');
  await page.getByLabel('Osoba do kontaktu').fill('Halina Wiśniewska');
  await page.getByLabel('Telefon').fill('+48 600 100 200');
  await page.getByRole('button', { name: 'Zapisz partnera' }).click();
  await expect(page.getByText(`Zapisano na tym urządzeniu: ${partner}`)).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(partner) });
  await expect(row).toContainText('czeka na wysłanie');
  await expect(row).toContainText('Organizacja pozarządowa');
  // The filter by sector keeps it; another sector hides it.
  await page.getByLabel('Sektor', { exact: true }).selectOption({ label: 'Szkoła' });
  await expect(page.getByRole('row', { name: new RegExp(partner) })).toHaveCount(0);
  await page.getByLabel('Sektor', { exact: true }).selectOption({ label: 'Wszystkie sektory' });
  await page.getByLabel('Szukaj partnera').fill('halina');
  await expect(page.getByRole('row', { name: new RegExp(partner) })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Godziny wsparcia' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Godziny wsparcia');
  const offlineBefore = await hoursUsed(page);
  await page.getByLabel('Czas trwania (w godzinach)').fill('półtorej');
  await page.getByLabel('Temat').fill(topic);
  await page.getByRole('button', { name: 'Zapisz konsultację' }).click();
  await expect(page.getByText('Wpisz liczbę godzin, np. 1,5.')).toBeVisible();
  await page.getByLabel('Czas trwania (w godzinach)').fill('1,5');
  await page.getByLabel('Zdalnie').check();
  await page.getByRole('button', { name: 'Zapisz konsultację' }).click();
  await expect(page.getByText('Zapisano na tym urządzeniu.')).toBeVisible();
  await expect.poll(() => hoursUsed(page)).toBe(offlineBefore + 1.5);
  await expect(page.getByRole('row', { name: new RegExp(topic) })).toContainText('1,5 godziny');
  await expectAccessible(page);

  // A reload with no network: both are still there.
  await page.reload();
  await expect(page.getByRole('row', { name: new RegExp(topic) })).toContainText('Zdalnie');
  await page.goto('/partnerzy');
  await expect(page.getByRole('row', { name: new RegExp(partner) })).toBeVisible();
  expect(sql(`select count(*) from records where entity = 'partner' and data->>'name' = '${partner}'`)).toBe('0');

  await goOnline(context);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(
    sql(
      `select concat_ws(' ', data->>'sector', data->>'email', data->>'phone') from records where entity = 'partner' and data->>'name' = '${partner}'`,
    ),
  ).toBe('ngo kgw@zalesie.pl +48 600 100 200');
  expect(
    sql(
      `select concat_ws(' ', data->>'minutes', data->>'mode', data->>'tutor_name') from records where entity = 'consultation' and data->>'topic' = '${topic}'`,
    ),
  ).toBe('90 remote Tomasz Wiśniewski');

  // The library page counts it against the budget.
  await page.goto(`/biblioteki/${ZALESIE_ID}`);
  await expect.poll(() => hoursUsed(page)).toBe(before + 1.5);
  await expect(page.locator('.glance')).toContainText('Organizacja pozarządowa');
  await expectAccessible(page);
  await context.close();

  // The coordinator sees every library's hours against the budget in one table.
  const coordination = await browser.newContext();
  const coordinator = await coordination.newPage();
  await signIn(coordinator, 'koordynator@demo.local');
  await coordinator.goto('/programy/5a1e0000-0000-4000-8000-000000000101');
  const zalesie = coordinator.getByRole('row', { name: /w Zalesiu/ });
  await expect(zalesie).toContainText('24 godziny');
  await expect(zalesie).toContainText('w budżecie');
  await expect(coordinator.getByRole('row', { name: /w Olszance/ })).toContainText('0 godzin');
  await coordination.close();
});

test('a partner page offers meetings from sign-ins and keeps only the ones the librarian confirms', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  const organization = uniqueTitle('Ochotnicza Straz Pozarna');
  const title = uniqueTitle('Spotkanie z OSP');
  await createMeeting(page, title);
  // Someone signed in for this organization, typed from the paper list.
  await page.goto(`${page.url()}/obecnosc`);
  const meeting = /spotkania\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  await page.getByRole('button', { name: 'Dodaj osobę z listy papierowej' }).click();
  await page.locator('#paper-full_name').fill('Jan Strażak');
  await page.locator('#paper-organization').fill(`  ${organization.toUpperCase()} `);
  await page.locator('#paper-clause_ack').check();
  await page.locator('#paper-image_consent-no').check();
  await page.getByRole('button', { name: 'Zapisz wpis' }).click();
  await expect(page.getByRole('row', { name: /Jan Strażak/ })).toBeVisible();

  await page.goto('/partnerzy');
  await page.getByRole('button', { name: 'Dodaj partnera' }).click();
  await page.getByLabel('Nazwa *').fill(organization);
  await page.getByLabel('Sektor *').selectOption({ label: 'Organizacja pozarządowa' });
  await page.getByRole('button', { name: 'Zapisz partnera' }).click();
  await page.getByRole('link', { name: organization }).click();
  const suggested = page.getByRole('listitem').filter({ hasText: title });
  await expect(page.getByText('Możliwe spotkania z listy obecności')).toBeVisible();
  await suggested.getByRole('button', { name: 'Potwierdź udział' }).click();
  await expect(page.getByText('Możliwe spotkania z listy obecności')).toHaveCount(0);
  await expect(page.locator('#partner-meetings + ul')).toContainText(title);
  await expectAccessible(page);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(sql(`select data->'attended'->>0 from records where entity = 'partner' and data->>'name' = '${organization}'`)).toBe(
    meeting,
  );
  await context.close();
});

test('a partner changed on two devices at once shows both contact people on its page, and the one chosen is kept', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  const partner = crypto.randomUUID();
  const name = uniqueTitle('Sklep Pod Lipami');
  const push = async (rev: number | null, data: object) => {
    const reply = await page.request.post('/api/sync', {
      data: {
        device_id: crypto.randomUUID(), cursor: 1 << 30, pull_limit: 1, mutations: [{
          id: crypto.randomUUID(), seq: 1, entity: 'partner', record_id: partner, op: 'upsert',
          base_rev: rev, data, client_time: null,
        }],
      },
    });
    expect(reply.status()).toBe(200);
    return (await reply.json()).results[0];
  };
  // Two other devices of the library, each from the same first version.
  const created = await push(null, { library_id: ZALESIE_ID, name, sector: 'business', contact_person: 'Jan Lipa' });
  expect((await push(created.rev, { contact_person: 'Janina Lipa' })).status).toBe('applied');
  expect((await push(created.rev, { contact_person: 'Jan Lipa-Nowak' })).status).toBe('merged');

  await page.goto('/partnerzy');
  await page.getByRole('link', { name }).click();
  const conflicts = page.getByRole('region', { name: 'Dwie wersje do rozstrzygnięcia' });
  await expect(conflicts).toBeVisible({ timeout: 20_000 });
  await expect(conflicts.getByRole('group', { name: 'Osoba do kontaktu' })).toBeVisible();
  await expect(conflicts).toContainText('Janina Lipa');
  await expect(conflicts).toContainText('Jan Lipa-Nowak');
  await expectAccessible(page);
  const kept = sql(`select data->>'contact_person' from records where id = '${partner}'`);
  const other = kept === 'Janina Lipa' ? 'Jan Lipa-Nowak' : 'Janina Lipa';
  await conflicts.getByRole('button', { name: 'Weź drugą wersję' }).click();
  await expect(conflicts).toBeHidden();
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(sql(`select data->>'contact_person' from records where id = '${partner}'`)).toBe(other);
  expect(
    sql(`select count(*) from records where entity = 'conflict' and not deleted and data->>'record_id' = '${partner}'`),
  ).toBe('0');
  await context.close();
});

test('the development plan: written, approved as version 1, revised, printed on A4 and exported', async ({ browser }, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Plany' }).click();
  await page.getByRole('link', { name: 'Partnerstwo dla Zalesia' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Plan rozwoju współpracy partnerskiej');
  const diagnosis = uniqueTitle('Brakuje miejsca spotkań dla seniorów');
  await page.getByLabel('Diagnoza lokalnych potrzeb i zasobów').fill(diagnosis);
  await page.getByLabel('Wizja').fill('Biblioteka jako dom spotkań całej wsi.');
  await page.getByRole('button', { name: 'Dodaj działanie' }).click();
  await page.locator('#action-0-task').fill('Kino plenerowe');
  await page.locator('#action-0-indicator').fill('100 widzów');
  // 1 July next year: ahead, whatever today is.
  const deadline = `${new Date().getFullYear() + 1}-07-01`;
  await page.locator('#action-0-deadline').fill(deadline);
  await page.locator('#action-0-responsible').fill('OSP Zalesie');
  await page.locator('#action-0-partners').fill('Gmina, szkoła');
  await page.locator('#action-0-budget').fill('2 000 zł');
  await page.getByRole('button', { name: 'Zapisz plan' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Zapisano na tym urządzeniu' })).toBeVisible();

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Zatwierdź jako nową wersję' }).click();
  await expect(page.getByText('Zatwierdzona wersja 1')).toBeVisible();
  await page.getByLabel('Wizja').fill('Biblioteka jako dom spotkań całej gminy.');
  await page.getByRole('button', { name: 'Zapisz plan' }).click();
  await expect(page.getByText('Zmiany po wersji 1 — do zatwierdzenia')).toBeVisible();
  // The approved version stays readable as it was.
  await page.getByText(/Wersja 1, zatwierdzona/).click();
  await expect(page.locator('.plan-version')).toContainText('Biblioteka jako dom spotkań całej wsi.');
  await expectAccessible(page);

  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(
    sql(
      `select concat_ws(' / ', data->'approved'->0->'content'->>'vision', data->>'vision') from records where entity = 'plan' and data->>'diagnosis' = '${diagnosis}'`,
    ),
  ).toBe('Biblioteka jako dom spotkań całej wsi. / Biblioteka jako dom spotkań całej gminy.');

  // CSV of the actions for Polish Excel.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Pobierz działania (CSV)' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toBe('\ufeffZadanie;Wskaźnik;Termin;Odpowiedzialny;Partnerzy;Budżet;Status');
  expect(csv).toContain(`Kino plenerowe;100 widzów;${deadline};OSP Zalesie;Gmina, szkoła;2 000 zł;Zaplanowane`);

  // Printed as text, not as a form.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('#plan-diagnosis')).toBeHidden();
  const pdfPath = testInfo.outputPath('plan.pdf');
  writeFileSync(pdfPath, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  expect(text).toContain('Plan rozwoju współpracy partnerskiej');
  expect(text).toContain(diagnosis);
  // Table cells wrap within their columns, so words are checked one by one.
  for (const word of ['Zadanie', 'Wskaźnik', 'Odpowiedzialny', 'Kino', 'plenerowe', '100 widzów', '1 lipca', '2 000 zł', 'Zaplanowane']) {
    expect(text).toContain(word);
  }
  expect(text).not.toContain('Dodaj działanie');
  await context.close();
});
