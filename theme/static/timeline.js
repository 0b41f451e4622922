// The timeline's filter, nicer with JavaScript: one checkbox per kind, several kinds at once,
// and a count of what shows. Without JavaScript the links to #only-<kind> filter through CSS.
(function () {
  "use strict";
  var nav = document.querySelector("nav.filters[data-filter-for]");
  var list = document.getElementById(nav ? nav.getAttribute("data-filter-for") : "");
  if (!nav || !list) return;
  var entries = Array.prototype.slice.call(list.querySelectorAll(".timeline > li"));
  var kindOf = function (li) { return (li.className.match(/\bk-([a-z]+)/) || [])[1]; };

  var box = document.createElement("fieldset");
  box.className = "filters";
  var legend = document.createElement("legend");
  legend.className = "label";
  legend.textContent = "Show";
  box.appendChild(legend);
  var boxes = [];
  nav.querySelectorAll("li[class^='f-'] a").forEach(function (a) {
    var kind = a.getAttribute("href").replace("#only-", "");
    var label = document.createElement("label");
    label.className = "f-" + kind;
    var input = document.createElement("input");
    input.type = "checkbox";
    input.value = kind;
    input.checked = true;
    label.appendChild(input);
    label.insertAdjacentHTML("beforeend", a.innerHTML);
    box.appendChild(label);
    boxes.push(input);
  });
  var status = document.createElement("p");
  status.className = "filter-status";
  status.setAttribute("role", "status");
  box.appendChild(status);

  // The CSS filter keys on these anchors; with the checkboxes in charge they must not match.
  document.querySelectorAll("span[id^='only-']").forEach(function (s) { s.remove(); });
  nav.replaceWith(box);

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var shown = 0;
    entries.forEach(function (li) {
      li.hidden = !on[kindOf(li)];
      if (!li.hidden) shown += 1;
    });
    list.querySelectorAll(".tl-month, .tl-year").forEach(function (group) {
      group.hidden = !group.querySelector(".timeline > li:not([hidden])");
    });
    status.textContent = shown === entries.length
      ? "Showing all " + entries.length + " entries"
      : "Showing " + shown + " of " + entries.length + " entries";
  }

  function fromHash() {
    var m = location.hash.match(/^#only-([a-z]+)$/);
    if (!m) return;
    boxes.forEach(function (b) { b.checked = b.value === m[1]; });
    apply();
  }

  box.addEventListener("change", apply);
  window.addEventListener("hashchange", fromHash);
  apply();
  fromHash();
})();
