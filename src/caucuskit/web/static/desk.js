/* desk.js: the results desk. What has arrived, what is missing, conflicting, awaiting a second
 * entry or flagged; chair readiness by county; accept/reject with a reason; corrections; the
 * difference between two moments. Talks to /api/v1/desk/* with the desk account (docs/api.md). */
(function () {
  "use strict";
  var E = JSON.parse(document.getElementById("election-data").textContent);
  var U = (E.unit && E.unit.short) || "SDE"; // CCD for Nevada (docs/adr/0011)
  var $ = function (s) { return document.querySelector(s); };
  var esc = Staff.esc;
  // A coin toss names its winner; a Nevada card draw lists the cards (and the derived winners).
  function tossPlain(t) {
    if (!t.cards) return t.winner;
    return Object.keys(t.cards).map(function (g) { return g + " " + t.cards[g]; }).join(" / ") +
      (t.winners ? " (won by " + t.winners.join(", ") + ")" : "");
  }
  function tossText(t) { return esc(tossPlain(t)); }
  var STATE_TEXT = { reported: "Reported", missing: "Missing", conflict: "Conflicting",
    awaiting: "Awaiting second entry", "awaiting-second-entry": "Awaiting second entry", flagged: "Flagged",
    "no-delegates": "No delegates to elect" };

  /** Local time with its zone ("8:42:10 PM CST"), the ISO time in a title for the exact value. */
  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return esc(iso);
    var text = d.toLocaleString([], { month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
      second: "2-digit", timeZoneName: "short" });
    return "<time datetime='" + esc(d.toISOString()) + "'>" + esc(text) + "</time>";
  }
  function nowText() {
    return new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
  }
  function precinctTitle(v) {
    return v.title || ((v.county ? v.county + " County: " : "") + (v.precinct || v.precinct_id));
  }

  Staff.signin(function (user) {
    $("#desk").hidden = false;
    $("#me").textContent = user;
    refresh();
    setInterval(refresh, 15000);
  }, function () {
    return Staff.api("GET", "/api/v1/desk/overview").then(function (x) { return x.ok; });
  });

  $("#refresh").addEventListener("click", refresh);
  $("#f-state").addEventListener("change", loadPrecincts);
  $("#f-county").addEventListener("change", loadPrecincts);

  function refresh() {
    loadOverview();
    loadConflicts();
    loadPrecincts();
    $("#desk-updated").textContent = "Updated " + nowText() + ".";
  }

  function loadOverview() {
    Staff.api("GET", "/api/v1/desk/overview").then(function (x) {
      if (!x.ok) return;
      var p = x.data.precincts || {};
      var items = [["Reported", p.reported], ["Missing", p.missing], ["Conflicting", p.conflict],
        ["Awaiting second entry", p.awaiting_second_entry], ["Flagged", p.flagged], ["Total", p.total],
        ["No delegates to elect (not counted)", p.no_delegates]];
      $("#overview").innerHTML = items.map(function (it) {
        return "<div><dt>" + esc(it[0]) + "</dt><dd><b>" + esc(it[1] === undefined ? "–" : it[1]) + "</b></dd></div>";
      }).join("");
      var r = x.data.readiness || {};
      $("#readiness tbody").innerHTML = (r.counties || []).map(function (c) {
        var all = c.signed_in === c.total;
        return "<tr><th scope='row'>" + esc(c.county) + "</th><td class='num'>" + esc(c.signed_in) +
          (all ? " ✓" : "") + "</td><td class='num'>" + esc(c.total) + "</td></tr>";
      }).join("");
      $("#readiness caption").textContent = "Chairs who signed in before the night: " + (r.signed_in || 0) + " of " + (r.total || 0);
    });
  }

  function loadPrecincts() {
    var q = "?state=" + encodeURIComponent($("#f-state").value) + ($("#f-county").value ? "&county=" + encodeURIComponent($("#f-county").value) : "");
    Staff.api("GET", "/api/v1/desk/precincts" + q).then(function (x) {
      if (!x.ok) return;
      var list = x.data.precincts || [];
      var shown = list.slice(0, 40);
      $("#precincts-cap").textContent = list.length + " precinct(s)" + (list.length > shown.length ? ", first " + shown.length + " shown: filter by county" : "");
      $("#precincts tbody").innerHTML = shown.map(function (p) {
        return "<tr><th scope='row'><a href='#' data-precinct='" + esc(p.id) + "'>" + esc(p.county) + " County: " + esc(p.name) + "</a></th><td>" +
          esc(STATE_TEXT[p.state] || p.state) + "</td><td>" + esc((p.flags || []).join(", ")) + "</td></tr>";
      }).join("");
    });
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("[data-precinct]");
    if (!a) return;
    ev.preventDefault();
    showPrecinct(a.getAttribute("data-precinct"));
  });

  function reportCell(r) {
    if (!r) return "–";
    var line = function (m) { return Object.keys(m || {}).map(function (g) { return esc(g) + " " + esc(m[g]); }).join(", ") || "nobody"; };
    return "N " + esc(r.attendees) + "<br>First: " + line(r.first) + "<br>Final: " + line(r.final) +
      ((r.tosses || []).length ? "<br>Tosses: " + r.tosses.map(tossText).join(", ") : "");
  }

  function sideBySide(v, other, otherLabel) {
    var fields = [];
    var add = function (f, a, b) { fields.push([f, a, b]); };
    var A = v.report || {}, B = (other && other.report) || {};
    add("attendees", A.attendees, B.attendees);
    ["first", "final"].forEach(function (k) {
      var names = {};
      Object.keys(A[k] || {}).concat(Object.keys(B[k] || {})).forEach(function (g) { names[g] = 1; });
      Object.keys(names).sort().forEach(function (g) { add(k + "." + g, (A[k] || {})[g] || 0, (B[k] || {})[g] || 0); });
    });
    add("tosses", (A.tosses || []).map(tossPlain).join(", "), (B.tosses || []).map(tossPlain).join(", "));
    return "<div class='table-scroll' tabindex='0'><table class='results diff'><caption>Side by side</caption><thead><tr><th scope='col'>Field</th>" +
      "<th scope='col' class='num'>This version (" + esc(v.channel) + ", " + esc(v.actor || "") + ")</th><th scope='col' class='num'>" + esc(otherLabel) + "</th></tr></thead><tbody>" +
      fields.map(function (f) {
        var ch = String(f[1]) !== String(f[2]) ? " class='num changed'" : " class='num'";
        return "<tr><th scope='row'" + (String(f[1]) !== String(f[2]) ? " class='changed'" : "") + ">" + esc(f[0]) + "</th><td" + ch + ">" + esc(f[1]) + "</td><td" + ch + ">" + esc(f[2]) + "</td></tr>";
      }).join("") + "</tbody></table></div>";
  }

  function decisionForm(v) {
    var id = v.version_id;
    return "<form class='decide' data-version='" + id + "'><label for='reason-" + id + "'>Reason</label>" +
      "<input id='reason-" + id + "' type='text' required placeholder='e.g. chair confirmed by phone'>" +
      "<div class='actions'><button type='submit' data-action='accept'>Accept version " + id + "</button>" +
      "<button type='submit' class='danger' data-action='reject'>Reject version " + id + "</button></div><div role='alert'></div></form>";
  }

  function loadConflicts() {
    Staff.api("GET", "/api/v1/desk/conflicts").then(function (x) {
      if (!x.ok) return;
      var list = x.data.conflicts || [];
      if (!list.length) { $("#conflicts").innerHTML = "<p class='msg ok'>Nothing waits for a decision.</p>"; return; }
      $("#conflicts").innerHTML = list.map(function (v) {
        var kind = v.kind || v.status;
        var title = kind === "entry-mismatch" ? "Entry mismatch: two operators entered different numbers"
          : kind === "pending-entry-overtaken" ? "A result was accepted while this operator's first entry waited"
          : "Conflict with the current result";
        var mismatch = kind === "entry-mismatch";
        var diff = (mismatch ? v.diff_to_first_entry : v.diff_to_current) || v.diff || [];
        var diffTable = diff.length ? "<div class='table-scroll' tabindex='0'><table class='results diff'><caption>Differences</caption><thead><tr><th scope='col'>Field</th><th scope='col' class='num'>" +
          (mismatch ? "First entry" : "Current result") + "</th><th scope='col' class='num'>" +
          (mismatch ? "Second entry" : "This version") + "</th></tr></thead><tbody>" +
          diff.map(function (d) {
            var a = d.first_entry !== undefined ? d.first_entry : (d.current !== undefined ? d.current : d.before);
            var b = d.second_entry !== undefined ? d.second_entry : (d.version !== undefined ? d.version : d.after);
            return "<tr><th scope='row' class='changed'>" + esc(Words.fieldLabel(d.field)) + "</th><td class='num changed'>" + esc(a) + "</td><td class='num changed'>" + esc(b) + "</td></tr>";
          }).join("") + "</tbody></table></div>" : "";
        return "<article class='panel conflict' data-conflict='" + esc(v.precinct_id) + "'><h3><a href='#' data-precinct='" + esc(v.precinct_id) + "'>" +
          esc(precinctTitle(v)) + "</a></h3><p><b>" + esc(title) + "</b></p><p>Version " + esc(v.version_id) + " (" + esc(v.channel) + ", " + esc(v.actor || "") +
          ", entered " + when(v.entered_at) + ", receipt " + esc(v.receipt) + ")</p>" +
          diffTable + "<p>" + reportCell(v.report) + "</p>" + decisionForm(v) + "</article>";
      }).join("");
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("decide")) return;
    ev.preventDefault();
    var action = ev.submitter ? ev.submitter.getAttribute("data-action") : "accept";
    var id = form.getAttribute("data-version");
    var reason = form.querySelector("input").value.trim();
    var out = form.querySelector("[role='alert']");
    if (!reason) { out.innerHTML = "<p class='msg bad'>Give a reason: it is kept in the audit log.</p>"; return; }
    Staff.api("POST", "/api/v1/desk/versions/" + id + "/" + action, { reason: reason }).then(function (x) {
      if (!x.ok) { out.innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      out.innerHTML = "<p class='msg ok'>Version " + esc(id) + ": " + esc(x.data.status) + ".</p>";
      setTimeout(refresh, 300);
    });
  });

  // Photos need the desk's credentials, so they are fetched here and shown from a blob URL.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button.show-photo") : null;
    if (!btn) return;
    btn.disabled = true;
    fetch(btn.getAttribute("data-url"), { headers: { Authorization: Staff.auth() }, cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.blob(); })
      .then(function (blob) {
        var img = document.createElement("img");
        img.className = "worksheet-photo";
        img.alt = "Photo of the signed paper worksheet sent by the precinct chair";
        img.src = URL.createObjectURL(blob);
        btn.replaceWith(img);
      }).catch(function (e) {
        btn.disabled = false;
        btn.insertAdjacentText("afterend", " Could not load the photo (" + e.message + ").");
      });
  });

  function showPrecinct(id) {
    Staff.api("GET", "/api/v1/desk/precincts/" + encodeURIComponent(id)).then(function (x) {
      var box = $("#precinct-detail");
      if (!x.ok) { box.innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      var p = x.data.precinct, cur = x.data.current;
      box.innerHTML = "<div class='panel'><h3>" + esc(p.county) + " County: " + esc(p.name) + "</h3>" +
        "<p>D = " + esc(p.delegates) + " · worth " + esc(p.sde_value_display) + " " + U + "s · <a href='/results/precinct/" + esc(p.id) + "'>public page</a></p>" +
        (cur ? "<p><b>Current:</b> version " + esc(cur.version_id) + " (" + esc(cur.channel) + ")<br>" + reportCell(cur.report) + "</p>" : "<p>No accepted result.</p>") +
        "<div class='actions'><button type='button' class='secondary' data-correct='" + esc(p.id) + "' data-county='" + esc(p.county_id) + "'>Correct this precinct</button></div>" +
        "<h4>History</h4><ol>" + (x.data.versions || []).map(function (v) {
          var open = v.status === "conflict" || v.status === "entry-mismatch" || v.status === "awaiting-second-entry";
          return "<li>Version " + esc(v.version_id) + ": <b>" + esc(v.status) + "</b> via " + esc(v.channel) + " by " + esc(v.actor || "") +
            " at " + when(v.entered_at) + (v.decisions || []).map(function (d) { return "<br>→ " + esc(d.status) + " by " + esc(d.actor) + " at " + when(d.at) + ": " + esc(d.reason); }).join("") +
            (v.photos || []).map(function (ph) {
              return "<br>Photo of the signed worksheet (" + Math.max(1, Math.round(ph.bytes / 1024)) + " KiB, " + esc(ph.content_type) +
                ") <button type='button' class='secondary show-photo' data-url='" + esc(ph.url) + "'>Show the photo</button>";
            }).join("") +
            (open && cur && v.version_id !== cur.version_id ? sideBySide(v, cur, "Current") : "") +
            (open ? decisionForm(v) : "") + "</li>";
        }).join("") + "</ol></div>";
    });
  }

  // ---- corrections: pre-filled with the current numbers; the effect is shown before saving
  // (POST /api/v1/desk/preview stores nothing); then a confirm step saves it.
  Staff.loadPrecincts($("#x-county"), $("#x-precinct"));
  $("#x-table tbody").innerHTML = E.candidates.map(function (g) {
    var id = g.replace(/[^A-Za-z0-9]/g, "_");
    return "<tr><th scope='row'>" + esc(g) + "</th><td class='num'><input type='number' min='0' inputmode='numeric' id='x1-" + id + "' data-which='first' data-group='" + esc(g) +
      "' aria-label='" + esc(g) + " first alignment'></td><td class='num'><input type='number' min='0' inputmode='numeric' id='x2-" + id + "' data-which='final' data-group='" + esc(g) + "' aria-label='" + esc(g) + " final alignment'></td></tr>";
  }).join("");
  var fixTies = TieInput.create($("#x-ties"), { groups: E.candidates, id: "x-tie",
    onChange: function () { unconfirm(); liveTie(); } });
  var previewed = null;
  function unconfirm() {
    previewed = null;
    $("#x-effect").innerHTML = "";
    $("#x-save").hidden = true;
  }
  var fixDelegates = null;  // D of the chosen precinct (public document), for the live tie check
  $("#fix-form").addEventListener("input", function (ev) {
    if (ev.target.id === "x-reason" || (ev.target.closest && ev.target.closest("#x-ties"))) return;
    unconfirm();
    liveTie();
  });
  /** A game of chance the corrected counts need (CaucusMath, the port of the core): the tie
   * input asks for its winner(s), one or several, tie after tie. */
  function liveTie() {
    var n = Number($("#x-attendees").value || 0);
    if (!E.rules || fixDelegates === null || !n) { fixTies.pending(null); return; }
    var out = CaucusMath.compute(E.rules, { delegates: fixDelegates, attendees: n, first: fixCounts("first"),
      final: fixCounts("final"), toss_winners: fixTies.winners() }, E.candidates);
    fixTies.pending(out.ok ? out.result.pending_tie || null : null);
  }
  $("#x-precinct").addEventListener("change", function () { prefill($("#x-precinct").value); });
  function fixCounts(which) {
    var m = {};
    Array.prototype.forEach.call(document.querySelectorAll("#x-table input[data-which='" + which + "']"), function (i) {
      if (i.value !== "" && Number(i.value)) m[i.getAttribute("data-group")] = Number(i.value);
    });
    return m;
  }
  function prefill(id) {
    unconfirm();
    if (!id) return;
    Staff.api("GET", "/api/v1/desk/precincts/" + encodeURIComponent(id)).then(function (x) {
      if (!x.ok) return;
      var cur = x.data.current, r = cur ? cur.report : { attendees: "", first: {}, final: {}, tosses: [] };
      $("#x-attendees").value = r.attendees;
      Array.prototype.forEach.call(document.querySelectorAll("#x-table input"), function (i) {
        var v = (r[i.getAttribute("data-which")] || {})[i.getAttribute("data-group")];
        i.value = v === undefined ? "" : v;
      });
      fixTies.set(r.tosses || []);
      var d = x.data.precinct.delegates;
      fixDelegates = x.data.precinct.satellite || d === null || d === undefined ? null : d;
      liveTie();
      $("#x-current").textContent = cur ? "Pre-filled with the current result (version " + cur.version_id + ", " + cur.channel + "). Change what the recanvass or recount found."
        : "This precinct has no accepted result yet.";
    });
  }
  function fixBody() {
    var body = { precinct_id: $("#x-precinct").value, channel: $("#x-channel").value, reason: $("#x-reason").value.trim(),
      attendees: Number($("#x-attendees").value || 0), first: fixCounts("first"), final: fixCounts("final") };
    var t = fixTies.tosses();
    if (t.length) body.tosses = t;
    return body;
  }
  function line(m) { return Object.keys(m || {}).map(function (c) { return esc(c) + " " + esc(m[c]); }).join(", ") || "none"; }
  function signed(m) {
    return Object.keys(m || {}).map(function (c) { var v = String(m[c]); return esc(c) + " " + (v.charAt(0) === "-" ? "−" + esc(v.slice(1)) : "+" + esc(v)); }).join(", ") || "no change";
  }
  $("#fix-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = $("#x-msg");
    if (!$("#x-precinct").value || !$("#x-reason").value.trim()) {
      out.innerHTML = "<p class='msg bad'>Choose the precinct and give the reason.</p>"; return;
    }
    out.innerHTML = "";
    var body = fixBody();
    Staff.api("POST", "/api/v1/desk/preview", body).then(function (x) {
      if (!x.ok) { out.innerHTML = "<div class='msg bad'><p>This correction would be refused:</p>" + Staff.problems(x.data) + "</div>"; return; }
      var p = x.data, before = p.before || {};
      previewed = JSON.stringify(body);
      var left = (p.after.people_left && Object.keys(p.after.people_left).length) ? "<p class='msg warn'>" + esc(Words.leftWords(p.after.people_left)) +
        " left a viable group between the alignments (accepted: they went home; they stay in N). Check it with the chair.</p>" : "";
      $("#x-effect").innerHTML = "<div class='panel' id='x-effect-panel'><h3>What this " + esc(body.channel) + " changes</h3>" +
        "<p class='sub'>Not saved yet.</p><dl class='effect'>" +
        [["Precinct delegates", before.delegates, p.after.delegates], ["Precinct " + U + "s", before.sde_display, p.after.sde_display],
          ["National delegates (statewide)", p.national_before, p.national_after]].map(function (r) {
          return "<div><dt>" + esc(r[0]) + "</dt><dd>Now: " + line(r[1]) + "</dd><dd>After: <b>" + line(r[2]) + "</b></dd></div>";
        }).join("") +
        "</dl><p>Statewide " + U + " change: <b>" + signed(p.statewide_sde_delta_display) + "</b>. National delegates change: <b>" +
        signed(p.national_delta) + "</b>.</p>" + left + "</div>";
      $("#x-save").hidden = false;
      $("#x-save").focus();
    });
  });
  $("#x-save").addEventListener("click", function () {
    var out = $("#x-msg");
    var body = fixBody();
    if (previewed !== JSON.stringify(body)) { unconfirm(); out.innerHTML = "<p class='msg bad'>The form changed: show the effect again.</p>"; return; }
    $("#x-save").disabled = true;
    Staff.api("POST", "/api/v1/desk/recanvass", body, { "Idempotency-Key": "fix-" + Date.now() }).then(function (x) {
      $("#x-save").disabled = false;
      if (!x.ok) { out.innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      unconfirm();
      out.innerHTML = "<p class='msg ok'>Saved: receipt <span class='receipt-inline'>" + esc(x.data.receipt) + "</span>; this is now the precinct's result.</p>";
      refresh();
    });
  });
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("[data-correct]") : null;
    if (!b) return;
    var id = b.getAttribute("data-correct");
    $("#x-county").value = b.getAttribute("data-county");
    $("#x-county").dispatchEvent(new Event("change"));
    $("#x-precinct").addEventListener("precincts-loaded", function once() {
      $("#x-precinct").removeEventListener("precincts-loaded", once);
      $("#x-precinct").value = id;
      prefill(id);
      $("#fix-form").scrollIntoView();
    });
  });

  // ---- the difference between two moments
  try { $("#d-zone").textContent = ", " + Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* no Intl */ }
  function iso(local) { return local ? new Date(local).toISOString() : ""; }
  $("#diff-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var from = iso($("#d-from").value), to = iso($("#d-to").value);
    if (!from) { $("#diff").innerHTML = "<p class='msg bad'>Choose the first moment.</p>"; return; }
    Staff.api("GET", "/api/v1/desk/diff?from=" + encodeURIComponent(from) + (to ? "&to=" + encodeURIComponent(to) : "")).then(function (x) {
      if (!x.ok) { $("#diff").innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      var d = x.data, rows = d.changed || [];
      var delta = function (m) { return Object.keys(m || {}).map(function (c) { return esc(c) + " " + esc(m[c]); }).join(", ") || "–"; };
      $("#diff").innerHTML = "<p>" + rows.length + " precinct(s) changed. Statewide " + U + " change: " + delta(d.sde_delta_display) +
        ". National delegates change: " + delta(d.national_delta) + ".</p>" +
        "<div class='table-scroll' tabindex='0'><table class='results'><caption>Changes from " + esc(d.from) + " to " + esc(d.to) + "</caption>" +
        "<thead><tr><th scope='col'>Precinct</th><th scope='col'>Before</th><th scope='col'>After</th><th scope='col'>" + U + " change</th></tr></thead><tbody>" +
        rows.map(function (r) {
          return "<tr><th scope='row'>" + esc(r.county) + " County: " + esc(r.precinct) + "</th><td>" + (r.before ? delta(r.before.sde_display) : "no result") +
            "</td><td>" + (r.after ? delta(r.after.sde_display) : "no result") + "</td><td>" + delta(r.sde_delta_display) + "</td></tr>";
        }).join("") + "</tbody></table></div>";
    });
  });
})();
