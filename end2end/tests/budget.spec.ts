import { expect, test } from '@playwright/test';
import {
  createMeeting,
  expectAccessible,
  goOffline,
  goOnline,
  signIn,
  sql,
  syncState,
  uniqueTitle,
  waitUntilReadyOffline,
} from './helpers';

// Five busy years of one library: 120 meetings two weeks apart, 25 people
// signing each (3 000 drawn signatures, about 4 MB: more than a browser
// gives a site beside what a person makes offline).
const LIBRARIAN = 'biblioteka5lat@demo.local';
const MEETINGS = 120;
const SIGNED = 25;
const id = (what: string) => `md5('years5-${what}')::uuid`;

function seedBusyLibrary() {
  const strokes = `(select jsonb_agg((p * 7 + k) % 1000) from generate_series(1, 240) p)`;
  const at = `to_char(now() at time zone 'utc' - make_interval(days => 15 * (${MEETINGS} - m) + 1), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  sql(`
    do $$
    begin
      perform pg_advisory_xact_lock(${0x5359_4e43});
      if exists (select 1 from users where email = '${LIBRARIAN}') then return; end if;
      insert into libraries (id, name, municipality, voivodeship)
        values (${id('library')}, 'Biblioteka pięciu lat', 'Gmina Testowa', 'mazowieckie');
      insert into programs (id, name, operator, round, starts_on, ends_on, support_hours_per_library)
        values (${id('program')}, 'Program pięciu lat', 'Fundacja testowa', null, current_date - 2000, current_date + 300, 24);
      insert into program_libraries (program_id, library_id) values (${id('program')}, ${id('library')});
      insert into partnerships (id, name, lead_library_id, program_id)
        values (${id('partnership')}, 'Partnerstwo pięciu lat', ${id('library')}, ${id('program')});
      insert into users (id, email, full_name, password_hash)
        select ${id('librarian')}, '${LIBRARIAN}', 'Bibliotekarka Pięciu Lat', password_hash
        from users where email = 'biblioteka1@demo.local';
      insert into library_memberships (user_id, library_id, role) values (${id('librarian')}, ${id('library')}, 'librarian');
      insert into records (entity, id, library_id, rev, data)
        select 'meeting', md5('years5-meeting-' || m)::uuid, ${id('library')}, nextval('revisions'),
               jsonb_build_object('partnership_id', ${id('partnership')}, 'kind', 'working', 'status', 'held',
                 'title', 'Spotkanie numer ' || m, 'starts_at', ${at},
                 'minutes', repeat('Omówiono plan działań partnerstwa i podział zadań. ', 80))
        from generate_series(1, ${MEETINGS}) m order by m;
      insert into records (entity, id, library_id, rev, data)
        select 'sign_in', md5('years5-sign-in-' || m || '-' || k)::uuid, ${id('library')}, nextval('revisions'),
               jsonb_build_object('meeting_id', md5('years5-meeting-' || m)::uuid, 'full_name', 'Osoba ' || m || '-' || k,
                 'organization', 'Stowarzyszenie nr ' || k, 'contact', 'osoba' || k || '@example.pl', 'contact_consent', true,
                 'clause_version', 1, 'clause_ack', true, 'image_consent', false, 'signed_at', ${at},
                 'signature', jsonb_build_object('kind', 'drawn', 'strokes', jsonb_build_array(${strokes})))
        from generate_series(1, ${MEETINGS}) m, generate_series(1, ${SIGNED}) k order by m, k;
    end $$;
  `);
}

/** Characters of the records pulled from the server (what the budget counts, never more). */
const pulledChars = (page: import('@playwright/test').Page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.includes('/rec/'))
      .reduce((sum, key) => sum + key.length + (localStorage.getItem(key) ?? '').length, 0),
  );

const meetingId = (m: number) => sql(`select md5('years5-meeting-${m}')::uuid`);

test('five busy years of a library fit on its device: the oldest signatures go online-only, and a long meeting still saves offline', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  seedBusyLibrary();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  // Everything of her scope arrives: every list, every name.
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes('/rec/sign_in/')).length), {
      timeout: 60_000,
    })
    .toBe(MEETINGS * SIGNED);
  await expect(syncState(page)).not.toHaveText(/Wymaga uwagi/);
  expect(await pulledChars(page)).toBeLessThanOrEqual(2_500_000);

  // She is told what is online only.
  await syncState(page).click();
  await expect(page.locator('#sync-panel')).toContainText(/\d+ najstarsz\S+ pozycj\S+ maj?ą? pole „Podpis” tylko w sieci/);
  await expect(page.locator('#sync-panel')).toContainText(/z 2,5 MB/);
  await expectAccessible(page);
  await page.locator('#sync-panel').getByRole('button', { name: 'Zamknij' }).click();

  // Offline: the oldest list names everyone and says where the signatures
  // are; the latest has them here.
  await goOffline(context);
  await page.goto(`/spotkania/${meetingId(1)}/obecnosc`);
  await expect(page.locator('.attendance__row')).toHaveCount(SIGNED);
  await expect(page.getByText('Podpis widoczny w sieci')).toHaveCount(SIGNED);
  await page.goto(`/spotkania/${meetingId(MEETINGS)}/obecnosc`);
  await expect(page.locator('.attendance__row')).toHaveCount(SIGNED);
  await expect(page.locator('.attendance__signature svg')).toHaveCount(SIGNED);

  // A meeting written offline with 50 000 characters of minutes saves and survives a reload.
  const title = uniqueTitle('Spotkanie z długą notatką');
  await createMeeting(page, title);
  const minutes = 'Zażółć gęślą jaźń — notatka ze spotkania. '.repeat(1_200).slice(0, 50_000);
  await page.getByLabel('Notatka ze spotkania').fill(minutes);
  await expect(page.locator('.save-state')).toHaveText('Zapisano na tym urządzeniu');
  await page.reload();
  await expect(page.getByLabel('Notatka ze spotkania')).toHaveValue(minutes);
  await expect(syncState(page)).not.toHaveText(/Wymaga uwagi/);

  // Back online it reaches the database, and the old signatures show from the server.
  await goOnline(context);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o/, { timeout: 30_000 });
  expect(sql(`select length(data->>'minutes') from records where entity = 'meeting' and data->>'title' = '${title}'`)).toBe(
    '50000',
  );
  await page.goto(`/spotkania/${meetingId(1)}/obecnosc`);
  await expect(page.locator('.attendance__signature svg')).toHaveCount(SIGNED);
  await context.close();
});
