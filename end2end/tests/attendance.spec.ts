import { BrowserContext, Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  LIBRARIAN,
  createMeeting,
  expectAccessible,
  goOffline,
  goOnline,
  instantFromNow,
  MEETING_DAY,
  polishDay,
  signIn,
  sql,
  syncState,
  uniqueTitle,
  waitUntilCached,
  waitUntilReadyOffline,
} from './helpers';

// The kiosk must open with no network: each test has its own contexts.
test.use({ serviceWorkers: 'allow' });

/** A 10-inch tablet held upright, with a touch screen. */
const TABLET = { viewport: { width: 800, height: 1280 }, hasTouch: true };

/** Draws a zigzag on the signature pad with a finger (touch events through CDP). */
async function drawSignature(page: Page, context: BrowserContext, seed: number) {
  const pad = page.locator('.signature-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('no signature pad');
  const cdp = await context.newCDPSession(page);
  const point = (i: number) => ({
    x: box.x + box.width * (0.1 + 0.08 * i),
    y: box.y + box.height * (i % 2 === 0 ? 0.3 + 0.05 * seed : 0.7),
  });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point(0)] });
  for (let i = 1; i <= 10; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point(i)] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  await expect(pad.locator('path.signature-pad__ink').first()).toHaveAttribute('d', /^M\d+ \d+L/);
}

/** One attendee fills in the kiosk form and signs. */
async function signInAtKiosk(page: Page, context: BrowserContext, name: string, seed: number) {
  await page.getByLabel('Imię i nazwisko *').fill(name);
  await page.getByLabel('Instytucja / organizacja').fill('Koło Gospodyń Wiejskich');
  await page.getByLabel('Funkcja').fill('członkini');
  await page.getByLabel(/Zapoznałem\/zapoznałam się/).check();
  await page.getByRole('radio', { name: seed % 2 === 0 ? 'TAK' : 'NIE' }).check();
  await drawSignature(page, context, seed);
  await page.getByRole('button', { name: 'Podpisz' }).click();
  await expect(page.getByText('Dziękujemy! Wpis został zapisany.')).toBeVisible();
  await page.getByRole('button', { name: 'Następna osoba' }).click();
  await expect(page.getByLabel('Imię i nazwisko *')).toHaveValue('');
}

/** Waits until the worker holds the kiosk's page, so it opens offline. */
async function waitForKioskPage(page: Page) {
  await waitUntilCached(page, 'partnerstwa-pages-', '/kiosk/_');
}

/** A new meeting, sent to the server; its id. */
async function sentMeeting(page: Page, title: string): Promise<string> {
  await createMeeting(page, title);
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  const id = page.url().split('/').pop() ?? '';
  expect(sql(`select count(*) from records where entity = 'meeting' and id = '${id}'`)).toBe('1');
  return id;
}

test('a kiosk on a tablet works offline: three drawn sign-ins with a reload between, all on the list once back online', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const context = await browser.newContext(TABLET);
  const page = await context.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  await waitForKioskPage(page);
  const title = uniqueTitle('Spotkanie z kioskiem');
  const meeting = await sentMeeting(page, title);

  // From the meeting to its list, and from there to the kiosk.
  await page.getByRole('link', { name: 'Lista obecności' }).click();
  await expect(page.getByText('Nikt jeszcze się nie wpisał.')).toBeVisible();
  await page.getByRole('link', { name: 'Kiosk na tym urządzeniu' }).click();
  await expect(page).toHaveURL(new RegExp(`/kiosk/${meeting}$`));
  await page.getByLabel('PIN (od 4 do 8 cyfr)').fill('2468');
  await page.getByLabel('Powtórz PIN').fill('2469');
  await page.getByRole('button', { name: 'Uruchom kiosk' }).click();
  await expect(page.getByText('Wpisane PIN-y różnią się.')).toBeVisible();
  await page.getByLabel('Powtórz PIN').fill('2468');
  await page.getByRole('button', { name: 'Uruchom kiosk' }).click();

  // The kiosk shows the meeting and the form, and nothing of the app.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.site-header')).toHaveCount(0);
  await expect(page.getByText('Wszystkie wpisy wysłane')).toBeVisible();
  await expectAccessible(page);

  // An incomplete form says what is missing and saves nothing.
  await page.getByRole('button', { name: 'Podpisz' }).click();
  await expect(page.getByText('Wybierz TAK albo NIE.')).toBeVisible();
  await expect(page.getByText('Podpisz się w ramce albo wpisz imię i nazwisko zamiast podpisu.')).toBeVisible();
  await expect(page.getByLabel('Imię i nazwisko *')).toBeFocused();

  await goOffline(context);
  await signInAtKiosk(page, context, 'Anna Nowak', 0);
  // "Back" after a sign-in stays on a clean kiosk form.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/kiosk/${meeting}$`));
  await expect(page.getByLabel('Imię i nazwisko *')).toHaveValue('');
  await expect(page.getByText('Anna Nowak')).toHaveCount(0);
  await signInAtKiosk(page, context, 'Jan Kowalski', 1);

  // Reloaded with no network: the kiosk comes back as it was.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByText('2 wpisy czekają na wysłanie')).toBeVisible();
  await signInAtKiosk(page, context, 'Ewa Wiśniewska', 2);
  await expect(page.getByText('3 wpisy czekają na wysłanie')).toBeVisible();
  await expect(page.getByText('Jan Kowalski')).toHaveCount(0);
  expect(sql(`select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}'`)).toBe('0');

  await goOnline(context);
  await expect(page.getByText('Wszystkie wpisy wysłane')).toBeVisible({ timeout: 20_000 });
  expect(sql(`select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}'`)).toBe('3');
  expect(
    sql(
      `select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}'
       and data->'signature'->>'kind' = 'drawn' and jsonb_array_length(data->'signature'->'strokes') = 1`,
    ),
  ).toBe('3');

  // Leaving needs the PIN.
  await page.getByRole('button', { name: 'Zakończ' }).click();
  await page.getByLabel('PIN osoby prowadzącej').fill('1111');
  await page.getByRole('button', { name: 'Zamknij kiosk' }).click();
  await expect(page.getByText('Nieprawidłowy PIN.')).toBeVisible();
  await page.getByLabel('PIN osoby prowadzącej').fill('2468');
  await page.getByRole('button', { name: 'Zamknij kiosk' }).click();
  await expect(page.getByRole('heading', { name: 'Kiosk zamknięty' })).toBeVisible();
  await page.getByRole('link', { name: 'Przejdź do listy obecności' }).click();

  await expect(page.getByText('Na liście są 3 osoby.')).toBeVisible();
  const rows = page.locator('.attendance__table tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.locator('td:nth-child(2)')).toHaveText(['Anna Nowak', 'Jan Kowalski', 'Ewa Wiśniewska']);
  await expect(rows.locator('svg.signature path')).toHaveCount(3);
  for (const path of await rows.locator('svg.signature path').all()) {
    await expect(path).toHaveAttribute('d', /^M\d+ \d+(L\d+ \d+)+$/);
  }
  await expect(rows.locator('td.attendance__consent')).toHaveText(['TAK', 'NIE', 'TAK']);
  await expectAccessible(page);
  await context.close();

  // The tutor's device holds the list without the signatures: shown from
  // the server when online, and said to be there when not.
  const tutoring = await browser.newContext();
  const tutor = await tutoring.newPage();
  await signIn(tutor, 'tutor@demo.local');
  await tutor.goto('/spotkania');
  await waitUntilReadyOffline(tutor);
  const held = await tutor.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.includes('/rec/sign_in/'))
      .map((key) => localStorage.getItem(key) ?? '')
      .join(' '),
  );
  expect(held).toContain('Ewa Wiśniewska');
  expect(held).not.toContain('strokes');
  await tutor.goto(`/spotkania/${meeting}/obecnosc`);
  const listed = tutor.locator('.attendance__table tbody tr');
  await expect(listed.locator('svg.signature path')).toHaveCount(3);
  await goOffline(tutoring);
  await tutor.reload();
  await expect(listed).toHaveCount(3);
  await expect(listed.getByText('Podpis widoczny w sieci')).toHaveCount(3);
  await tutoring.close();
});

test('a kiosk link on a second tablet adds sign-ins to its meeting, its token opens nothing else, and a new link sends what a revoked one left', async ({
  browser,
  playwright,
}) => {
  test.setTimeout(150_000);
  const office = await browser.newContext();
  const page = await office.newPage();
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  const meeting = await sentMeeting(page, uniqueTitle('Spotkanie z tabletem'));
  const other = await sentMeeting(page, uniqueTitle('Inne spotkanie'));
  await page.goto(`/spotkania/${meeting}/obecnosc`);
  await page.getByRole('button', { name: 'Utwórz link do kiosku' }).click();
  await expect(page.getByRole('img', { name: 'Kod QR z linkiem do kiosku' }).locator('svg')).toBeVisible();
  const link = await page.getByLabel('Link do kiosku').inputValue();
  expect(link).toMatch(new RegExp(`/kiosk/${meeting}#klucz=[A-Za-z0-9_-]+$`));
  const token = link.split('#klucz=')[1];
  // Copied with one tap, and the page says so.
  await office.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Kopiuj link' }).click();
  await expect(page.getByText('Skopiowano do schowka.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

  // The tablet: nobody signed in, only the link.
  const tablet = await browser.newContext(TABLET);
  const kiosk = await tablet.newPage();
  await kiosk.goto(link);
  await kiosk.getByLabel('PIN (od 4 do 8 cyfr)').fill('1357');
  await kiosk.getByLabel('Powtórz PIN').fill('1357');
  await kiosk.getByRole('button', { name: 'Uruchom kiosk' }).click();
  // The token leaves the address bar and the history.
  await expect(kiosk).toHaveURL(new RegExp(`/kiosk/${meeting}$`));
  await kiosk.getByLabel('Imię i nazwisko *').fill('Piotr Zieliński');
  await kiosk.getByLabel(/Zapoznałem\/zapoznałam się/).check();
  await kiosk.getByRole('radio', { name: 'NIE' }).check();
  await kiosk.getByLabel(/Nie mogę podpisać się odręcznie/).check();
  await kiosk.getByLabel('Imię i nazwisko zamiast podpisu').fill('Piotr Zieliński');
  await kiosk.getByRole('button', { name: 'Podpisz' }).click();
  await expect(kiosk.getByText('Dziękujemy! Wpis został zapisany.')).toBeVisible();
  await expect
    .poll(() =>
      sql(`select data->'signature'->>'kind' from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}'`),
    )
    .toBe('typed');
  await expect(kiosk.getByText('Wszystkie wpisy wysłane')).toBeVisible();
  // What the tablet keeps of the people who signed: nothing, once sent.
  const kept = await kiosk.evaluate(() =>
    Object.keys(localStorage)
      .map((key) => localStorage.getItem(key) ?? '')
      .join(' '),
  );
  expect(kept).not.toContain('Zieliński');

  // The token used by hand: sign-ins for its meeting only, nothing read.
  const api = await playwright.request.newContext({
    baseURL: test.info().project.use.baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  const signInFor = (meetingId: string, name: string) => ({
    id: crypto.randomUUID(),
    seq: 1,
    entity: 'sign_in',
    record_id: crypto.randomUUID(),
    op: 'upsert',
    base_rev: null,
    data: {
      meeting_id: meetingId,
      full_name: name,
      clause_version: 1,
      clause_ack: true,
      image_consent: false,
      signed_at: instantFromNow(-1),
      signature: { kind: 'typed', name },
    },
    client_time: null,
  });
  const meetingChange = { ...signInFor(other, 'x'), entity: 'meeting', record_id: other, data: { title: 'Przejęte' } };
  const pushed = await api.post('/api/sync', {
    data: {
      device_id: crypto.randomUUID(),
      cursor: 0,
      pull_limit: 1000,
      mutations: [signInFor(meeting, 'Ręczny Wpis'), signInFor(other, 'Obcy Wpis'), meetingChange],
    },
  });
  expect(pushed.status()).toBe(200);
  const answer = await pushed.json();
  expect(answer.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'rejected', 'rejected']);
  expect(answer.changes).toEqual([]);
  for (const path of ['/api/partnerships', '/api/libraries', '/api/me', '/api/personal-data/find']) {
    const reply = await api.post(path, { data: { search: '', page: 1, query: 'Zieliński' } });
    const body = await reply.text();
    expect(body, path).not.toContain('Zieliński');
    expect(body, path).not.toContain('Partnerstwo');
  }
  expect(sql(`select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${other}'`)).toBe('0');
  expect(sql(`select count(*) from records where data->>'title' = 'Przejęte'`)).toBe('0');

  // Revoked: the tablet keeps what it collects and says why it waits.
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Odwołaj wszystkie linki' }).click();
  await expect(page.getByText('Odwołano 1 link.')).toBeVisible();
  // The thank-you screen gives way to a clean form by itself.
  await kiosk.getByLabel('Imię i nazwisko *').fill('Po Odwołaniu');
  await kiosk.getByLabel(/Zapoznałem\/zapoznałam się/).check();
  await kiosk.getByRole('radio', { name: 'TAK' }).check();
  await drawSignature(kiosk, tablet, 0);
  await kiosk.getByRole('button', { name: 'Podpisz' }).click();
  await expect(kiosk.getByText(/Link do kiosku wygasł lub został odwołany/)).toBeVisible({ timeout: 20_000 });
  await expect(kiosk.getByText('1 wpis czeka na wysłanie')).toBeVisible();
  expect((await api.post('/api/kiosk', { data: {} })).status()).toBe(401);
  await api.dispose();

  // A new link for the meeting, opened on the same tablet, sends what the
  // revoked one left behind.
  await kiosk.close();
  await page.getByRole('button', { name: 'Utwórz link do kiosku' }).click();
  const renewed = await page.getByLabel('Link do kiosku').inputValue();
  expect(renewed).not.toBe(link);
  const again = await tablet.newPage();
  await again.goto(renewed);
  await again.getByLabel('PIN (od 4 do 8 cyfr)').fill('2468');
  await again.getByLabel('Powtórz PIN').fill('2468');
  await again.getByRole('button', { name: 'Uruchom kiosk' }).click();
  await expect(again.getByText('Wszystkie wpisy wysłane')).toBeVisible({ timeout: 20_000 });
  expect(
    sql(
      `select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}' and data->>'full_name' = 'Po Odwołaniu'`,
    ),
  ).toBe('1');
  await tablet.close();
  await office.close();
});

/** The share of dark pixels in the signature column of a PDF's first page, rendered in grey. */
function darkness(pdf: string): number {
  const base = pdf.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-r', '100', '-gray', '-f', '1', '-l', '1', '-singlefile', pdf, base]);
  const image = readFileSync(`${base}.pgm`);
  // A binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
  const header = image.subarray(0, 40).toString('latin1').split(/\s+/);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = image.subarray(image.length - width * height);
  // Inside the last column (Podpis), clear of its vertical borders.
  let dark = 0;
  let all = 0;
  for (let y = 0; y < height; y++) {
    for (let x = Math.round(width * 0.77); x < Math.round(width * 0.93); x++) {
      all++;
      if (pixels[y * width + x] < 160) dark++;
    }
  }
  return dark / all;
}

test('the printed list has its header, signatures, clause and page numbers, repeats the table header; CSV for Excel', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page, LIBRARIAN);
  await page.goto('/spotkania');
  await waitUntilReadyOffline(page);
  const title = uniqueTitle('Zebranie z listą');
  const meeting = await sentMeeting(page, title);

  // Twenty-five sign-ins made elsewhere (another tablet), one name twice,
  // from ten minutes after the meeting's start on.
  const startsAt = Date.parse(sql(`select data->>'starts_at' from records where id = '${meeting}'`));
  const signedAt = (minutes: number) => new Date(startsAt + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const mutations = Array.from({ length: 25 }, (_, i) => ({
    id: crypto.randomUUID(),
    seq: i + 1,
    entity: 'sign_in',
    record_id: crypto.randomUUID(),
    op: 'upsert',
    base_rev: null,
    data: {
      meeting_id: meeting,
      full_name: i === 24 ? 'OSOBA 1' : `Osoba ${i + 1}`,
      organization: 'Szkoła Podstawowa',
      function: 'nauczycielka',
      clause_version: 1,
      clause_ack: true,
      image_consent: i % 3 === 0,
      signed_at: signedAt(10 + i),
      signature: { kind: 'drawn', strokes: [[50, 300, 200, 100 + i * 5, 350, 300, 500, 80, 700, 320, 950, 120]] },
    },
    client_time: null,
  }));
  const pushed = await page.request.post('/api/sync', {
    data: { device_id: crypto.randomUUID(), cursor: 1 << 30, pull_limit: 1, mutations },
  });
  expect(pushed.status()).toBe(200);

  // Opening the list syncs the device: it pulls them.
  await page.goto(`/spotkania/${meeting}/obecnosc`);
  await expect(page.getByText('Na liście jest 25 osób.')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('możliwy duplikat')).toHaveCount(2);

  // A duplicate is struck with a reason, never merged.
  await page.getByRole('button', { name: 'Skreśl wpis: OSOBA 1', exact: true }).click();
  await page.getByRole('button', { name: 'Skreśl wpis', exact: true }).click();
  await expect(page.getByText('Podaj powód skreślenia.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Powód skreślenia' }).fill('wpisana dwa razy');
  await page.getByRole('button', { name: 'Skreśl wpis', exact: true }).click();
  await expect(page.getByText('Na liście są 24 osoby.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Skreślone wpisy' })).toBeVisible();

  // Someone from the paper list, typed in.
  await page.getByRole('button', { name: 'Dodaj osobę z listy papierowej' }).click();
  await page.locator('#paper-full_name').fill('Stefan Papierowy');
  await page.locator('#paper-clause_ack').check();
  await page.locator('#paper-image_consent-no').check();
  await page.getByRole('button', { name: 'Zapisz wpis' }).click();
  await expect(page.getByText('Na liście jest 25 osób.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Stefan Papierowy/ })).toContainText('na liście papierowej');
  await expect(syncState(page)).toHaveText(/Wszystko wysłane o \d\d:\d\d/, { timeout: 20_000 });
  expect(sql(`select count(*) from audit_log where action = 'strike' and details->>'meeting_id' = '${meeting}'`)).toBe(
    '1',
  );
  expect(
    sql(
      `select count(*) from records where entity = 'sign_in' and data->>'meeting_id' = '${meeting}' and data->>'typed_later' = 'true'`,
    ),
  ).toBe('1');
  await expectAccessible(page);

  // CSV: UTF-8 with a BOM, semicolons, CRLF; struck entries left out.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Pobierz CSV (Excel)' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.startsWith('\ufeffLp.;Imię i nazwisko;Instytucja / organizacja;Funkcja;Zgoda na wizerunek;')).toBe(true);
  const lines = csv.split('\r\n').filter((line) => line !== '');
  expect(lines).toHaveLength(26);
  // The paper entry counts from the meeting's start, before the others.
  const day = polishDay(MEETING_DAY);
  expect(lines[1]).toBe(`1;Stefan Papierowy;;;NIE;na liście papierowej;${day}, 14:00`);
  expect(lines[2]).toBe(`2;Osoba 1;Szkoła Podstawowa;nauczycielka;TAK;podpis odręczny;${day}, 14:10`);
  expect(csv).not.toContain('OSOBA 1');

  // Printed to PDF by Chromium, as the library prints it.
  const pdfPath = testInfo.outputPath('lista.pdf');
  writeFileSync(pdfPath, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  const pages = text.split('\f').filter((p) => p.trim() !== '');
  expect(pages.length).toBeGreaterThanOrEqual(2);
  expect(pages[0]).toMatch(/lista obecności/i);
  expect(pages[0]).toContain(title);
  expect(pages[0]).toContain('Program');
  expect(pages[0]).toMatch(new RegExp(`strona 1 z ${pages.length}`));
  // Page 2 starts with the table header again, before its first row.
  expect(pages[1]).toMatch(/^\s*(Zgoda na\s+)?Lp\.\s+Imię i nazwisko\s+Instytucja \/ organizacja\s+Funkcja\s+wizerunek\s+Podpis\s+\d+\s+Osoba/);
  expect(pages[1]).toMatch(new RegExp(`strona 2 z ${pages.length}`));
  const last = pages[pages.length - 1];
  expect(last).toContain('Liczba uczestników: 25');
  expect(last).toContain('Informacja o przetwarzaniu danych osobowych');
  expect(last).toContain('Podpis osoby prowadzącej');
  expect(text).not.toContain('Skreślone wpisy');
  expect(text).not.toContain('możliwy duplikat');

  // The signatures are in the PDF: hidden, the first page is much lighter.
  const withSignatures = darkness(pdfPath);
  await page.addStyleTag({ content: '.signature path { display: none; }' });
  const blankPath = testInfo.outputPath('bez-podpisow.pdf');
  writeFileSync(blankPath, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
  expect(withSignatures).toBeGreaterThan(darkness(blankPath) * 1.5);
});
