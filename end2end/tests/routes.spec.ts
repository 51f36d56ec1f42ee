import { BrowserContext, expect, Page, test } from '@playwright/test';
import { LIBRARIAN, ZALESIE_PARTNERSHIP, signIn, sql } from './helpers';

// Every route opened by its address, as each role and signed out: the page
// must hydrate with no page error and no console error, and answer a click.
// Then no route may be wider than a phone or a tablet, and the header's
// and the page's text must keep AA contrast (computed, beside axe, which
// leaves text on the header's green "to review").

const ZALESIE = '5a1e0000-0000-4000-8000-000000000001';
const TUTOR = 'tutor@demo.local';
const COORDINATOR = 'koordynator@demo.local';

/** The demo's records the addresses point at (the oldest, seeded ones). */
function ids() {
  const one = (query: string) => {
    const id = sql(query);
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`no demo record for: ${query}`);
    return id;
  };
  return {
    program: one(`select id from programs where name = 'Program Rozwoju Bibliotek' order by id limit 1`),
    meeting: one(`select id from records where entity = 'meeting' and library_id = '${ZALESIE}' and not deleted order by created_at, id limit 1`),
    partner: one(`select id from records where entity = 'partner' and library_id = '${ZALESIE}' and not deleted order by created_at, id limit 1`),
  };
}

/**
 * A route, and what proves it alive: a text in the page's main area before
 * and after the language is switched (the switch re-renders the page's own
 * words only where they are hydrated and reactive).
 */
type Route = { path: string; pl: RegExp; en: RegExp };

function signedInRoutes(): Route[] {
  const { program, meeting, partner } = ids();
  return [
    { path: '/', pl: /Partnerstwa lokalne bibliotek/, en: /Library partnerships/ },
    { path: '/konto', pl: /Moje konto/, en: /My account/ },
    { path: '/biblioteki', pl: /Biblioteki/, en: /Libraries/ },
    { path: `/biblioteki/${ZALESIE}`, pl: /W skrócie/, en: /At a glance/ },
    { path: '/programy', pl: /Programy/, en: /Programs/ },
    { path: `/programy/${program}`, pl: /Biblioteki w programie/, en: /Libraries in the program/ },
    { path: '/spotkania', pl: /Spotkania/, en: /Meetings/ },
    { path: `/spotkania/${meeting}`, pl: /Lista obecności|Spotkanie/, en: /Attendance list|[Mm]eeting/ },
    { path: `/spotkania/${meeting}/obecnosc`, pl: /Lista obecności/, en: /Attendance list/ },
    { path: '/dane-osobowe', pl: /Dane osobowe uczestników/, en: /Attendees' personal data/ },
    { path: '/zadania', pl: /Zadania partnerstwa/, en: /Partnership tasks/ },
    { path: '/partnerzy', pl: /Partnerzy/, en: /Partners/ },
    { path: `/partnerzy/${partner}`, pl: /Sektor|Nie ma takiego partnera/, en: /Sector|no such partner/ },
    { path: '/godziny', pl: /Godziny wsparcia/, en: /Support hours/ },
    { path: '/plany', pl: /Plany rozwoju współpracy/, en: /Partnership development plans/ },
    { path: `/plany/${ZALESIE_PARTNERSHIP}`, pl: /Plan rozwoju współpracy partnerskiej|Nie ma takiego partnerstwa/, en: /Partnership development plan|no such partnership/ },
    { path: '/osoby', pl: /Osoby|Nie masz dostępu/, en: /People|do not have access/ },
    { path: '/nie-ma-takiej-strony', pl: /Nie ma takiej strony/, en: /Page not found/ },
  ];
}

function signedOutRoutes(): Route[] {
  const { program, meeting } = ids();
  return [
    { path: '/', pl: /Partnerstwa lokalne bibliotek/, en: /Library partnerships/ },
    { path: '/logowanie', pl: /Zaloguj się/, en: /Sign in/ },
    { path: '/zaproszenie/nieznany-token-zaproszenia-0000000000000000000', pl: /Ten link jest nieważny/, en: /This link is no longer valid/ },
    { path: '/spotkania', pl: /Zaloguj się/, en: /Sign in/ },
    { path: `/programy/${program}`, pl: /Zaloguj się/, en: /Sign in/ },
    { path: `/spotkania/${meeting}/obecnosc`, pl: /Zaloguj się/, en: /Sign in/ },
    { path: '/nie-ma-takiej-strony', pl: /Nie ma takiej strony/, en: /Page not found/ },
  ];
}

/** Page errors and console errors, with the address they came on. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs every 4xx answer as an error: a page that is refused
    // (a librarian on /osoby) or finds nothing (a used invitation) is the
    // server answering as meant, and the page says so in words.
    const refused = /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text());
    if (message.type() === 'error' && !refused) errors.push(`${page.url()}: console: ${message.text()}`);
  });
  return errors;
}

const language = (page: Page) => page.locator('header .language-switch');

async function openAlive(page: Page, route: Route, errors: string[]) {
  await page.goto(route.path);
  await expect(page.locator('html'), `${route.path} hydrates`).toHaveAttribute('data-hydrated', '');
  const main = page.locator('main');
  await expect(main, `${route.path} in Polish`).toContainText(route.pl);
  await language(page).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(main, `${route.path} answers the switch`).toContainText(route.en);
  await language(page).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
  expect(errors, `errors on ${route.path}`).toEqual([]);
}

async function asRole(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

for (const [role, email] of [
  ['librarian', LIBRARIAN],
  ['tutor', TUTOR],
  ['coordinator', COORDINATOR],
] as const) {
  test(`every route opened by its address hydrates and answers, as the ${role}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context = await browser.newContext();
    const page = await asRole(context, email);
    const errors = collectErrors(page);
    for (const route of signedInRoutes()) await openAlive(page, route, errors);
    if (role === 'librarian') {
      // The kiosk has no header: its own form answers (a PIN is asked for).
      await page.goto(`/kiosk/${ids().meeting}`);
      await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
      await page.getByRole('button', { name: 'Uruchom kiosk' }).click();
      await expect(page.getByText('PIN to od 4 do 8 cyfr.').first()).toBeVisible();
      expect(errors, 'errors on the kiosk').toEqual([]);
    }
    await context.close();
  });
}

test('every route opened by its address hydrates and answers, signed out', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = collectErrors(page);
  for (const route of signedOutRoutes()) await openAlive(page, route, errors);
});

/** Waits until the page's own loads are done ("Wczytywanie…" gone). */
async function settled(page: Page) {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await expect(page.locator('main').getByText(/^Wczytywanie/)).toHaveCount(0);
}

/** How far the page is wider than its viewport, in CSS px (0 when it fits). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const [device, viewport] of [
  ['phone', { width: 390, height: 844 }],
  ['tablet', { width: 800, height: 1280 }],
] as const) {
  test(`no route is wider than a ${device} (${viewport.width} px)`, async ({ browser }) => {
    test.setTimeout(180_000);
    const wide: string[] = [];
    for (const email of [LIBRARIAN, COORDINATOR]) {
      const context = await browser.newContext({ viewport, hasTouch: true });
      const page = await asRole(context, email);
      for (const route of signedInRoutes()) {
        await page.goto(route.path);
        await settled(page);
        const extra = await overflow(page);
        if (extra > 0) wide.push(`${email} ${route.path}: ${extra} px too wide`);
      }
      await context.close();
    }
    expect(wide).toEqual([]);
  });
}

/**
 * Every visible text in the header and the main area against the colour
 * behind it (the nearest ancestor with a background), WCAG 2.1 AA: 4.5:1,
 * 3:1 for large text.
 */
async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (color: string) => {
      const parts = color.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 1];
      return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
    };
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element | null) => {
      for (let e = element; e; e = e.parentElement) {
        const color = rgb(getComputedStyle(e).backgroundColor);
        if (color.a > 0.5) return color;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const bad: string[] = [];
    const elements = document.querySelectorAll('header *, main *');
    for (const element of elements) {
      const own = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (!own) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
      if (style.clip === 'rect(0px, 0px, 0px, 0px)' || (element as HTMLElement).closest('[hidden], [aria-hidden="true"]')) continue;
      if ((element as HTMLButtonElement).disabled) continue; // WCAG: inactive controls are exempt
      const fg = luminance(rgb(style.color));
      const bg = luminance(background(element));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        const text = element.textContent?.trim().slice(0, 40);
        bad.push(`${element.tagName.toLowerCase()}.${element.className} "${text}": ${ratio.toFixed(2)}:1`);
      }
    }
    return bad;
  });
}

test('the header and the pages keep AA contrast, the signed-in name included', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await asRole(context, COORDINATOR);
  const name = page.locator('header .user-menu__name');
  await expect(name).toHaveText('Katarzyna Nowak');
  await expect(name).toBeVisible();
  const bad: string[] = [];
  for (const route of signedInRoutes()) {
    await page.goto(route.path);
    await settled(page);
    for (const problem of await lowContrast(page)) bad.push(`${route.path}: ${problem}`);
  }
  expect(bad).toEqual([]);
  await context.close();
});

test('the header is one row on a phone and at most 120 px on a tablet, the name and the sync state always in sight', async ({ browser }) => {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 800, height: 1280 },
  ]) {
    const context = await browser.newContext({ viewport, hasTouch: true });
    const page = await asRole(context, LIBRARIAN);
    await page.goto('/spotkania');
    await settled(page);
    const header = page.locator('header.site-header');
    const height = (await header.boundingBox())?.height ?? Infinity;
    expect(height, `header at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width < 600 ? 64 : 120);
    await expect(header.locator('.user-menu__name')).toBeVisible();
    await expect(header.locator('.sync-status')).toBeVisible();
    // The navigation is behind the menu, and the menu works.
    const nav = page.getByRole('navigation', { name: 'Nawigacja główna' });
    await expect(nav).toBeHidden();
    await header.locator('summary.site-menu__toggle').click();
    await nav.getByRole('link', { name: 'Zadania' }).click();
    await expect(page).toHaveURL(/\/zadania$/);
    await expect(nav, 'the menu closes on the new page').toBeHidden();
    await context.close();
  }
});
