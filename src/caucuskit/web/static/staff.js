/* staff.js: shared by the hotline console and the results desk.
 * Staff sign in with their account; the browser keeps the credentials for this tab only
 * (sessionStorage) and sends them as HTTP Basic on each API call (docs/api.md). */
(function (root) {
  "use strict";
  var KEY = "caucuskit.staff.v1";
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function creds() { try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; } }
  function auth() {
    var c = creds();
    return c ? "Basic " + btoa(unescape(encodeURIComponent(c.user + ":" + c.pass))) : "";
  }
  function api(method, url, body, extra) {
    var headers = { Authorization: auth() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return fetch(url, { method: method, headers: headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      return res.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        return { status: res.status, ok: res.ok, data: data || {} };
      });
    });
  }
  function problems(data) {
    var list = (data && data.problems) || [];
    if (!list.length) return "<p>" + esc((data && data.message) || "Refused") + "</p>";
    if (root.Words) return root.Words.problemsHtml(list);  // plain words; rule and field behind "why?"
    return "<ul class='problems'>" + list.map(function (p) {
      return "<li>" + esc(p.message) + " <span class='sub'>(" + esc(p.field) + ")</span></li>";
    }).join("") + "</ul>";
  }
  function loadPrecincts(countySel, precinctSel) {
    countySel.addEventListener("change", function () {
      precinctSel.disabled = true;
      if (!countySel.value) { precinctSel.innerHTML = "<option value=''>Choose the county first</option>"; return; }
      precinctSel.innerHTML = "<option value=''>Loading…</option>";
      fetch("/api/v1/public/counties/" + encodeURIComponent(countySel.value)).then(function (r) { return r.json(); })
        .then(function (doc) {
          precinctSel.innerHTML = "<option value=''>Choose…</option>" + (doc.children || []).map(function (p) {
            return "<option value='" + esc(p.id) + "'>" + esc(p.name) + "</option>";
          }).join("");
          precinctSel.disabled = false;
          precinctSel.dispatchEvent(new Event("precincts-loaded"));
        });
    });
  }
  /** Wire the sign-in form; `check(done)` verifies the account (optional); `ready()` shows the app. */
  function signin(ready, check) {
    var form = document.getElementById("staff-signin");
    var show = function () {
      form.hidden = true;
      ready(creds().user);
    };
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var user = document.getElementById("staff-user").value.trim();
      var pass = document.getElementById("staff-pass").value;
      if (!user || !pass) return;
      sessionStorage.setItem(KEY, JSON.stringify({ user: user, pass: pass }));
      if (!check) { show(); return; }
      check().then(function (ok) {
        if (ok) show();
        else {
          sessionStorage.removeItem(KEY);
          document.getElementById("staff-msg").innerHTML = "<p class='msg bad'>Wrong user name or password, or this account may not use this page.</p>";
        }
      });
    });
    var out = document.getElementById("staff-out");
    if (out) out.addEventListener("click", function () { sessionStorage.removeItem(KEY); location.reload(); });
    if (creds()) {
      // Kept from an earlier sign-in in this tab: check it again (an operator's account must
      // not open the desk).
      if (!check) show();
      else check().then(function (ok) { if (ok) show(); else sessionStorage.removeItem(KEY); });
    }
  }
  root.Staff = { api: api, auth: auth, esc: esc, problems: problems, signin: signin, loadPrecincts: loadPrecincts,
    signOut: function () { sessionStorage.removeItem(KEY); } };
})(window);
