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
        minute: "2-digit", second: "2-digit" });
      t.title = when;
    });
  }

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
