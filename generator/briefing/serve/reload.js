// Live reload and the build-error overlay for `briefing serve`. The preview
// server adds this file to the pages it serves; built sites never carry it.
// Error text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me ? me.getAttribute("data-generation") : null;
  var SCROLL_KEY = "briefing-serve-scroll:" + location.pathname;
  var OVERLAY_ID = "briefing-build-errors";

  function restoreScroll() {
    var saved = null;
    try { saved = sessionStorage.getItem(SCROLL_KEY); sessionStorage.removeItem(SCROLL_KEY); } catch (e) { return; }
    if (saved === null) { return; }
    try {
      var xy = JSON.parse(saved);
      window.scrollTo(xy[0], xy[1]);
    } catch (e) { /* a damaged entry: stay at the top */ }
  }

  function reload() {
    try { sessionStorage.setItem(SCROLL_KEY, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) { /* private mode */ }
    location.reload();
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) { old.remove(); }
  }

  function element(tag, text, css) {
    var el = document.createElement(tag);
    if (text) { el.textContent = text; }
    if (css) { el.style.cssText = css; }
    return el;
  }

  function showOverlay(problems) {
    hideOverlay();
    var box = element("section", "", "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;" +
      "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff5f5;color:#1a1a1a;" +
      "border-top:4px solid #b00020;box-shadow:0 -2px 12px rgba(0,0,0,.25);" +
      "font:14px/1.5 system-ui,sans-serif;text-align:left");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", OVERLAY_ID + "-title");
    var title = element("h2", "Build failed: this is the last good version of the site",
      "margin:0 0 .5rem;font-size:1rem;color:#b00020");
    title.id = OVERLAY_ID + "-title";
    var list = element("ul", "", "margin:0;padding:0;list-style:none");
    problems.forEach(function (p) {
      var item = element("li", "", "margin:.25rem 0");
      item.appendChild(element("code", p.text, "font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap;word-break:break-word"));
      list.appendChild(item);
    });
    var close = element("button", "Hide", "float:right;font:inherit;padding:.1rem .6rem;cursor:pointer");
    close.type = "button";
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(list);
    box.appendChild(element("p", "Fix the files above and save: the page updates by itself.", "margin:.5rem 0 0;color:#555"));
    document.body.appendChild(box);
  }

  function apply(status) {
    if (status.problems.length) {
      showOverlay(status.problems);
      return;
    }
    hideOverlay();
    if (status.ok && generation !== null && status.generation !== generation) { reload(); }
  }

  // Only visible tabs listen: a browser opens at most six connections to one
  // server, and every listening tab holds one. A tab shown again gets the
  // current status at once, and reloads if the site changed meanwhile.
  var events = null;
  function listen() {
    if (events || !window.EventSource) { return; }
    events = new EventSource("/__briefing/events");
    events.addEventListener("status", function (e) {
      try { apply(JSON.parse(e.data)); } catch (err) { /* ignore a malformed message */ }
    });
  }
  function stop() {
    if (events) { events.close(); events = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stop(); } else { listen(); }
  });

  restoreScroll();
  if (!document.hidden) { listen(); }
}());
