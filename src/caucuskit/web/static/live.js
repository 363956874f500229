/* live.js: public pages update themselves without a reload.
 * Polls the page's live part with If-None-Match; the server answers 304 until the public
 * snapshot changes (docs/pages.md). Also shows times in the reader's time zone and filters
 * tables. Plain JavaScript, no library. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");

  function localTimes(root) {
    Array.prototype.forEach.call(root.querySelectorAll("time.localtime"), function (t) {
      var when = t.getAttribute("datetime");
      if (!when) return;
      var d = new Date(when);
      if (isNaN(d.getTime())) return;
      t.textContent = d.toLocaleString([], { month: "short", day: "numeric", hour: "numeric",
        minute: "2-digit", second: "2-digit", timeZoneName: "short" });
      t.title = when;
    });
  }

  // A table wider than the phone: shadow on the right edge and a visible hint, so no column
  // is hidden off-screen without a cue.
  function scrollHints(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-scroll-hint]"), function (box) {
      var hint = box.previousElementSibling;
      var check = function () {
        var more = box.scrollWidth - box.clientWidth > 2;
        var atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 2;
        box.classList.toggle("overflows", more && !atEnd);
        if (hint && hint.classList.contains("scroll-hint")) hint.hidden = !more;
      };
      box.addEventListener("scroll", check, { passive: true });
      window.addEventListener("resize", check);
      check();
    });
  }

  // Sortable tables: each heading is a button; aria-sort says the order. The order chosen is
  // kept when the live part is replaced by newer results.
  var sortState = {};
  function applySort(table, col, asc) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var th = heads[col];
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var num = th.getAttribute("data-sort") === "num";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    rows.sort(function (r1, r2) {
      var a = r1.cells[col].getAttribute("data-key") || r1.cells[col].textContent;
      var c = r2.cells[col].getAttribute("data-key") || r2.cells[col].textContent;
      var d = num ? (parseFloat(a) || 0) - (parseFloat(c) || 0) : a.localeCompare(c);
      return asc ? d : -d;
    });
    rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    sortState[table.id] = { col: col, asc: asc };
  }
  function sortables(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table.sortable"), function (table) {
      var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
      heads.forEach(function (th, col) {
        var b = th.querySelector("button");
        if (!b) return;
        b.addEventListener("click", function () {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          // numbers sort largest first on the first press
          if (th.getAttribute("data-sort") === "num" && !th.hasAttribute("aria-sort")) asc = false;
          applySort(table, col, asc);
        });
      });
      var kept = sortState[table.id];
      if (kept) applySort(table, kept.col, kept.asc);
    });
  }

  function copyLinks(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-copy]"), function (b) {
      b.addEventListener("click", function () {
        var out = b.parentNode.querySelector(".copied");
        var done = function () { if (out) out.textContent = "Link copied."; };
        if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute("data-copy")).then(done, function () {
          if (out) out.textContent = b.getAttribute("data-copy");
        });
        else if (out) out.textContent = b.getAttribute("data-copy");
      });
    });
  }

  function enhance(root) { scrollHints(root); sortables(root); copyLinks(root); }

  function filters(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input[data-filter]"), function (input) {
      var apply = function () {
        var table = document.querySelector(input.getAttribute("data-filter"));
        if (!table) return;
        var q = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
        });
      };
      input.addEventListener("input", apply);
      apply();
    });
  }

  function say(text) { if (status) status.textContent = text; }

  localTimes(document);
  filters(document);
  enhance(document);
  if (!live) return;

  var url = live.getAttribute("data-live");
  var etag = live.getAttribute("data-etag");
  var every = Math.max(1, parseInt(live.getAttribute("data-poll") || "15", 10)) * 1000;
  var failures = 0;

  function keepFilters() {
    var values = {};
    Array.prototype.forEach.call(live.querySelectorAll("input[data-filter]"), function (i) {
      values[i.getAttribute("data-filter")] = i.value;
    });
    return values;
  }

  function poll() {
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, cache: "no-store" }).then(function (res) {
      failures = 0;
      if (res.status === 304) return null;
      if (!res.ok) throw new Error("HTTP " + res.status);
      etag = res.headers.get("ETag") || etag;
      return res.text();
    }).then(function (html) {
      if (html === null || html === undefined) {
        say("Up to date. Checked " + new Date().toLocaleTimeString() + ".");
        return;
      }
      var focused = document.activeElement && live.contains(document.activeElement)
        ? document.activeElement.getAttribute("href") || document.activeElement.getAttribute("data-filter")
        : null;
      var kept = keepFilters();
      live.innerHTML = html;
      Object.keys(kept).forEach(function (sel) {
        var input = live.querySelector('input[data-filter="' + sel + '"]');
        if (input) input.value = kept[sel];
      });
      localTimes(live);
      filters(live);
      enhance(live);
      if (focused) {
        var again = live.querySelector('[href="' + focused + '"], [data-filter="' + focused + '"]');
        if (again) again.focus();
      }
      live.setAttribute("data-etag", etag);
      say("New results arrived at " + new Date().toLocaleTimeString() + ".");
    }).catch(function () {
      failures += 1;
      say("Could not reach the server (" + failures + "×); showing the last results received. Retrying.");
    }).then(function () {
      setTimeout(poll, every * Math.min(4, 1 + failures));
    });
  }
  setTimeout(poll, every);
})();
