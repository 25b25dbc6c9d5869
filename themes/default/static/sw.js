// Service worker of the programme site: an offline copy on the first visit.
// The build writes it at the site root, after a header defining VERSION (a
// hash of the whole built site) and PRECACHE (the files stored on install).
// Assets are served cache-first; pages and data network-first, falling back
// to the cache when the network fails or is slow. A rebuilt site has a new
// VERSION: the new worker fills a new cache and deletes the old one.
"use strict";
const SCOPE = self.registration.scope;
const PREFIX = "programme:" + SCOPE + ":";
const CACHE = PREFIX + VERSION;
const SLOW_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        PRECACHE.map((path) =>
          cache.add(new Request(new URL(path, SCOPE), { cache: "reload" })).catch(() => {})
        )
      )
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)))
      )
      .then(() => self.clients.claim())
  );
});

// The cache key of a URL: no query or fragment; a folder means its index.html.
function keyOf(url) {
  const u = new URL(url);
  u.search = "";
  u.hash = "";
  if (u.pathname.endsWith("/")) u.pathname += "index.html";
  return u.href;
}

// Stores a response, unless this worker's cache is gone: a newer version has
// taken over, and an old worker must not bring its cache back.
function keep(key, response) {
  return caches.has(CACHE).then((live) => live && caches.open(CACHE).then((c) => c.put(key, response)));
}

const ASSET = /\.(css|js|svg|png|jpe?g|webp|gif|avif|ico|woff2?|webmanifest)$/;

async function cacheFirst(request, key) {
  const cached = await caches.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) keep(key, response.clone());
  return response;
}

async function networkFirst(request, key) {
  const network = fetch(request).then((response) => {
    if (response.ok) keep(key, response.clone());
    return response;
  });
  network.catch(() => {});
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_MS));
  try {
    // On a slow network, answer from the cache and let the fetch update it.
    const first = await Promise.race([network, slow.then(() => caches.match(key))]);
    if (first) return first;
    return await network;
  } catch (e) {
    const cached = await caches.match(key);
    if (cached) return cached;
    if (request.mode === "navigate") return offlinePage();
    throw e;
  }
}

function offlinePage() {
  const html =
    '<!doctype html><html lang="en"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    "<title>Offline</title><main><h1>You are offline</h1>" +
    "<p>This page was not saved for offline use yet. " +
    '<a href="' + SCOPE + '">Open the programme</a>, which is.</p></main></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  const key = keyOf(request.url);
  if (request.mode !== "navigate" && ASSET.test(key)) {
    event.respondWith(cacheFirst(request, key));
  } else {
    event.respondWith(networkFirst(request, key));
  }
});
