// postmortem-kb: filters for tables marked `pmkb-filterable`. The table reads
// fine without this script; with it, one <select> per filter narrows the rows.
// Values come from the rows' data attributes and are set as text, never as HTML.
(function () {
  "use strict";

  function valuesOf(row, name) {
    var raw = row.getAttribute("data-" + name) || "";
    return raw.split(" ").filter(function (v) { return v !== ""; });
  }

  function setup(table) {
    if (table.getAttribute("data-pmkb-ready")) { return; }
    table.setAttribute("data-pmkb-ready", "1");
    var names = (table.getAttribute("data-pmkb-filters") || "").split(" ").filter(Boolean);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var bar = document.createElement("div");
    bar.className = "pmkb-filters";
    var selects = {};
    names.forEach(function (name) {
      var seen = {};
      rows.forEach(function (row) {
        valuesOf(row, name).forEach(function (v) { seen[v] = true; });
      });
      var label = document.createElement("label");
      label.textContent = name.charAt(0).toUpperCase() + name.slice(1);
      var select = document.createElement("select");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all";
      select.appendChild(all);
      Object.keys(seen).sort().forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v;
        select.appendChild(option);
      });
      select.addEventListener("change", apply);
      label.appendChild(select);
      bar.appendChild(label);
      selects[name] = select;
    });
    var count = document.createElement("span");
    count.className = "pmkb-count";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(count);
    table.parentNode.insertBefore(bar, table);

    // `?pattern=retry-storm` (a pattern page's "all of them" link) preselects a filter
    var query = new URLSearchParams(window.location.search);
    names.forEach(function (name) {
      var wanted = query.get(name);
      var select = selects[name];
      if (wanted !== null && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
        select.value = wanted;
      }
    });

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = names.every(function (name) {
          var wanted = selects[name].value;
          return wanted === "" || valuesOf(row, name).indexOf(wanted) !== -1;
        });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length;
    }
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.pmkb-filterable"), setup);
  }

  // Material's instant navigation swaps pages without a load event
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
