// Partnerstwa's service worker: the app opens and works with no network.
//
// - The shell (wasm, JS, CSS, icons, the offline page) and the HTML of the
//   main routes are cached when a version installs.
// - Pages are fetched from the network first; if it does not answer within
//   a few seconds, the cached copy is served. Data lives in the page's local
//   store, so a page reloaded offline shows what it showed online.
// - A new version installs beside the old one and waits: it takes over only
//   when the open pages are closed or reloaded, so a page open offline never
//   loses the files it runs on.
// - Cached pages hold a signed-in person's name: they belong to whoever the
//   server says is signed in, and are fetched again when that changes.
//
// - Each route's code is a chunk of its own, loaded when the route opens.
//   Every chunk of the build is cached after the first visit, so a route
//   never opened online still opens offline (a chunk that cannot be fetched
//   stops the app).
//
// The server fills in BUILD (a digest of the build's file hashes), so every
// release is a new service worker, and SPLIT_FILES (the chunks and their
// loader, from the build's split manifest).

const BUILD = '__BUILD__';
const SHELL = `partnerstwa-shell-${BUILD}`;
const PAGES = `partnerstwa-pages-${BUILD}`;
const NAVIGATION_TIMEOUT_MS = 3000;
const SPLIT_FILES = '__SPLIT_FILES__';
// Written once every split file is in the cache.
const SPLIT_CACHED = '/__split-cached';
// Which build a page is of (the server stamps every page).
const BUILD_HEADER = 'x-partnerstwa-build';

// Pages of a newer build, opened while this worker still controls the tab
// (a version deployed meanwhile): they load their own build's files from
// the network. This worker's cache holds its own build's, and a page given
// the split chunks of another build's main module would stop.
const newerPages = new Set();

const ofThisBuild = (response) => (response.headers.get(BUILD_HEADER) || BUILD) === BUILD;

const SHELL_FILES = [
  '/offline.html',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];

// Pages that work offline. Any meeting's address is served the editor's
// page (its attendance list and kiosk likewise): they are rendered in the
// browser from the local store.
const ROUTES = ['/', '/spotkania', '/zadania', '/partnerzy', '/godziny', '/spotkania/_', '/spotkania/_/obecnosc', '/kiosk/_', '/partnerzy/_', '/plany', '/plany/_'];
const TEMPLATES = [
  [/^\/spotkania\/[^/]+$/, '/spotkania/_'],
  [/^\/spotkania\/[^/]+\/obecnosc$/, '/spotkania/_/obecnosc'],
  [/^\/kiosk\/[^/]+$/, '/kiosk/_'],
  [/^\/partnerzy\/[^/]+$/, '/partnerzy/_'],
  [/^\/plany\/[^/]+$/, '/plany/_'],
];

// The build's files a page refers to (hashed names under /pkg/).
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/\/pkg\/[A-Za-z0-9._\-]+/g)) {
    found.add(match[0]);
  }
  return [...found];
}

// Adds the files the cache lacks, each on its own: one that cannot be
// fetched now does not keep the others out (it is tried again next time).
// True when all are in.
async function addMissing(cache, files) {
  const missing = [];
  for (const file of files) {
    if (!(await cache.match(file))) missing.push(file);
  }
  const added = await Promise.allSettled(missing.map((file) => cache.add(file)));
  return added.every((result) => result.status === 'fulfilled');
}

async function cachePages() {
  const pages = await caches.open(PAGES);
  const shell = await caches.open(SHELL);
  for (const route of ROUTES) {
    const response = await fetch(route, { credentials: 'same-origin', cache: 'no-store' });
    // A page of another build would open offline on files this cache lacks.
    if (!response.ok || !ofThisBuild(response)) continue;
    const html = await response.clone().text();
    await pages.put(route, response);
    await addMissing(shell, assetsOf(html));
  }
}

// Every route's chunk, including those of routes not opened yet.
async function cacheSplitFiles() {
  const shell = await caches.open(SHELL);
  if (await shell.match(SPLIT_CACHED)) return;
  if (await addMissing(shell, SPLIT_FILES)) {
    await shell.put(SPLIT_CACHED, new Response(BUILD));
  }
}

// Who the server says is signed in: an id, 'nobody', or null when it
// cannot be asked (offline).
async function signedIn() {
  try {
    const response = await fetch('/api/me', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    });
    if (!response.ok) return 'nobody';
    const me = await response.json();
    return me && me.id ? me.id : 'nobody';
  } catch {
    return null;
  }
}

// Cached pages belong to one person: when someone else is signed in (or
// nobody), they are fetched again.
async function keepPagesCurrent() {
  const who = await signedIn();
  if (who === null) return;
  const pages = await caches.open(PAGES);
  const stored = await pages.match('/__who');
  if (stored && (await stored.text()) === who) return;
  await caches.delete(PAGES);
  await cachePages();
  await (await caches.open(PAGES)).put('/__who', new Response(who));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL);
      await shell.addAll(SHELL_FILES);
      await cacheSplitFiles();
      await keepPagesCurrent();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('partnerstwa-') && name !== SHELL && name !== PAGES)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
      // Someone may have signed in while this version was installing.
      await keepPagesCurrent();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

async function cachedPage(url) {
  const pages = await caches.open(PAGES);
  const exact = await pages.match(url.pathname);
  if (exact) return exact;
  for (const [pattern, template] of TEMPLATES) {
    if (pattern.test(url.pathname)) {
      const page = await pages.match(template);
      if (page) return page;
    }
  }
  return caches.match('/offline.html', { cacheName: SHELL });
}

async function navigate(event) {
  const request = event.request;
  const url = new URL(request.url);
  try {
    const response = await Promise.race([fetch(request), timeout(NAVIGATION_TIMEOUT_MS)]);
    const html = (response.headers.get('content-type') || '').includes('text/html');
    if (html && !ofThisBuild(response)) {
      if (event.resultingClientId) newerPages.add(event.resultingClientId);
      // The new version's worker installs now, and takes over on the next load.
      event.waitUntil(self.registration.update());
    } else if (response.ok && html) {
      event.waitUntil(Promise.all([cacheSplitFiles(), keepPagesCurrent()]));
    }
    return response;
  } catch {
    return (await cachedPage(url)) || Response.error();
  }
}

async function fromShell(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const shell = await caches.open(SHELL);
    await shell.put(request, response.clone());
  }
  return response;
}

// Signing in or out changes whose pages may be kept.
async function afterSession(event) {
  const response = await fetch(event.request);
  if (response.ok) {
    await caches.delete(PAGES);
    event.waitUntil(keepPagesCurrent());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && (url.pathname === '/api/login' || url.pathname === '/api/logout')) {
    event.respondWith(afterSession(event));
    return;
  }
  if (request.method !== 'GET' || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
    return;
  }
  if (newerPages.has(event.clientId)) return;
  if (url.pathname.startsWith('/pkg/') || SHELL_FILES.includes(url.pathname)) {
    event.respondWith(fromShell(request));
  }
});
