/* desk.js: the results desk. What has arrived, what is missing, conflicting, awaiting a second
 * entry or flagged; chair readiness by county; accept/reject with a reason; corrections; the
 * difference between two moments. Talks to /api/v1/desk/* with the desk account (docs/api.md). */
(function () {
  "use strict";
  var E = JSON.parse(document.getElementById("election-data").textContent);
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
    $("#desk-updated").textContent = "Updated " + new Date().toLocaleTimeString() + ".";
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
        return "<tr><th scope='row'><a href='#' data-precinct='" + esc(p.id) + "'>" + esc(p.county) + ": " + esc(p.name) + "</a></th><td>" +
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
    return "<div class='table-scroll'><table class='results diff'><caption>Side by side</caption><thead><tr><th scope='col'>Field</th>" +
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
        var title = v.status === "entry-mismatch" ? "Entry mismatch: two operators entered different numbers" : "Conflict with the current result";
        var diff = (v.status === "entry-mismatch" ? v.diff_to_first_entry : v.diff_to_current) || v.diff || [];
        var diffTable = diff.length ? "<div class='table-scroll'><table class='results diff'><caption>Differences</caption><thead><tr><th scope='col'>Field</th><th scope='col' class='num'>" +
          (v.status === "entry-mismatch" ? "First entry" : "Current") + "</th><th scope='col' class='num'>" +
          (v.status === "entry-mismatch" ? "Second entry" : "This version") + "</th></tr></thead><tbody>" +
          diff.map(function (d) {
            var a = d.first_entry !== undefined ? d.first_entry : (d.current !== undefined ? d.current : d.before);
            var b = d.second_entry !== undefined ? d.second_entry : (d.version !== undefined ? d.version : d.after);
            return "<tr><th scope='row' class='changed'>" + esc(d.field) + "</th><td class='num changed'>" + esc(a) + "</td><td class='num changed'>" + esc(b) + "</td></tr>";
          }).join("") + "</tbody></table></div>" : "";
        return "<article class='panel conflict' data-conflict='" + esc(v.precinct_id) + "'><h3>" + esc(title) + ": <a href='#' data-precinct='" + esc(v.precinct_id) + "'>" +
          esc(v.precinct_id) + "</a></h3><p>Version " + esc(v.version_id) + " (" + esc(v.channel) + ", " + esc(v.actor || "") + ", receipt " + esc(v.receipt) + ")</p>" +
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
      box.innerHTML = "<div class='panel'><h3>" + esc(p.county) + ": " + esc(p.name) + "</h3>" +
        "<p>D = " + esc(p.delegates) + " · worth " + esc(p.sde_value_display) + " SDEs · <a href='/results/precinct/" + esc(p.id) + "'>public page</a></p>" +
        (cur ? "<p><b>Current:</b> version " + esc(cur.version_id) + " (" + esc(cur.channel) + ")<br>" + reportCell(cur.report) + "</p>" : "<p>No accepted result.</p>") +
        "<h4>History</h4><ol>" + (x.data.versions || []).map(function (v) {
          var open = v.status === "conflict" || v.status === "entry-mismatch" || v.status === "awaiting-second-entry";
          return "<li>Version " + esc(v.version_id) + ": <b>" + esc(v.status) + "</b> via " + esc(v.channel) + " by " + esc(v.actor || "") +
            " at " + esc(v.entered_at) + (v.decisions || []).map(function (d) { return "<br>→ " + esc(d.status) + " by " + esc(d.actor) + ": " + esc(d.reason); }).join("") +
            (v.photos || []).map(function (ph) {
              return "<br>Photo of the signed worksheet (" + Math.max(1, Math.round(ph.bytes / 1024)) + " KiB, " + esc(ph.content_type) +
                ") <button type='button' class='secondary show-photo' data-url='" + esc(ph.url) + "'>Show the photo</button>";
            }).join("") +
            (open && cur && v.version_id !== cur.version_id ? sideBySide(v, cur, "Current") : "") +
            (open ? decisionForm(v) : "") + "</li>";
        }).join("") + "</ol></div>";
    });
  }

  // ---- corrections
  Staff.loadPrecincts($("#x-county"), $("#x-precinct"));
  $("#x-table tbody").innerHTML = E.candidates.map(function (g) {
    return "<tr><th scope='row'>" + esc(g) + "</th><td class='num'><input type='number' min='0' data-which='first' data-group='" + esc(g) +
      "' aria-label='" + esc(g) + " first'></td><td class='num'><input type='number' min='0' data-which='final' data-group='" + esc(g) + "' aria-label='" + esc(g) + " final'></td></tr>";
  }).join("");
  $("#x-toss").innerHTML = "<option value=''>None</option>" + E.candidates.map(function (g) { return "<option>" + esc(g) + "</option>"; }).join("");
  $("#fix-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = $("#x-msg");
    var counts = function (which) {
      var m = {};
      Array.prototype.forEach.call(document.querySelectorAll("#x-table input[data-which='" + which + "']"), function (i) {
        if (i.value !== "" && Number(i.value)) m[i.getAttribute("data-group")] = Number(i.value);
      });
      return m;
    };
    if (!$("#x-precinct").value || !$("#x-reason").value.trim()) {
      out.innerHTML = "<p class='msg bad'>Choose the precinct and give the reason.</p>"; return;
    }
    var body = { precinct_id: $("#x-precinct").value, channel: $("#x-channel").value, reason: $("#x-reason").value.trim(),
      attendees: Number($("#x-attendees").value || 0), first: counts("first"), final: counts("final") };
    if ($("#x-toss").value) body.tosses = [{ winner: $("#x-toss").value, witnesses: [] }];
    Staff.api("POST", "/api/v1/desk/recanvass", body, { "Idempotency-Key": "fix-" + Date.now() }).then(function (x) {
      if (!x.ok) { out.innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      out.innerHTML = "<p class='msg ok'>Recorded: receipt " + esc(x.data.receipt) + ", " + esc(x.data.status) + ".</p>";
      refresh();
    });
  });

  // ---- the difference between two moments
  function iso(local) { return local ? new Date(local).toISOString() : ""; }
  $("#diff-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var from = iso($("#d-from").value), to = iso($("#d-to").value);
    if (!from) { $("#diff").innerHTML = "<p class='msg bad'>Choose the first moment.</p>"; return; }
    Staff.api("GET", "/api/v1/desk/diff?from=" + encodeURIComponent(from) + (to ? "&to=" + encodeURIComponent(to) : "")).then(function (x) {
      if (!x.ok) { $("#diff").innerHTML = "<div class='msg bad'>" + Staff.problems(x.data) + "</div>"; return; }
      var d = x.data, rows = d.changed || [];
      var delta = function (m) { return Object.keys(m || {}).map(function (c) { return esc(c) + " " + esc(m[c]); }).join(", ") || "–"; };
      $("#diff").innerHTML = "<p>" + rows.length + " precinct(s) changed. Statewide SDE change: " + delta(d.sde_delta_display) +
        ". National delegates change: " + delta(d.national_delta) + ".</p>" +
        "<div class='table-scroll'><table class='results'><caption>Changes from " + esc(d.from) + " to " + esc(d.to) + "</caption>" +
        "<thead><tr><th scope='col'>Precinct</th><th scope='col'>Before</th><th scope='col'>After</th><th scope='col'>SDE change</th></tr></thead><tbody>" +
        rows.map(function (r) {
          return "<tr><th scope='row'>" + esc(r.county) + ": " + esc(r.precinct) + "</th><td>" + (r.before ? delta(r.before.sde_display) : "no result") +
            "</td><td>" + (r.after ? delta(r.after.sde_display) : "no result") + "</td><td>" + delta(r.sde_delta_display) + "</td></tr>";
        }).join("") + "</tbody></table></div>";
    });
  });
})();
