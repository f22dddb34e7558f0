// LateFuse service worker: precaches every file of the build so the app works offline after the
// first visit. This file is a template: the Vite build (web/vite.config.js) writes dist/sw.js with
// the real file list and a version derived from the files' contents. All URLs are relative to
// the service worker's own location, so the site works from any sub-path.
// It only ever fetches the site's own files; it never sees or stores user data (files the user
// opens are read locally by the page and never requested over the network).
const VERSION = '__VERSION__';
const PRECACHE = '__PRECACHE__';
const CACHE = `latefuse-${VERSION}`;
// This file runs as a service worker: `self` is its global scope (the DOM lib types it as Window).
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const urls = Array.isArray(PRECACHE) ? PRECACHE : [];
    await cache.addAll(urls.map((u) => new Request(new URL(u, sw.registration.scope), { cache: 'reload' })));
    await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('latefuse-') && key !== CACHE) await caches.delete(key);
    }
    await sw.clients.claim();
  })());
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate') {
    // Pages: the network first (to pick up a new build), the cached page when offline.
    event.respondWith((async () => {
      try {
        return await fetch(request);
      } catch {
        const cache = await caches.open(CACHE);
        return (await cache.match(request, { ignoreSearch: true })) ??
          (await cache.match(new URL('./', sw.registration.scope).href)) ??
          Response.error();
      }
    })());
    return;
  }
  // Hashed assets, the wasm and the example data: the cache first.
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    return fetch(request);
  })());
});
