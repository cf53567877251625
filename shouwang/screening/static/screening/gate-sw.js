// The gate page's service worker (served at /gate/sw.js by screening.views.gate_service_worker,
// which puts SHELL and CACHE in front of this file): the page and its static files come from
// the cache when there is no network. The API is never cached here: the page keeps its own
// offline bundle and queue in IndexedDB (gate-offline.js).
/* global SHELL, CACHE */
"use strict";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Older shells go; a page already open is taken over at once, so it works offline from now on.
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("gate-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

// The page asks for itself to be kept (its first load came before this worker controlled it).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-page" || typeof data.url !== "string") return;
  const url = new URL(data.url, self.registration.scope);
  if (url.origin !== self.location.origin || !GATE_PAGE.test(url.pathname)) return;
  event.waitUntil(keepPage(new Request(url.pathname, { credentials: "same-origin" })));
});

function keepPage(request) {
  return fetch(request).then((response) => {
    // Only the page itself: never a redirect to the log-in page or an error page.
    if (response.ok && !response.redirected && response.type === "basic") {
      return caches.open(CACHE).then((cache) => cache.put(request.url, response.clone())).then(() => response);
    }
    return response;
  });
}

const OFFLINE_PAGE = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
  + "<title>离线 Offline</title><p style='font:18px system-ui;padding:1rem'>"
  + "没有网络，且此设备未保存该页面。请联网后打开一次门岗页面。<br>"
  + "No network, and this device has not kept this page. Open the gate page once while online.</p>";

// The kept copy, marked as such (X-Shouwang-Offline: 1) so a test or a curious eye can tell.
function marked(kept) {
  const headers = new Headers(kept.headers);
  headers.set("X-Shouwang-Offline", "1");
  return kept.blob().then((body) => new Response(body, { status: kept.status, statusText: kept.statusText, headers: headers }));
}

// A gate's page: /gate/<code>/ (the picker and everything else go to the network as usual).
const GATE_PAGE = /^\/gate\/[a-z0-9_-]+\/$/i;

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    if (!GATE_PAGE.test(url.pathname)) return;
    // The page: the network first (fresh words, CSRF token and duty strip), the kept copy without it.
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && response.type === "basic") {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(url.pathname, copy)));
      }
      return response;
    }, () => caches.open(CACHE)
      .then((cache) => cache.match(url.pathname, { ignoreVary: true }))
      .then((kept) => (kept ? marked(kept) : null))
      .then((kept) => kept || new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }))));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    // Static files: the kept copy at once, refreshed in the background for the next load.
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(url.pathname, { ignoreVary: true }).then((kept) => {
      const fresh = fetch(request).then((response) => {
        if (response.ok) cache.put(url.pathname, response.clone());
        return response;
      });
      if (kept) { event.waitUntil(fresh.catch(() => null)); return kept; }
      return fresh;
    })));
  }
});
