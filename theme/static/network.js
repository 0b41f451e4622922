// The network's filter by kind of actor, where JavaScript runs: the page is complete without it.
// Hiding a kind hides its dots, every line that touches one, and its group in the list.
(function () {
  "use strict";
  var box = document.getElementById("network-filter");
  if (!box) return;
  var boxes = Array.prototype.slice.call(box.querySelectorAll("input[type=checkbox]"));
  var nodes = Array.prototype.slice.call(document.querySelectorAll(".network-figure .node"));
  var edges = Array.prototype.slice.call(document.querySelectorAll(".network-figure .edge"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".network-group"));
  var status = box.querySelector(".filter-status");

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var shown = 0;
    nodes.forEach(function (n) {
      var hide = !on[n.getAttribute("data-kind")];
      n.style.display = hide ? "none" : "";
      if (hide) n.setAttribute("tabindex", "-1"); else n.removeAttribute("tabindex");
      if (!hide) shown += 1;
    });
    edges.forEach(function (e) {
      e.style.display = on[e.getAttribute("data-a")] && on[e.getAttribute("data-b")] ? "" : "none";
    });
    groups.forEach(function (g) { g.hidden = !on[g.getAttribute("data-kind")]; });
    status.textContent = shown === nodes.length
      ? "Showing all " + nodes.length + " actors in the drawing"
      : "Showing " + shown + " of " + nodes.length + " actors in the drawing";
  }

  box.hidden = false;
  box.addEventListener("change", apply);
  apply();
})();
