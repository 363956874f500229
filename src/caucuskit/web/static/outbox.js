/* outbox.js: reports that must reach the server, kept on the device until acknowledged.
 *
 * Every report gets an Idempotency-Key when it is made; it is stored in localStorage and resent
 * with the same key until the server answers (2xx: acknowledged; a 4xx that retrying cannot fix:
 * refused, with the server's reasons). The server stores one version per key, so a report sent
 * twice (answer lost on a bad signal) is counted once. See docs/pages.md.
 */
(function (root) {
  "use strict";
  var KEY = "caucuskit.outbox.v1";
  var RETRY_MS = 5000;
  var listeners = [];
  var sending = {};
  var timer = null;

  function load() {
    try { return JSON.parse(root.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    root.localStorage.setItem(KEY, JSON.stringify(items));
    listeners.forEach(function (fn) { try { fn(items); } catch (e) { /* keep going */ } });
  }
  function update(id, change) {
    var items = load();
    items.forEach(function (it) { if (it.id === id) Object.assign(it, change); });
    save(items);
    return items.filter(function (it) { return it.id === id; })[0];
  }
  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = new Uint8Array(16);
    root.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function now() { return new Date().toISOString(); }

  // Retrying cannot fix these: the chair must change something (wrong code, bad counts...).
  function isFinalRefusal(status) { return status >= 400 && status < 500 && status !== 408 && status !== 429; }

  function send(item) {
    if (sending[item.id]) return Promise.resolve();
    sending[item.id] = true;
    update(item.id, { state: "sending", attempts: (item.attempts || 0) + 1, last_attempt: now() });
    var headers = { "Content-Type": "application/json", "Idempotency-Key": item.key };
    Object.keys(item.headers || {}).forEach(function (h) { headers[h] = item.headers[h]; });
    return fetch(item.url, { method: "POST", headers: headers, body: JSON.stringify(item.body),
      cache: "no-store" })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (res.ok) {
            update(item.id, { state: "acknowledged", acknowledged_at: now(), http_status: res.status,
              answer: data, last_error: null });
          } else if (isFinalRefusal(res.status)) {
            update(item.id, { state: "refused", http_status: res.status, answer: data,
              last_error: (data && data.message) || ("HTTP " + res.status) });
          } else {
            update(item.id, { state: "queued", http_status: res.status,
              last_error: "the server could not take it yet (HTTP " + res.status + ")" });
          }
        });
      })
      .catch(function () {
        update(item.id, { state: "queued", last_error: root.navigator.onLine === false
          ? "this phone is offline" : "no answer from the server (no signal?)" });
      })
      .then(function () { delete sending[item.id]; schedule(); });
  }

  function pending() {
    return load().filter(function (it) { return it.state === "queued" || it.state === "sending"; });
  }

  function flush() {
    var items = pending();
    // One at a time, oldest first: a later report must not overtake an earlier one.
    var chain = Promise.resolve();
    items.forEach(function (it) {
      chain = chain.then(function () {
        var fresh = load().filter(function (x) { return x.id === it.id; })[0];
        if (fresh && (fresh.state === "queued" || fresh.state === "sending") && !fresh.blocked_by) {
          return send(fresh);
        }
        return null;
      });
    });
    return chain;
  }

  function schedule() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (pending().length) timer = setTimeout(function () { timer = null; flush(); }, RETRY_MS);
  }

  var Outbox = {
    /** Queue a POST; returns the stored item. `meta` is shown to the person (label, precinct).
     *  `extra.blocked_by` (an item id) holds it back until the caller clears it (and sets `url`);
     *  throws (nothing stored) when the device's storage is full. */
    add: function (url, body, meta, headers, extra) {
      var item = Object.assign({ id: newKey(), key: newKey(), url: url, body: body,
        headers: headers || {}, created_at: now(), state: "queued", attempts: 0,
        meta: meta || {} }, extra || {});
      var items = load();
      items.push(item);
      save(items);
      flush();
      return item;
    },
    all: load,
    pending: pending,
    flush: flush,
    update: update,
    remove: function (id) { save(load().filter(function (it) { return it.id !== id; })); },
    onChange: function (fn) { listeners.push(fn); },
  };

  root.addEventListener("online", function () { flush(); });
  root.addEventListener("storage", function (e) {
    if (e.key !== KEY) return;
    var items = load();
    listeners.forEach(function (fn) { try { fn(items); } catch (err) { /* keep going */ } });
  });
  setTimeout(flush, 0);
  root.Outbox = Outbox;
})(window);
