import { expect, Page, test } from '@playwright/test';
import { goOffline, LIBRARIAN, signIn, sql, waitUntilReadyOffline, ZALESIE_PARTNERSHIP } from './helpers';

// Each route's code is a chunk the browser loads when the route first opens.
// A device that signed in and saw only the home page must still open every
// offline route with no network: the service worker caches every chunk, not
// only those of the pages visited. A chunk that cannot be fetched would stop
// the whole app (a page error), so none may appear.

const ZALESIE = '5a1e0000-0000-4000-8000-000000000001';

function demo() {
  const one = (query: string) => {
    const value = sql(query);
    if (!value) throw new Error(`no demo record for: ${query}`);
    return value;
  };
  const meeting = one(
    `select id from records where entity = 'meeting' and library_id = '${ZALESIE}' and not deleted order by created_at, id limit 1`,
  );
  return {
    meeting,
    meetingTitle: one(`select data->>'title' from records where id = '${meeting}'`),
    partnerName: one(
      `select data->>'name' from records where entity = 'partner' and library_id = '${ZALESIE}' and not deleted order by created_at, id limit 1`,
    ),
  };
}

/** What each offline route shows from the device's store. */
function offlineRoutes() {
  const { meeting, meetingTitle, partnerName } = demo();
  return [
    { path: '/spotkania', shows: (page: Page) => page.getByRole('link', { name: meetingTitle }) },
    { path: `/spotkania/${meeting}`, shows: (page: Page) => page.getByRole('heading', { level: 1, name: meetingTitle }) },
    { path: `/spotkania/${meeting}/obecnosc`, shows: (page: Page) => page.getByRole('heading', { name: 'Wpis z listy papierowej' }) },
    { path: `/kiosk/${meeting}`, shows: (page: Page) => page.getByRole('button', { name: 'Uruchom kiosk' }) },
    { path: '/partnerzy', shows: (page: Page) => page.getByText(partnerName).first() },
    { path: '/godziny', shows: (page: Page) => page.getByRole('heading', { level: 1, name: 'Godziny wsparcia' }) },
    { path: '/plany', shows: (page: Page) => page.getByRole('heading', { level: 1, name: 'Plany rozwoju współpracy' }) },
    { path: `/plany/${ZALESIE_PARTNERSHIP}`, shows: (page: Page) => page.getByRole('heading', { level: 1, name: /Plan rozwoju współpracy/ }) },
    { path: '/zadania', shows: (page: Page) => page.getByRole('heading', { level: 1, name: 'Zadania partnerstwa' }) },
  ];
}

test('after one online visit of the home page, every offline route opens and reloads with no network', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  // Which chunks the page fetched online: only the home page's (none), so
  // what the routes below run on came from the worker's cache.
  const chunksOnline = new Set<string>();
  page.on('request', (request) => {
    if (/\/pkg\/(split|chunk)_/.test(request.url()) && !request.serviceWorker()) chunksOnline.add(request.url());
  });
  await signIn(page, LIBRARIAN);
  await waitUntilReadyOffline(page);
  expect([...chunksOnline], 'the home page needs no route chunk').toEqual([]);

  await goOffline(context);
  for (const route of offlineRoutes()) {
    await page.goto(route.path);
    await expect(page.locator('html[data-hydrated]')).toBeAttached();
    await expect(route.shows(page), `${route.path} opened offline`).toBeVisible();
    await page.reload();
    await expect(page.locator('html[data-hydrated]')).toBeAttached();
    await expect(route.shows(page), `${route.path} reloaded offline`).toBeVisible();
  }

  // In-app navigation loads a route's chunk the moment its link is followed.
  await page.goto('/');
  await expect(page.locator('html[data-hydrated]')).toBeAttached();
  const nav = page.getByRole('navigation', { name: 'Nawigacja główna' });
  for (const [link, heading] of [
    ['Zadania', 'Zadania partnerstwa'],
    ['Godziny wsparcia', 'Godziny wsparcia'],
    ['Plany', 'Plany rozwoju współpracy'],
    ['Spotkania', 'Spotkania'],
  ]) {
    await nav.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  }
  expect(errors).toEqual([]);
});
