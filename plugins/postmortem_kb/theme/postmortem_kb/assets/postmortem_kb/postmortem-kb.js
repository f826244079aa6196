// postmortem-kb: run `init` on every page shown, including the pages Material's instant
// navigation swaps in without a load event.
function pmkbOnEveryPage(init) {
  "use strict";
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}

// postmortem-kb: filters for tables marked `pmkb-filterable`. The table reads
// fine without this script; with it, one <select> per filter narrows the rows, and the
// page's URL carries the filters chosen (`?name=value`, the names of data-pmkb-filters).
// Values come from the rows' data attributes; an option shows the value's label from the
// table's `data-pmkb-labels` (a pattern's title for its id), else the value itself.
// Both are set as text, never as HTML. A group's heading row (`tr.pmkb-group`, the action
// items' incident) is not filtered: its group is hidden when none of its rows is shown.
(function () {
  "use strict";

  function valuesOf(row, name) {
    var raw = row.getAttribute("data-" + name) || "";
    return raw.split(" ").filter(function (v) { return v !== ""; });
  }

  function labelsOf(table) {
    try {
      var parsed = JSON.parse(table.getAttribute("data-pmkb-labels") || "{}");
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  function setup(table) {
    if (table.getAttribute("data-pmkb-ready")) { return; }
    table.setAttribute("data-pmkb-ready", "1");
    var names = (table.getAttribute("data-pmkb-filters") || "").split(" ").filter(Boolean);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr:not(.pmkb-group)"));
    var groups = Array.prototype.filter.call(table.tBodies, function (body) {
      return body.querySelector("tr.pmkb-group") !== null;
    });
    var labels = labelsOf(table);
    // a table in groups (the action items, by incident) names each group in its heading
    // row: the options of the filter its rows share (data-pmkb-group) are the headings,
    // "date — title", in the table's order, rather than a second copy of them in the JSON
    var grouped = table.getAttribute("data-pmkb-group");
    if (grouped && !labels[grouped]) {
      labels[grouped] = groups.map(function (body) {
        var first = body.querySelector("tr:not(.pmkb-group)");
        var head = body.querySelector("tr.pmkb-group");
        var link = head.querySelector("a");
        var date = head.querySelector("[data-pmkb-date]");
        var title = link ? link.textContent : head.textContent;
        var when = date ? date.getAttribute("data-pmkb-date") : "";
        return [first ? first.getAttribute("data-" + grouped) : "", when ? when + " \u2014 " + title : title];
      }).filter(function (pair) { return pair[0] !== ""; });
    }
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
      // labels as [value, label] pairs are shown in their order (the incident filter:
      // newest first); as an object, sorted by label, numbers in them by value
      var given = labels[name];
      var ordered = [];
      var named = {};
      if (Array.isArray(given)) {
        given.forEach(function (pair) {
          if (!Array.isArray(pair) || pair.length !== 2) { return; }
          var v = String(pair[0]);
          if (seen[v] === true && !Object.prototype.hasOwnProperty.call(named, v)) {
            named[v] = String(pair[1]);
            ordered.push({ value: v, label: named[v] });
          }
        });
      } else if (given && typeof given === "object") {
        Object.keys(given).forEach(function (v) { named[v] = String(given[v]); });
      }
      var inOrder = {};
      ordered.forEach(function (o) { inOrder[o.value] = true; });
      var rest = Object.keys(seen).filter(function (v) {
        return inOrder[v] !== true;  // a lookup: the incident filter has an option per incident
      }).map(function (v) {
        var label = Object.prototype.hasOwnProperty.call(named, v) ? named[v] : v;
        return { value: v, label: label };
      });
      rest.sort(function (a, b) {
        return a.label.localeCompare(b.label, undefined, { numeric: true }) ||
          (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
      });
      var options = ordered.concat(rest);
      options.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o.value;
        option.textContent = o.label;
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        if (notice) { notice.remove(); notice = null; }
        apply();
        share();
      });
      label.appendChild(select);
      bar.appendChild(label);
      selects[name] = select;
    });
    var count = document.createElement("span");
    count.className = "pmkb-count";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(count);
    // above the table's scrolling box: the filters stay in view when the table scrolls
    var box = table.closest(".md-typeset__scrollwrap") || table;
    box.parentNode.insertBefore(bar, box);

    // `?pattern=retry-storm` (a pattern page's "all of them" link) or `?incident=<id>` (an
    // incident page's action items) preselects a filter. Spaces match whatever spaces the
    // value has (an owner's are non-breaking: one filter value). A value no option has
    // filters nothing, and a notice above the table says so.
    var query = new URLSearchParams(window.location.search);
    var unknown = [];
    function spaced(text) { return text.split(/\s+/).filter(Boolean).join(" "); }
    names.forEach(function (name) {
      var wanted = query.get(name);
      var select = selects[name];
      if (wanted === null || wanted === "") { return; }
      var found = Array.prototype.filter.call(select.options, function (o) {
        return o.value !== "" && spaced(o.value) === spaced(wanted);
      })[0];
      if (found) { select.value = found.value; } else { unknown.push([name, wanted]); }
    });
    var notice = null;
    if (unknown.length) {
      notice = document.createElement("p");
      notice.className = "pmkb-filter-notice";
      notice.setAttribute("role", "status");
      notice.textContent = unknown.map(function (u) {
        return "No " + u[0] + " \u2018" + u[1] + "\u2019 here";
      }).join("; ") + "; showing all.";
      bar.parentNode.insertBefore(notice, bar.nextSibling);
    }

    // the filters chosen are the page's query (`?severity=P1&service=api`), so a filtered
    // view can be shared or bookmarked; replaceState: choosing a filter adds no history step.
    // Other parameters and the #fragment stay as they were.
    function share() {
      if (!window.history || typeof window.history.replaceState !== "function") { return; }
      var params = new URLSearchParams(window.location.search);
      names.forEach(function (name) {
        var value = selects[name].value;
        if (value === "") { params.delete(name); } else { params.set(name, value); }
      });
      var search = params.toString();
      var url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
      window.history.replaceState(window.history.state, "", url);
    }

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
      groups.forEach(function (body) {
        body.hidden = body.querySelector("tr:not(.pmkb-group):not([hidden])") === null;
      });
      count.textContent = shown + " of " + rows.length;
    }
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.pmkb-filterable"), setup);
  }

  pmkbOnEveryPage(init);
})();

// postmortem-kb: pan, zoom, neighbour highlighting and kind filters for the graph page.
// The page's SVG is complete without this script (every node is a link); this only adds
// interaction. Project-written; reads nothing but the SVG's own data attributes.
(function () {
  "use strict";

  var KINDS = ["pattern", "service", "incident"];

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function setup(box) {
    if (box.getAttribute("data-pmkb-ready")) { return; }
    box.setAttribute("data-pmkb-ready", "1");
    var svg = box.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) { return; }
    box.classList.add("pmkb-graph-live");
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, w: base.width, h: base.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };

    var nodes = {};
    Array.prototype.forEach.call(svg.querySelectorAll("[data-node]"), function (n) {
      nodes[n.getAttribute("data-node")] = { el: n, edges: [], label: null };
    });
    // labels are drawn in a layer of their own, after every node: each is its node's
    Array.prototype.forEach.call(svg.querySelectorAll("[data-label]"), function (l) {
      var n = nodes[l.getAttribute("data-label")];
      if (n) { n.label = l; }
    });
    var edges = Array.prototype.slice.call(svg.querySelectorAll("line[data-a]"));
    edges.forEach(function (e) {
      var a = nodes[e.getAttribute("data-a")], b = nodes[e.getAttribute("data-b")];
      if (a) { a.edges.push(e); }
      if (b) { b.edges.push(e); }
    });

    function draw() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
      fitLabels();
    }

    // Labels keep a readable size however small the drawing is shown (a phone): scaled up
    // so that a pattern's is LABEL_PX CSS pixels tall at least, from the side touching
    // their node (the stylesheet); then, in order of importance (the labels' order), a
    // label that would cover a kept label or another node's shape (a pattern's or
    // service's label may cover incidents' dots, as the page placed it), or be cut at the
    // drawing's edge, is hidden.
    var LABEL_PX = 9;
    var labels = Array.prototype.slice.call(svg.querySelectorAll("[data-label]"));
    var shown = { scale: 0, width: 0 };
    function fitLabels(force) {
      var r = svg.getBoundingClientRect();
      if (!r.width) { return; }
      var scale = Math.min(3, Math.max(1, LABEL_PX / (13 * r.width / view.w)));
      scale = Math.round(scale * 20) / 20;
      if (!force && scale === shown.scale && r.width === shown.width) { return; }
      shown = { scale: scale, width: r.width };
      svg.style.setProperty("--pmkb-label-scale", String(scale));
      labels.forEach(function (l) { l.classList.remove("pmkb-crowded"); });
      if (scale === 1) { return; }  // the page placed them clear of each other at this size
      var shapes = Object.keys(nodes).filter(function (key) {
        return !nodes[key].el.classList.contains("pmkb-off");
      }).map(function (key) {
        var shape = nodes[key].el.querySelector("rect, polygon, circle");
        return {
          key: key,
          hub: !nodes[key].el.classList.contains("pmkb-node-incident"),
          box: shape ? shape.getBoundingClientRect() : null
        };
      });
      var kept = [];
      function hits(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      }
      labels.forEach(function (l) {
        if (l.classList.contains("pmkb-off")) { return; }
        var box = l.getBoundingClientRect();
        var own = l.getAttribute("data-label");
        var hubLabel = !l.classList.contains("pmkb-label-incident");
        var cut = box.left < r.left || box.right > r.right || box.top < r.top || box.bottom > r.bottom;
        var crowded = cut || kept.some(function (k) { return hits(box, k); }) ||
          shapes.some(function (s) {
            return s.key !== own && s.box && (s.hub || !hubLabel) && hits(box, s.box);
          });
        if (crowded) { l.classList.add("pmkb-crowded"); } else { kept.push(box); }
      });
    }
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(function () { fitLabels(); }).observe(svg);
    } else {
      window.addEventListener("resize", function () { fitLabels(); });
    }

    function zoom(factor, cx, cy) {
      var w = Math.min(home.w * 4, Math.max(home.w / 20, view.w / factor));
      var h = w * home.h / home.w;
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      view.x = cx - (cx - view.x) * (w / view.w);
      view.y = cy - (cy - view.y) * (h / view.h);
      view.w = w;
      view.h = h;
      draw();
    }

    function toSvg(evt) {
      var r = svg.getBoundingClientRect();
      return {
        x: view.x + (evt.clientX - r.left) / r.width * view.w,
        y: view.y + (evt.clientY - r.top) / r.height * view.h
      };
    }

    // ctrl/⌘ + wheel (and trackpad pinch) zooms; a plain wheel keeps scrolling the page
    svg.addEventListener("wheel", function (evt) {
      if (!evt.ctrlKey && !evt.metaKey) { return; }
      evt.preventDefault();
      var p = toSvg(evt);
      zoom(evt.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
    }, { passive: false });

    var drag = null;
    var moved = false;
    svg.addEventListener("pointerdown", function (evt) {
      if (evt.button !== 0) { return; }
      drag = { x: evt.clientX, y: evt.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    svg.addEventListener("pointermove", function (evt) {
      if (!drag) { return; }
      var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!moved) { svg.setPointerCapture(evt.pointerId); box.classList.add("pmkb-panning"); }
      moved = true;
      var r = svg.getBoundingClientRect();
      view.x = drag.vx - dx / r.width * view.w;
      view.y = drag.vy - dy / r.height * view.h;
      draw();
    });
    function endDrag() {
      if (drag && moved) { fitLabels(true); }
      drag = null;
      box.classList.remove("pmkb-panning");
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    // a drag that ends on a node must not open its page
    svg.addEventListener("click", function (evt) {
      if (moved) { evt.preventDefault(); moved = false; }
    }, true);

    function mark(n) {
      n.el.classList.add("pmkb-hl");
      if (n.label) { n.label.classList.add("pmkb-hl"); }
    }
    function highlight(key) {
      var n = nodes[key];
      if (!n) { return; }
      svg.classList.add("pmkb-dim");
      mark(n);
      n.edges.forEach(function (e) {
        e.classList.add("pmkb-hl");
        var other = e.getAttribute("data-a") === key ? e.getAttribute("data-b") : e.getAttribute("data-a");
        if (nodes[other]) { mark(nodes[other]); }
      });
    }
    function clear() {
      svg.classList.remove("pmkb-dim");
      Array.prototype.forEach.call(svg.querySelectorAll(".pmkb-hl"), function (el) {
        el.classList.remove("pmkb-hl");
      });
    }
    Object.keys(nodes).forEach(function (key) {
      var el = nodes[key].el;
      el.addEventListener("mouseenter", function () { highlight(key); });
      el.addEventListener("mouseleave", clear);
      el.addEventListener("focus", function () { highlight(key); });
      el.addEventListener("blur", clear);
      if (nodes[key].label) {
        nodes[key].label.addEventListener("mouseenter", function () { highlight(key); });
        nodes[key].label.addEventListener("mouseleave", clear);
      }
    });

    var hidden = {};
    function filter() {
      Object.keys(nodes).forEach(function (key) {
        var el = nodes[key].el;
        var off = !!hidden[el.getAttribute("data-kind")];
        el.classList.toggle("pmkb-off", off);
        if (nodes[key].label) { nodes[key].label.classList.toggle("pmkb-off", off); }
      });
      fitLabels(true);
      edges.forEach(function (e) {
        var a = nodes[e.getAttribute("data-a")], b = nodes[e.getAttribute("data-b")];
        var off = (a && a.el.classList.contains("pmkb-off")) || (b && b.el.classList.contains("pmkb-off"));
        e.classList.toggle("pmkb-off", !!off);
      });
    }

    var bar = document.createElement("div");
    bar.className = "pmkb-graph-bar";
    bar.appendChild(button("+", "Zoom in", function () { zoom(1.25); }));
    bar.appendChild(button("−", "Zoom out", function () { zoom(1 / 1.25); }));
    bar.appendChild(button("Reset", "Reset the view", function () {
      view = { x: home.x, y: home.y, w: home.w, h: home.h };
      draw();
    }));
    KINDS.forEach(function (kind) {
      var label = document.createElement("label");
      var check = document.createElement("input");
      check.type = "checkbox";
      check.checked = true;
      check.addEventListener("change", function () { hidden[kind] = !check.checked; filter(); });
      label.appendChild(check);
      label.appendChild(document.createTextNode(" " + kind.charAt(0).toUpperCase() + kind.slice(1) + "s"));
      bar.appendChild(label);
    });
    var hint = document.createElement("span");
    hint.textContent = "Drag to pan; Ctrl + wheel or pinch to zoom.";
    bar.appendChild(hint);
    box.parentNode.insertBefore(bar, box);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".pmkb-graph"), setup);
  }

  pmkbOnEveryPage(init);
})();

// postmortem-kb: the search dialog needs an accessible name (axe-core rule aria-dialog-name);
// Material's search box has role="dialog" but no label.
(function () {
  "use strict";
  document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
    if (!dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Search");
    }
  });
})();
