import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, sql, syncState } from './helpers';

// A program of 300 libraries, each with a partnership, 3 meetings and 30
// sign-ins a meeting (27 000 sign-ins with drawn signatures), and its own
// coordinator, so the demo's program and the other tests stay as they are.
const PROGRAM = '5a1e0000-0000-4000-8000-000000000900';
const COORDINATOR = 'koordynator300@demo.local';
const LIBRARIES = 300;

/** Seeds the big program once (tests of one run share the database). */
function seedBigProgram() {
  const id = (what: string) => `md5('${what}-' || n)::uuid`;
  // A drawn signature as a kiosk stores it: one stroke of 120 points (x, y, x, y, …).
  const strokes = `(select jsonb_agg(p * 7 % 400) from generate_series(1, 240) p)`;
  sql(`
    do $$
    begin
      if exists (select 1 from programs where id = '${PROGRAM}') then return; end if;
      perform pg_advisory_xact_lock(${0x5359_4e43});
      insert into programs (id, name, operator, round, starts_on, ends_on, support_hours_per_library)
        values ('${PROGRAM}', 'Program testowy 300 bibliotek', 'Fundacja testowa', null,
                current_date - 60, current_date + 300, 24);
      insert into information_clauses (program_id, version, short_text, full_text)
        values ('${PROGRAM}', 1, 'Administratorem danych jest biblioteka.', 'Administratorem danych jest biblioteka prowadząca spotkanie.');
      insert into libraries (id, name, municipality, voivodeship)
        select ${id('big-library')}, 'Biblioteka testowa nr ' || n, 'Gmina ' || n, 'mazowieckie'
        from generate_series(1, ${LIBRARIES}) n;
      insert into program_libraries (program_id, library_id)
        select '${PROGRAM}', ${id('big-library')} from generate_series(1, ${LIBRARIES}) n;
      insert into partnerships (id, name, lead_library_id, program_id)
        select ${id('big-partnership')}, 'Partnerstwo nr ' || n, ${id('big-library')}, '${PROGRAM}'
        from generate_series(1, ${LIBRARIES}) n;
      insert into users (id, email, full_name, password_hash)
        select md5('big-coordinator')::uuid, '${COORDINATOR}', 'Koordynatorka Programu Testowego', password_hash
        from users where email = 'koordynator@demo.local';
      insert into program_coordinators (user_id, program_id) values (md5('big-coordinator')::uuid, '${PROGRAM}');
      insert into records (entity, id, library_id, rev, data)
        select 'meeting', md5('big-meeting-' || n || '-' || m)::uuid, ${id('big-library')}, nextval('revisions'),
               jsonb_build_object(
                 'partnership_id', ${id('big-partnership')}, 'kind', 'working', 'status', 'held',
                 'title', 'Spotkanie ' || m || ' w bibliotece nr ' || n,
                 'starts_at', to_char(now() at time zone 'utc' - make_interval(days => 30 * m), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                 'minutes', repeat('Notatka ze spotkania partnerów. ', 20))
        from generate_series(1, ${LIBRARIES}) n, generate_series(1, 3) m;
      insert into records (entity, id, library_id, rev, data)
        select 'sign_in', md5('big-sign-in-' || n || '-' || m || '-' || k)::uuid, ${id('big-library')}, nextval('revisions'),
               jsonb_build_object(
                 'meeting_id', md5('big-meeting-' || n || '-' || m)::uuid, 'full_name', 'Osoba ' || k,
                 'organization', 'Stowarzyszenie ' || k, 'contact', 'osoba' || k || '@example.pl', 'contact_consent', true,
                 'clause_version', 1, 'clause_ack', true, 'image_consent', false,
                 'signed_at', to_char(now() at time zone 'utc' - make_interval(days => 30 * m), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                 'signature', jsonb_build_object('kind', 'drawn', 'strokes', jsonb_build_array(${strokes})))
        from generate_series(1, ${LIBRARIES}) n, generate_series(1, 3) m, generate_series(1, 30) k;
    end $$;
  `);
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

  // Her device has synced what it holds: the partnerships she may see,
  // no records; never a failed pull.
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).some((key) => key.endsWith('/ref/partnerships'))))
    .toBe(true);
  await expect(syncState(page)).not.toHaveText(/Wymaga uwagi/);
  const records = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes('/rec/')).length);
  expect(records).toBe(0);
  expect(await storeBytes(page)).toBeLessThan(1_000_000);
  await context.close();
});
