// Search: a query in the address (?q=words) fills Pagefind's search box, and the address
// follows what is typed, so a search can be shared and Back returns to it.
(function () {
  "use strict";
  var host = document.querySelector("pagefind-input");
  if (!host || !window.URLSearchParams || !window.history.replaceState) return;
  var wanted = new URLSearchParams(location.search).get("q") || "";

  function input() { return host.querySelector("input"); }

  function whenReady(fn, tries) {
    if (input()) return fn(input());
    if (tries > 0) setTimeout(function () { whenReady(fn, tries - 1); }, 50);
  }

  whenReady(function (field) {
    if (wanted) {
      field.value = wanted;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    field.addEventListener("input", function () {
      var url = new URL(location.href);
      if (field.value) url.searchParams.set("q", field.value); else url.searchParams.delete("q");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
    });
  }, 100);
})();
