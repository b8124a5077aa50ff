// cwmpkit's service worker: every file of one build (the app, its chunks, the
// schemas), kept so that the app loads with the network off after its first
// visit. `cargo xtask dist` writes dist/sw.js from this file: BUILD is a hash
// of the build's files, ASSETS their URLs. A new build is a new script, so the
// browser installs it beside the running page (app/src/offline.rs).
const BUILD = "__CWMPKIT_BUILD__";
const ASSETS = __CWMPKIT_ASSETS__;
const PREFIX = "cwmpkit-";
const CACHE = PREFIX + BUILD;
// Put last, once every file is in: the page reads it as "available offline".
const COMPLETE = "/offline-ready";
// The relay's own endpoints are never cached.
const LIVE = ["/api/", "/acs", "/files/", "/uploads/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" })));
      await cache.put(COMPLETE, new Response(BUILD));
      // Take over at once: the page says the new version takes effect on the next reload.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Keep the newest older build too: a page still running it may yet load
      // one of its chunks. Cache names list in the order they were created.
      const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
      await Promise.all(older.slice(0, -1).map((name) => caches.delete(name)));
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (LIVE.some((prefix) => url.pathname.startsWith(prefix))) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // Every page of the app is index.html; the app routes it.
      const key = request.mode === "navigate" ? "/index.html" : request;
      const hit =
        (await cache.match(key, { ignoreSearch: true })) ||
        (await caches.match(key, { ignoreSearch: true }));
      return hit || fetch(request);
    })(),
  );
});
