// Tell the server the viewer's time zone so dates are shown in it (TimezoneMiddleware).
// Loaded in <head> without defer: when the server had to guess the zone (a browser's first
// page) and guessed wrong, the page is loaded again at once in the browser's zone, before it
// is shown, so every page, the first included, shows the same zone. Never after a POST (that
// would send the form again) and at most once per page, even if cookies are refused.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // A browser that says only "UTC" does not say where its reader is (claims_site/middleware.py
    // _NO_PLACE): the server's guess stands, and no cookie claims otherwise.
    if (!zone || /^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT0?|Greenwich)$/.test(zone)) { return; }
    if (document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
    // The zone the page was rendered in, and whether the server guessed it (templates/base.html).
    var meta = document.querySelector('meta[name="viewer-time-zone"]');
    if (!meta) { return; }
    var shown = meta.getAttribute("content");
    if (meta.getAttribute("data-guessed") !== "1" || !shown || shown === zone) { return; }
    if (meta.getAttribute("data-method") !== "GET") { return; }
    if (document.cookie.indexOf("tz=" + zone) === -1) { return; }  // cookies refused
    var key = "tz-reloaded:" + location.pathname + location.search;
    if (window.sessionStorage.getItem(key)) { return; }
    window.sessionStorage.setItem(key, "1");
    location.replace(location.href);
  } catch (e) { /* old browser or no storage: the server's zone is used */ }
})();
