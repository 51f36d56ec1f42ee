import { Page, expect, test } from '@playwright/test';
import { LIBRARIAN, ZALESIE_PARTNERSHIP, expectAccessible, instantFromNow, signIn, sql, uniqueTitle } from './helpers';

function mutation(entity: string, recordId: string, data: object) {
  return {
    id: crypto.randomUUID(),
    seq: 1,
    entity,
    record_id: recordId,
    op: 'upsert',
    base_rev: null,
    data,
    client_time: new Date().toISOString(),
  };
}

/** Two meetings and one person's sign-in at each, sent as a tablet sends them. */
async function twoSignIns(page: Page, person: string) {
  const meetings = [crypto.randomUUID(), crypto.randomUUID()];
  const signIns = [crypto.randomUUID(), crypto.randomUUID()];
  const mutations = [
    ...meetings.map((id, n) =>
      mutation('meeting', id, {
        partnership_id: ZALESIE_PARTNERSHIP,
        kind: 'working',
        title: uniqueTitle(`Spotkanie ${n + 1}`),
        starts_at: instantFromNow(-40),
        minutes: '',
      }),
    ),
    ...signIns.map((id, n) =>
      mutation('sign_in', id, {
        meeting_id: meetings[n],
        full_name: person,
        organization: 'Koło Gospodyń Wiejskich',
        contact: 'prosba@example.org',
        contact_consent: true,
        clause_version: 1,
        clause_ack: true,
        image_consent: false,
        signed_at: instantFromNow(-40, 5),
        signature: { kind: 'drawn', strokes: [[10, 10, 200, 300, 400, 120]] },
      }),
    ),
  ];
  const reply = await page.request.post('/api/sync', {
    data: { device_id: crypto.randomUUID(), cursor: 0, pull_limit: 1, mutations },
  });
  expect(reply.ok()).toBe(true);
  const answer = await reply.json();
  expect(answer.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
  return signIns;
}

test('a person asks to be erased: the librarian finds both entries, downloads them, erases one, and its data is gone', async ({
  page,
}) => {
  await signIn(page, LIBRARIAN);
  const person = uniqueTitle('Jan Prosba');
  const [first, second] = await twoSignIns(page, person);

  await page.goto('/dane-osobowe');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dane osobowe uczestników');
  const query = page.getByLabel('Imię i nazwisko, e-mail albo telefon');
  await query.fill('Ja');
  await page.getByRole('button', { name: 'Szukaj' }).click();
  await expect(page.getByText('Wpisz co najmniej 3 znaki.')).toBeVisible();

  await query.fill(person);
  await page.getByRole('button', { name: 'Szukaj' }).click();
  await expect(page.locator('#found-heading')).toHaveText(`2 wpisy dla „${person}”`);
  await expect(page.locator('tbody tr')).toHaveCount(2);
  await expect(page.locator('tbody')).toContainText('prosba@example.org');
  await expectAccessible(page);

  // What the person asked to see, as a file.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Pobierz dane (JSON)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('dane-osobowe.json');
  const stream = await file.createReadStream();
  let text = '';
  for await (const chunk of stream) text += chunk;
  const entries = JSON.parse(text);
  expect(entries.map((e: { data: { full_name: string } }) => e.data.full_name)).toEqual([person, person]);

  // Nothing is chosen yet, so nothing can be erased.
  const erase = page.getByRole('button', { name: 'Usuń zaznaczone wpisy' });
  await expect(erase).toBeDisabled();
  const firstTitle = sql(`select m.data->>'title' from records s join records m on m.id::text = s.data->>'meeting_id'
     where s.id = '${first}'`);
  await page.getByRole('checkbox', { name: `${person} — ${firstTitle}` }).check();
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('Usunąć 1 wpis na zawsze?');
    dialog.accept();
  });
  await erase.click();
  await expect(page.getByRole('status').filter({ hasText: 'Usunięto 1 wpis.' })).toBeVisible();
  // The search runs again and shows what is left.
  await expect(page.locator('#found-heading')).toHaveText(`1 wpis dla „${person}”`);

  expect(sql(`select deleted::text || ' ' || data::text from records where id = '${first}'`)).toBe('true {}');
  expect(sql(`select data->>'full_name' from records where id = '${second}'`)).toBe(person);
  expect(
    sql(`select count(*) from audit_log where action = 'erase' and subject_id = '${first}' and details->>'reason' = 'request'`),
  ).toBe('1');
  expect(sql(`select count(*) from audit_log where subject_id = '${first}' and details::text like '%${person}%'`)).toBe('0');
});
