/* chair.js: the precinct chair's worksheet on a phone.
 *
 * Sign in (precinct + access code) -> head count (threshold) -> first alignment (viable groups,
 * who may realign) -> final alignment (delegates live, the math step by step, coin toss or card
 * draw when needed) -> review -> send through the outbox (resent with the same Idempotency-Key
 * until acknowledged) -> receipt. The math runs on the phone with CaucusMath (caucus-math.js, the
 * port of the server's core) so it works with no signal; without the ruleset it asks the
 * server's preview endpoint. Everything typed is kept in localStorage.
 */
(function () {
  "use strict";
  var E = JSON.parse(document.getElementById("election-data").textContent);
  var SESSION = "caucuskit.chair.session.v1";
  var $ = function (sel) { return document.querySelector(sel); };
  var $$ = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };

  var session = readJSON(SESSION);
  var draft = null;
  var lastResult = null;
  var previewTimer = null;

  function readJSON(key) { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function writeJSON(key, v) { localStorage.setItem(key, JSON.stringify(v)); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function draftKey() { return "caucuskit.chair.draft.v1." + session.precinct.id; }
  function saveDraft() { writeJSON(draftKey(), draft); }
  function groups() { return (session && session.precinct.candidates) || E.candidates || []; }
  function rules() { return E.rules || (session && session.rules) || null; }
  // Nevada (rules.md §4 NV, §5.4, §11 Q9): the sign-in hands the phone the precinct's early
  // ballots, so CaucusMath.computeNevada works out the early votes and the card draws offline
  // exactly as the server does; a session from before that (no ballots) asks the server.
  function unitShort() { return (session && session.precinct.unit && session.precinct.unit.short) || "SDE"; }
  // What the precinct is worth: sde_value_display, or ccd_value_display for Nevada (ADR 0011).
  function worth(p) { return p.sde_value_display || p.ccd_value_display || null; }
  function cardDraws() { var r = rules(); return !!(r && r.tie_method === "card draw"); }
  function nevada() { return !!(session && (session.precinct.early || cardDraws())); }
  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
  }
  function intOrNull(v) {
    if (v === "" || v === null || v === undefined) return null;
    var n = Number(v);
    return Number.isInteger(n) ? n : v;
  }

  // ------------------------------------------------------------------ sign in
  var countySel = $("#county"), precinctSel = $("#precinct");
  countySel.addEventListener("change", function () {
    precinctSel.disabled = true;
    precinctSel.innerHTML = "<option value=''>Loading…</option>";
    if (!countySel.value) { precinctSel.innerHTML = "<option value=''>Choose the county first</option>"; return; }
    fetch("/api/v1/public/counties/" + encodeURIComponent(countySel.value)).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (doc) {
      var opts = ["<option value=''>Choose your precinct…</option>"];
      (doc.children || []).forEach(function (p) {
        opts.push("<option value='" + esc(p.id) + "'>" + esc(p.name) + "</option>");
      });
      precinctSel.innerHTML = opts.join("");
      precinctSel.disabled = false;
    }).catch(function () {
      precinctSel.innerHTML = "<option value=''>Could not load the precincts: no connection?</option>";
    });
  });

  $("#signin-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var msg = $("#signin-msg");
    msg.innerHTML = "";
    var code = $("#code").value.trim();
    if (!precinctSel.value || !code) {
      msg.innerHTML = "<p class='msg bad'>Choose your county and precinct and type the access code.</p>";
      return;
    }
    fetch("/api/v1/chair/signin", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ precinct_id: precinctSel.value, code: code }),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { r: r, data: data }; });
    }).then(function (x) {
      if (!x.r.ok) {
        var text = x.r.status === 401 ? "That access code is not right for this precinct. Check it and try again."
          : x.r.status === 429 ? "Too many wrong codes: wait " + (x.r.headers.get("Retry-After") || "a few") + " seconds."
          : (x.data.message || "The server refused: HTTP " + x.r.status);
        msg.innerHTML = "<p class='msg bad'>" + esc(text) + "</p>";
        return;
      }
      // The token spares the server an argon2 check per report; the code stays as the
      // fallback so a report queued offline still goes through after the token expires.
      session = { precinct: x.data.precinct, code: code, signed_in_at: x.data.signed_in_at,
        current: x.data.current, rules: x.data.precinct.rules || null,
        token: x.data.token || null, token_expires_at: x.data.token_expires_at || null };
      writeJSON(SESSION, session);
      start();
    }).catch(function () {
      msg.innerHTML = "<p class='msg bad'>No connection to the server. Signing in needs a signal once; " +
        "try again where the signal is better (you can sign in days ahead).</p>";
    });
  });

  $("#signout").addEventListener("click", function () {
    localStorage.removeItem(SESSION);
    session = null;
    $("#chair-app").hidden = true;
    $("#step-signin").hidden = false;
    renderOutbox();
  });

  // ------------------------------------------------------------------ steps
  function show(step) {
    draft.step = step;
    saveDraft();
    $$("#chair-app section[data-step]").forEach(function (s) { s.hidden = s.getAttribute("data-step") !== step; });
    $$(".steps-nav li").forEach(function (li) {
      if (li.getAttribute("data-for") === step) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    if (step === "review") renderReview();
    if (step === "sent") renderSent();
    var h = document.querySelector("section[data-step='" + step + "'] h2");
    if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
  }
  $$("[data-go]").forEach(function (b) {
    b.addEventListener("click", function () {
      var to = b.getAttribute("data-go");
      if (to === "final" && draft.final_untouched) {
        draft.final = Object.assign({}, draft.first);
        fillTable("final");
      }
      show(to);
      recompute();
    });
  });

  function start() {
    $("#step-signin").hidden = true;
    $("#chair-app").hidden = false;
    var p = session.precinct;
    $("#who").textContent = p.county + ": " + p.name;
    $("#who-detail").textContent = (p.delegates === null ? "Satellite site: delegates from turnout"
      : "Elects " + p.delegates + " county delegate" + (p.delegates === 1 ? "" : "s")) +
      (worth(p) ? " · worth " + worth(p) + " " + unitShort() + "s" : "") +
      " · signed in " + fmtTime(session.signed_in_at);
    draft = readJSON(draftKey()) || { step: "headcount", attendees: null, first: {}, final: {},
      tosses: [], final_untouched: true };
    $("#attendees").value = draft.attendees === null ? "" : draft.attendees;
    renderEarlyConfirm();
    buildTable("first");
    buildTable("final");
    show(draft.step || "headcount");
    recompute();
    renderOutbox();
    loadServerDoc();
  }

  function buildTable(which) {
    var body = $("#" + which + "-table tbody");
    body.innerHTML = groups().map(function (g) {
      var id = which + "-" + g.replace(/[^A-Za-z0-9]/g, "_");
      return "<tr data-group='" + esc(g) + "'><th scope='row'><label for='" + id + "'>" + esc(g) +
        "</label></th><td class='num'><input id='" + id + "' type='number' inputmode='numeric' min='0' step='1' data-which='" +
        which + "' data-group='" + esc(g) + "'></td></tr>";
    }).join("");
    fillTable(which);
    $$("#" + which + "-table input").forEach(function (input) {
      input.addEventListener("input", function () {
        var v = intOrNull(input.value);
        if (v === null || v === 0) delete draft[which][input.getAttribute("data-group")];
        else draft[which][input.getAttribute("data-group")] = v;
        if (which === "final") draft.final_untouched = false;
        if (draft.tosses.length) {
          draft.tosses = [];
          draft.tosses_cleared = true;
        }
        saveDraft();
        recompute();
      });
    });
  }
  function fillTable(which) {
    $$("#" + which + "-table input").forEach(function (input) {
      var v = draft[which][input.getAttribute("data-group")];
      input.value = v === undefined ? "" : v;
    });
  }

  $("#attendees").addEventListener("input", function () {
    draft.attendees = intOrNull($("#attendees").value);
    if (draft.tosses.length) { draft.tosses = []; draft.tosses_cleared = true; }
    saveDraft();
    recompute();
  });

  // ------------------------------------------------------------------ the math
  function input(withTosses) {
    return {
      delegates: session.precinct.delegates,
      attendees: draft.attendees === null ? 0 : draft.attendees,
      first: Object.assign({}, draft.first),
      final: Object.assign({}, draft.final),
      toss_winners: withTosses ? draft.tosses.map(function (t) { return t.winner; }) : [],
    };
  }

  // The phone can work Nevada out alone when it holds the ballots (or there is no early vote).
  function offlineNevada() {
    var e = session.precinct.early;
    return !e || Array.isArray(e.ballots);
  }
  function nevadaInput() {
    var e = session.precinct.early;
    var base = input(false);
    base.early = e ? e.ballots : [];
    base.card_draws = cardDraws() ? draft.tosses.filter(function (t) { return t.cards; }).map(function (t) {
      return { cards: t.cards, witnesses: t.witnesses };
    }) : [];
    if (!cardDraws()) base.toss_winners = draft.tosses.map(function (t) { return t.winner; });
    base.confirmed = null;
    return base;
  }

  function recompute() {
    if (!session) return;
    renderThreshold();
    renderFirst();
    var r = rules();
    if (r && session.precinct.delegates !== null && nevada() && offlineNevada()) {
      lastResult = CaucusMath.computeNevada(r, nevadaInput(), groups());
      renderFinal(lastResult);
    } else if (r && session.precinct.delegates !== null && !nevada()) {
      var out = CaucusMath.compute(r, input(true), groups());
      lastResult = out;
      renderFinal(out);
    } else {
      schedulePreview();
    }
  }

  function schedulePreview() {
    if (previewTimer) clearTimeout(previewTimer);
    previewTimer = setTimeout(function () {
      var body = reportBody();
      delete body.code;
      fetch("/api/v1/chair/preview", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body) }).then(function (r) {
        return r.json().then(function (d) { return { r: r, d: d }; });
      }).then(function (x) {
        lastResult = x.r.ok ? { ok: true, result: x.d.worksheet } : { ok: false, problems: x.d.problems || [] };
        renderFinal(lastResult);
      }).catch(function () {
        $("#delegates").innerHTML = "<p class='msg warn'>The live math needs the server for this precinct, and " +
          "there is no connection. You can still send the counts; the server computes the delegates.</p>";
      });
    }, 400);
  }

  function thresholdInfo() {
    var r = rules(), D = session.precinct.delegates, N = draft.attendees;
    if (!r || D === null || !Number.isInteger(N) || N < 1) return null;
    if (D <= 1) return { one: true };
    return { fraction: CaucusMath.thresholdFraction(r, D), value: CaucusMath.viabilityThreshold(r, D, N) };
  }

  function pct(fr) {
    var p = fr.split("/"), v = Number(p[0]) / Number(p[1] || 1) * 100;
    return (Math.round(v * 100) / 100) + "%";
  }

  function renderThreshold() {
    var box = $("#threshold"), info = thresholdInfo();
    if (session.precinct.early && info && !info.one) {
      var res = lastResult && lastResult.ok ? lastResult.result : null;
      box.hidden = false;
      box.className = "msg ok";
      box.innerHTML = res && res.threshold !== null
        ? "Viability threshold: <b class='big'>" + res.threshold + "</b> people <span class='sub'>(N = " +
          res.attendees + ": " + draft.attendees + " present + " + res.early.valid + " valid early ballots)</span>"
        : "The viability threshold counts the early ballots too: enter the counts to see it.";
      return;
    }
    box.hidden = false;
    var D = session.precinct.delegates;
    if (D === 0) { box.className = "msg warn"; box.textContent = "This precinct elects no delegates."; return; }
    if (!info) {
      box.className = "msg warn";
      box.textContent = D === null ? "Satellite site: the server works out the delegates from the turnout."
        : "Enter the number of people present to see the viability threshold.";
      return;
    }
    box.className = "msg ok";
    if (info.one) {
      box.innerHTML = "This precinct elects <b>one</b> delegate: there is no viability threshold; " +
        "the largest final group wins it (a tie goes to a " + esc(rules().tie_method) + ").";
      return;
    }
    box.innerHTML = "Viability threshold: <b class='big'>" + info.value + "</b> people " +
      "<span class='sub'>(" + pct(info.fraction) + " of " + draft.attendees + " = " + info.fraction +
      " × " + draft.attendees + ", rounded up)</span>";
  }

  function sum(m) { return Object.keys(m).reduce(function (s, g) { return s + (Number(m[g]) || 0); }, 0); }

  function renderFirst() {
    var info = session.precinct.early ? null : thresholdInfo();
    var viable = [], below = [];
    $$("#first-table tr").forEach(function (tr) {
      var g = tr.getAttribute("data-group"), n = draft.first[g] || 0;
      tr.classList.remove("viable", "below");
      if (info && !info.one && n > 0) {
        if (n >= info.value) { tr.classList.add("viable"); viable.push(g); }
        else { tr.classList.add("below"); below.push(g); }
      }
    });
    var total = sum(draft.first), N = draft.attendees;
    var html = "<p>In groups: <b>" + total + "</b>" + (Number.isInteger(N) ? " of " + N + " present" : "") + ".</p>";
    if (Number.isInteger(N) && total > N) {
      html += "<p class='msg bad'>More people in groups (" + total + ") than were present (" + N + "): check the counts.</p>";
    }
    if (info && !info.one) {
      html += "<p>Viable (" + info.value + " or more): <b>" + (viable.map(esc).join(", ") || "none") + "</b></p>";
    }
    $("#first-status").innerHTML = html;
    var r = rules();
    var rule = $("#realign-rule");
    if (!r) { rule.textContent = ""; return; }
    if (r.realignment === "anyone") {
      rule.innerHTML = "Realignment: <b>anyone may change groups</b> for the final alignment.";
    } else if (info && !info.one) {
      rule.innerHTML = "Realignment: members of the groups that are <b>not viable</b> (" +
        (below.map(esc).join(", ") || "none") + ") may join another group or combine; members of " +
        "<b>viable</b> groups (" + (viable.map(esc).join(", ") || "none") + ") stay where they are.";
    } else {
      rule.innerHTML = "Realignment: only members of groups that are not viable may move.";
    }
  }

  function fieldInput(field) {
    if (field === "attendees") return $("#attendees");
    var m = /^(first|final)\.(.+)$/.exec(field);
    if (!m) return null;
    return document.querySelector("input[data-which='" + m[1] + "'][data-group='" + CSS.escape(m[2]) + "']");
  }

  function renderFinal(out) {
    $$("input[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    var probs = $("#final-problems"), tie = $("#tie"), dl = $("#delegates"), steps = $("#math-steps");
    probs.innerHTML = ""; tie.hidden = true; tie.innerHTML = "";
    var cleared = draft.tosses_cleared ? "<p class='msg warn'>The counts changed, so the recorded " +
      "coin toss was cleared. If there is still a tie, toss again.</p>" : "";
    if (!out.ok) {
      var hasCounts = Object.keys(draft.final).length > 0;
      probs.innerHTML = cleared + (hasCounts ? "<ul class='problems'>" + out.problems.map(function (p) {
        var el = fieldInput(p.field);
        if (el) el.setAttribute("aria-invalid", "true");
        return "<li>" + Words.problemHtml(p) + "</li>";
      }).join("") + "</ul>" : "");
      renderLeft({});
      dl.innerHTML = hasCounts ? "" : "<p class='sub'>Enter the final head counts.</p>";
      steps.innerHTML = "";
      markFinal(null);
      return;
    }
    var res = out.result;
    probs.innerHTML = cleared;
    renderLeft(departures());
    markFinal(res);
    if (res.pending_tie) renderTie(res.pending_tie);
    var names = Object.keys(res.delegates);
    var rows = (res.groups || []).filter(function (g) { return g.final > 0 || g.delegates > 0; })
      .sort(function (a, b) { return b.delegates - a.delegates || b.final - a.final; })
      .map(function (g) {
        return "<tr class='" + (g.viable ? "viable" : "below") + "'><th scope='row'>" + esc(g.group) +
          "</th><td class='num'>" + g.final + "</td><td class='num'>" + (g.raw_decimal || "–") +
          "</td><td class='num'><b>" + g.delegates + "</b></td></tr>";
      }).join("");
    dl.innerHTML = "<h3>Delegates " + (res.complete ? "" : "so far ") + "(" + res.awarded + " of " +
      res.delegates_to_elect + ")</h3><table class='counts'><thead><tr><th scope='col'>Group</th>" +
      "<th scope='col' class='num'>" + (res.early && res.early.valid ? "Final, with early votes" : "Final") +
      "</th><th scope='col' class='num'>Final × D ÷ N</th>" +
      "<th scope='col' class='num'>Delegates</th></tr></thead><tbody>" + rows + "</tbody></table>" +
      (res.notes || []).map(function (n) { return "<p class='msg warn'>" + esc(n) + "</p>"; }).join("") +
      (names.length ? "" : "");
    steps.innerHTML = (res.log || []).map(function (s) { return "<li>" + esc(s.text) + "</li>"; }).join("");
    if (res.early) dl.innerHTML += earlyTable(res.early);
    if (session.precinct.early) renderThreshold();
  }

  // ------------------------------------------------------------------ Nevada: early ballots
  function earlyTable(e) {
    var names = Object.keys(Object.assign({}, e.first, e.final)).sort();
    var rows = names.map(function (g) {
      return "<tr><th scope='row'>" + esc(g) + "</th><td class='num'>" + (e.first[g] || 0) + "</td><td class='num'>" +
        (e.lost[g] || 0) + "</td><td class='num'>" + (e.gained[g] || 0) + "</td><td class='num'><b>" + (e.final[g] || 0) + "</b></td></tr>";
    }).join("");
    return "<h3>Early votes</h3><p class='sub'>" + e.ballots + " early ballot(s): " + e.valid + " valid, " + e.void +
      " void" + (e.exhausted ? "; " + e.exhausted + " rank no viable group (they count for none, and stay in N)" : "") +
      ". Checksum " + esc(e.checksum) + ".</p><table class='counts' id='early-table'><caption class='sr-only'>Early votes per group</caption>" +
      "<thead><tr><th scope='col'>Group</th><th scope='col' class='num'>First choice</th><th scope='col' class='num'>Lost</th>" +
      "<th scope='col' class='num'>Gained</th><th scope='col' class='num'>Final (early)</th></tr></thead><tbody>" + rows + "</tbody></table>";
  }

  function renderEarlyConfirm() {
    var box = $("#early-confirm"), e = session.precinct.early;
    if (!box) return;
    if (!e) { box.hidden = true; box.innerHTML = ""; return; }
    box.hidden = false;
    box.innerHTML = "<h3>Early ballots</h3><p>The party loaded <b>" + e.count + "</b> early ballot" + (e.count === 1 ? "" : "s") +
      " for this precinct. Checksum: <b class='mono'>" + esc(e.checksum) + "</b>. They count in the head count (N) and in each " +
      "alignment as if the voters were present.</p><label class='inline'><input type='checkbox' id='early-ok'" +
      (draft.early_ok ? " checked" : "") + "> The count and checksum match the list in my chair packet</label>";
    $("#early-ok").addEventListener("change", function () {
      draft.early_ok = $("#early-ok").checked;
      saveDraft();
      recompute();
    });
  }

  // ------------------------------------------------------------------ people who went home
  // A viable group may end smaller when people go home (they stay in N, rules.md §4); the chair
  // confirms it, because its members may not join another group. Kept with the draft.
  function departures() {
    var r = rules();
    if (!r || session.precinct.delegates === null || !CaucusMath.departures) return {};
    return CaucusMath.departures(r, input(false));
  }
  function leftKey(left) { return JSON.stringify(left); }
  function leftConfirmed() {
    var left = departures();
    return !Object.keys(left).length || draft.left_confirmed === leftKey(left);
  }
  function renderLeft(left) {
    var box = $("#left-confirm");
    if (!Object.keys(left).length) { box.hidden = true; box.innerHTML = ""; return; }
    var key = leftKey(left);
    var words = Words.leftWords(left);
    box.hidden = false;
    box.innerHTML = "<p><b>" + esc(words) + " left?</b> " +
      (Object.keys(left).length === 1 ? "This group was" : "These groups were") + " viable in the first alignment, so " +
      "their members could not join another group. If they went home, tick the box: they still count in the " +
      esc(draft.attendees) + " present. If they joined another group, fix the counts.</p>" +
      "<label class='inline'><input type='checkbox' id='left-ok'" + (draft.left_confirmed === key ? " checked" : "") +
      "> Yes: " + esc(words) + " went home</label>";
    $("#left-ok").addEventListener("change", function () {
      draft.left_confirmed = $("#left-ok").checked ? key : null;
      saveDraft();
    });
  }

  function markFinal(res) {
    $$("#final-table tr").forEach(function (tr) {
      tr.classList.remove("viable", "below");
      if (!res || res.threshold === null) return;
      var g = tr.getAttribute("data-group"), n = draft.final[g] || 0;
      if (n > 0) tr.classList.add(res.viable.indexOf(g) >= 0 ? "viable" : "below");
    });
  }

  function renderTie(t) {
    if (t.method === "card draw") { renderDraw(t); return; }
    var tie = $("#tie");
    var method = t.method, Method = method.charAt(0).toUpperCase() + method.slice(1);
    var what = t.action === "gain"
      ? t.delegates + " delegate" + (t.delegates === 1 ? "" : "s") + " to gain: the winner" +
        (t.winners_needed === 1 ? " gets it" : "s get one each")
      : t.delegates + " delegate" + (t.delegates === 1 ? "" : "s") + " to lose: the winner" +
        (t.winners_needed === 1 ? " keeps its delegate" : "s keep theirs");
    var choose = t.winners_needed === 1
      ? t.groups.map(function (g) {
          return "<label class='inline'><input type='radio' name='toss-winner' value='" + esc(g) + "'> " + esc(g) + " won</label>";
        }).join(" ")
      : t.groups.map(function (g) {
          return "<label class='inline'><input type='checkbox' name='toss-winner' value='" + esc(g) + "'> " + esc(g) + " won</label>";
        }).join(" ");
    tie.innerHTML = "<h3>" + esc(Method) + " needed</h3><p>Between <b>" + t.groups.map(esc).join("</b> and <b>") +
      "</b>: " + esc(what) + ".</p><p class='sub'>" + esc(t.reason) + ".</p>" +
      "<fieldset><legend>Who won the " + esc(method) + "?" + (t.winners_needed > 1 ? " (choose " + t.winners_needed + ")" : "") +
      "</legend>" + choose + "</fieldset>" +
      "<label for='witness-1'>Witness</label><input id='witness-1' type='text' autocomplete='off' placeholder='Name (group)'>" +
      "<label for='witness-2'>Second witness</label><input id='witness-2' type='text' autocomplete='off' placeholder='Name (group)'>" +
      "<div id='toss-msg' role='alert'></div>" +
      "<div class='actions'><button type='button' id='record-toss'>Record the " + esc(method) + "</button></div>";
    tie.hidden = false;
    $("#record-toss").addEventListener("click", function () {
      var won = $$("#tie input[name='toss-winner']:checked").map(function (i) { return i.value; });
      var witnesses = [$("#witness-1").value.trim(), $("#witness-2").value.trim()].filter(Boolean);
      var msg = $("#toss-msg");
      if (won.length !== t.winners_needed) {
        msg.innerHTML = "<p class='msg bad'>Choose " + t.winners_needed + " winner" + (t.winners_needed === 1 ? "" : "s") + ".</p>";
        return;
      }
      if (!witnesses.length) {
        msg.innerHTML = "<p class='msg bad'>Write the name of at least one witness.</p>";
        return;
      }
      won.forEach(function (w) {
        draft.tosses.push({ winner: w, witnesses: witnesses, groups: t.groups, delegates: t.delegates,
          action: t.action, method: t.method });
      });
      draft.tosses_cleared = false;
      saveDraft();
      recompute();
    });
  }

  var RANKS = ["A", "K", "Q", "J", "10", "9", "8", "7", "6", "5", "4", "3", "2"];
  var SUITS = [["S", "♠ spades"], ["H", "♥ hearts"], ["D", "♦ diamonds"], ["C", "♣ clubs"]];
  function renderDraw(t) {
    var tie = $("#tie");
    var what = t.action === "gain" ? t.delegates + " delegate(s) to gain: the highest card" + (t.winners_needed === 1 ? " gets it" : "s get one each")
      : t.delegates + " delegate(s) to lose: the highest card" + (t.winners_needed === 1 ? " keeps its delegate" : "s keep theirs");
    var rows = t.groups.map(function (g, i) {
      var id = "card-" + i;
      return "<fieldset class='card-pick'><legend>" + esc(g) + " drew</legend>" +
        "<label for='" + id + "-rank'>Rank</label><select id='" + id + "-rank' data-group='" + esc(g) + "' class='card-rank'><option value=''>–</option>" +
        RANKS.map(function (r) { return "<option>" + r + "</option>"; }).join("") + "</select>" +
        "<label for='" + id + "-suit'>Suit</label><select id='" + id + "-suit' data-group='" + esc(g) + "' class='card-suit'><option value=''>–</option>" +
        SUITS.map(function (s) { return "<option value='" + s[0] + "'>" + s[1] + "</option>"; }).join("") + "</select></fieldset>";
    }).join("");
    tie.innerHTML = "<h3>Card draw needed</h3><p>Between <b>" + t.groups.map(esc).join("</b> and <b>") + "</b>: " + esc(what) +
      ".</p><p class='sub'>" + esc(t.reason) + ". Aces are high; between equal ranks spades beat hearts, hearts beat diamonds, " +
      "diamonds beat clubs. Record each group's card: the result follows from the cards.</p>" + rows +
      "<label for='witness-1'>Witness</label><input id='witness-1' type='text' autocomplete='off' placeholder='Name (group)'>" +
      "<label for='witness-2'>Second witness</label><input id='witness-2' type='text' autocomplete='off' placeholder='Name (group)'>" +
      "<div id='toss-msg' role='alert'></div><div class='actions'><button type='button' id='record-toss'>Record the card draw</button></div>";
    tie.hidden = false;
    $("#record-toss").addEventListener("click", function () {
      var cards = {}, missing = [];
      t.groups.forEach(function (g, i) {
        var r = $("#card-" + i + "-rank").value, s = $("#card-" + i + "-suit").value;
        if (!r || !s) missing.push(g); else cards[g] = r + s;
      });
      var witnesses = [$("#witness-1").value.trim(), $("#witness-2").value.trim()].filter(Boolean);
      var msg = $("#toss-msg");
      if (missing.length) { msg.innerHTML = "<p class='msg bad'>Choose the card of " + missing.map(esc).join(", ") + ".</p>"; return; }
      var seen = {}, twice = Object.keys(cards).filter(function (g) { var c = cards[g]; var d = seen[c]; seen[c] = true; return d; });
      if (twice.length) { msg.innerHTML = "<p class='msg bad'>Two groups cannot draw the same card from one deck.</p>"; return; }
      if (!witnesses.length) { msg.innerHTML = "<p class='msg bad'>Write the name of at least one witness.</p>"; return; }
      draft.tosses.push({ cards: cards, witnesses: witnesses, groups: t.groups, delegates: t.delegates,
        action: t.action, method: t.method });
      draft.tosses_cleared = false;
      saveDraft();
      recompute();
    });
  }

  // ------------------------------------------------------------------ review and send
  function authHeaders() {
    return session && session.token ? { Authorization: "Bearer " + session.token } : {};
  }

  function reportBody() {
    var body = { precinct_id: session.precinct.id, code: session.code,
      attendees: draft.attendees === null ? 0 : draft.attendees,
      first: Object.assign({}, draft.first), final: Object.assign({}, draft.final) };
    if (draft.tosses.length) {
      body.tosses = draft.tosses.map(function (t) {
        return t.cards ? { cards: t.cards, witnesses: t.witnesses } : { winner: t.winner, witnesses: t.witnesses };
      });
    }
    var e = session.precinct.early;
    if (e && draft.early_ok) body.early_confirmed = { count: e.count, checksum: e.checksum };
    return body;
  }

  function renderReview() {
    var out = lastResult, box = $("#review"), sendBtn = $("#send");
    var res = out && out.ok ? out.result : null;
    var earlyMissing = !!(session.precinct.early && !draft.early_ok);
    var left = res ? departures() : {};
    var leftOk = leftConfirmed();
    var ready = res && res.complete && leftOk && !earlyMissing;
    sendBtn.disabled = !ready;
    var rows = groups().filter(function (g) { return draft.first[g] || draft.final[g]; }).map(function (g) {
      return "<tr><th scope='row'>" + esc(g) + "</th><td class='num'>" + (draft.first[g] || 0) + "</td><td class='num'>" +
        (draft.final[g] || 0) + "</td><td class='num'><b>" + ((res && res.delegates[g]) || 0) + "</b></td></tr>";
    }).join("");
    box.innerHTML = "<table class='counts'><caption>" + esc(session.precinct.county + ": " + session.precinct.name) +
      " · " + draft.attendees + " present</caption><thead><tr><th scope='col'>Group</th><th scope='col' class='num'>First</th>" +
      "<th scope='col' class='num'>Final</th><th scope='col' class='num'>Delegates</th></tr></thead><tbody>" + rows + "</tbody></table>" +
      draft.tosses.map(function (t) {
        if (t.cards) {
          return "<p>Card draw between " + t.groups.map(esc).join(" and ") + ": " + Object.keys(t.cards).map(function (g) {
            return esc(g) + " <b>" + esc(t.cards[g]) + "</b>"; }).join(", ") + "; witnesses: " + t.witnesses.map(esc).join(", ") + ".</p>";
        }
        return "<p>" + esc(t.method.charAt(0).toUpperCase() + t.method.slice(1)) + " between " + t.groups.map(esc).join(" and ") +
          " won by <b>" + esc(t.winner) + "</b>; witnesses: " + t.witnesses.map(esc).join(", ") + ".</p>";
      }).join("") +
      (Object.keys(left).length && leftOk ? "<p>" + esc(Words.leftWords(left)) + " went home before the final count (confirmed).</p>" : "") +
      (ready ? "<p class='msg ok'>Check the numbers against the paper worksheet, then send.</p>"
        : "<p class='msg bad'>Not ready to send: " + (earlyMissing ? "confirm the early ballots' count and checksum (step 1)" :
          res ? (res.pending_tie ? "a " + esc(res.pending_tie.method) +
          " is still needed" : !leftOk ? "confirm in step 3 that " + esc(Words.leftWords(left)) + " went home"
          : "the result is not complete") : "fix the problems in the final alignment") + ".</p>");
  }

  // ------------------------------------------------------------------ the photo of the worksheet
  // Optional. Shrunk on the phone (JPEG, longest side 1600 px), kept with the report in the
  // outbox and sent to POST /api/v1/chair/reports/{version_id}/photo once the server has
  // acknowledged the report (the photo needs the version id). See docs/pages.md.
  var photoData = null;
  function kib(b64) { return Math.max(1, Math.round(b64.length * 0.75 / 1024)); }
  function photoB64(dataUrl) { return String(dataUrl).split(",")[1] || ""; }
  $("#photo").addEventListener("change", function () {
    var file = $("#photo").files[0];
    var msg = $("#photo-msg");
    photoData = null;
    if (!file) { msg.textContent = ""; return; }
    msg.textContent = "Preparing the photo…";
    shrink(file, 1600).then(function (dataUrl) {
      photoData = dataUrl;
      msg.textContent = "Photo ready (" + kib(photoB64(dataUrl)) + " KiB). It is sent right after the result.";
    }).catch(function () {
      msg.textContent = "Could not read that photo. Try taking it again, or send the result without it.";
    });
  });
  function shrink(file, longest) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () {
        var k = Math.min(1, longest / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.max(1, Math.round(img.width * k)); c.height = Math.max(1, Math.round(img.height * k));
        var g = c.getContext("2d");
        g.fillStyle = "#fff"; // a transparent PNG must not turn black in the JPEG
        g.fillRect(0, 0, c.width, c.height);
        g.drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(img.src);
        resolve(c.toDataURL("image/jpeg", 0.7));
      };
      img.onerror = function (e) { URL.revokeObjectURL(img.src); reject(e); };
      img.src = URL.createObjectURL(file);
    });
  }

  $("#send-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!lastResult || !lastResult.ok || !lastResult.result.complete || !leftConfirmed()) { renderReview(); return; }
    var p = session.precinct;
    var meta = {
      kind: "report", precinct_id: p.id, label: p.county + ": " + p.name,
      summary: Object.keys(lastResult.result.delegates).map(function (g) {
        return g + " " + lastResult.result.delegates[g];
      }).join(", "),
      has_photo: !!photoData,
    };
    var item = Outbox.add("/api/v1/chair/reports", reportBody(), meta, authHeaders());
    if (photoData) {
      // Waits in the outbox (blocked) until the report has a version id on the server.
      var data = photoB64(photoData);
      try {
        Outbox.add(null, { code: session.code, content_type: "image/jpeg", data: data },
          { kind: "photo", parent: item.id, precinct_id: p.id, kib: kib(data),
            label: meta.label + " (photo of the worksheet)", summary: "photo" },
          authHeaders(), { blocked_by: item.id });
      } catch (e) {
        // The phone's storage is full: the result (small) is kept, the photo (large) is not.
        Outbox.update(item.id, { meta: Object.assign({}, meta, { photo_dropped: true }) });
      }
    }
    photoData = null;
    $("#photo").value = "";
    $("#photo-msg").textContent = "";
    draft.sent_item = item.id;
    saveDraft();
    show("sent");
  });

  function photoOf(items, report) {
    return items.filter(function (x) { return x.meta && x.meta.kind === "photo" && x.meta.parent === report.id; })[0] || null;
  }

  /** One plain sentence about a report's photo ("" when it had none). */
  function photoLine(items, report) {
    var m = report.meta || {};
    if (m.photo_dropped) return "The photo could not be kept on this phone (storage full); the result was sent without it.";
    var ph = photoOf(items, report);
    if (!ph) return "";
    if (ph.blocked_by) {
      if (report.state === "refused") return "Photo of the worksheet: not sent, because the result was refused.";
      return "Photo of the worksheet (" + ph.meta.kib + " KiB): saved on this phone; it is sent right after the result is received.";
    }
    var size = ph.meta.kib ? " (" + ph.meta.kib + " KiB)" : "";
    if (ph.state === "acknowledged") return "Photo of the worksheet" + size + ": received by the server.";
    if (ph.state === "refused") return "Photo of the worksheet" + size + ": refused by the server: " + (ph.last_error || "") + ".";
    return "Photo of the worksheet" + size + ": not yet received (saved on this phone, tried " + (ph.attempts || 0) + "×" +
      (ph.last_error ? ", last: " + ph.last_error : "") + ").";
  }

  function renderSent() {
    var items = Outbox.all(), box = $("#sent");
    var it = items.filter(function (x) { return x.id === draft.sent_item; })[0];
    if (!it) { box.innerHTML = "<p>Nothing sent yet.</p>"; return; }
    var photo = photoLine(items, it);
    var photoHtml = photo ? "<p id='photo-state'>" + esc(photo) + "</p>" : "";
    if (it.state === "acknowledged") {
      var a = it.answer || {};
      box.innerHTML = "<p class='msg ok'><b>Received by the server.</b></p>" +
        "<p>Receipt number (write it on the paper worksheet):</p><p class='receipt' id='receipt'>" + esc(a.receipt || "") + "</p>" +
        "<p>Status: <b>" + esc(STATUS_WORDS[a.status] || a.message || a.status || "") + "</b></p>" + photoHtml;
    } else if (it.state === "refused") {
      box.innerHTML = "<p class='msg bad'><b>Refused by the server:</b> " + esc(it.last_error || "") +
        ". Nothing was counted. Go back, fix it and send again.</p>" + photoHtml;
    } else {
      box.innerHTML = "<p class='msg warn'><b>Not yet received by the server.</b> Your result is saved on this " +
        "phone and is sent again automatically until the server confirms it. Keep this page open; you can " +
        "also move to where the signal is better.</p>" + photoHtml;
    }
  }
  var STATUS_WORDS = {
    accepted: "accepted, this is now the precinct's result",
    duplicate: "identical to the result the server already had",
    conflict: "held for the results desk: the server already had a different result",
  };

  // ------------------------------------------------------------------ what the server has
  function renderOutbox() {
    var box = $("#outbox");
    var all = Outbox.all();
    var mine = all.filter(function (it) {
      return !session || !it.meta || it.meta.precinct_id === session.precinct.id;
    });
    var reports = mine.filter(function (it) { return !it.meta || it.meta.kind !== "photo"; });
    if (!reports.length && !(session && session.current)) { box.hidden = true; return; }
    var got = reports.filter(function (it) { return it.state === "acknowledged"; });
    var waiting = reports.filter(function (it) { return it.state === "queued" || it.state === "sending"; });
    var refused = reports.filter(function (it) { return it.state === "refused"; });
    var photoNote = function (it) {
      var line = photoLine(all, it);
      return line ? "<br><span class='sub'>" + esc(line) + "</span>" : "";
    };
    var html = "<h2>What the server has</h2>";
    if (got.length) {
      html += "<p><b>Received by the server:</b></p><ul>" + got.map(function (it) {
        var a = it.answer || {};
        return "<li>" + esc(it.meta.label) + " (" + esc(it.meta.summary || "") + "), made " + fmtTime(it.created_at) +
          ": receipt <b class='receipt-inline'>" + esc(a.receipt || "?") + "</b>, " +
          esc(STATUS_WORDS[a.status] || a.status || "") + sentNumbers(it.body) + photoNote(it) + "</li>";
      }).join("") + "</ul>" + publicLine();
    } else if (session && session.current) {
      html += "<p>The server has a result for this precinct: receipt <b class='receipt-inline'>" +
        esc(session.current.receipt || "?") + "</b>, received " + esc(fmtWhen(session.current.entered_at)) +
        (session.current.channel && session.current.channel !== "chair" ? " (" + esc(session.current.channel) + ")" : "") +
        ", accepted: this is the precinct's result." + sentNumbers(serverNumbers()) + "</p>" + publicLine();
    } else {
      html += "<p><b>The server has not received any result from this phone.</b></p>";
    }
    var photosWaiting = got.filter(function (it) {
      var ph = photoOf(all, it);
      return ph && (ph.state === "queued" || ph.state === "sending");
    });
    if (waiting.length) {
      html += "<p><b>Not yet received (saved on this phone, resent automatically):</b></p><ul>" + waiting.map(function (it) {
        return "<li>" + esc(it.meta.label) + " (" + esc(it.meta.summary || "") + "), made " + fmtTime(it.created_at) +
          " — tried " + (it.attempts || 0) + "×" + (it.last_error ? ", last: " + esc(it.last_error) : "") + photoNote(it) + "</li>";
      }).join("") + "</ul>";
    }
    if (waiting.length || photosWaiting.length) {
      html += "<div class='actions'><button type='button' class='secondary' id='retry-now'>Try again now</button></div>";
    }
    if (refused.length) {
      html += "<p><b>Refused by the server (fix and send again):</b></p><ul>" + refused.map(function (it) {
        return "<li>" + esc(it.meta.label) + ", made " + fmtTime(it.created_at) + ": " + esc(it.last_error || "") + "</li>";
      }).join("") + "</ul>";
    }
    box.innerHTML = html;
    box.hidden = false;
    var retry = $("#retry-now");
    if (retry) retry.addEventListener("click", function () { Outbox.flush(); });
  }

  // ------------------------------------------------------------------ a chair who comes back
  // sees the numbers sent, the receipt and the status; the public document of the precinct says
  // what counts now (it may have been corrected by the desk since).
  var serverDoc = null;
  function fmtWhen(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString([], { hour: "numeric", minute: "2-digit", month: "short", day: "numeric", timeZoneName: "short" });
  }
  function countsLine(m) {
    var names = Object.keys(m || {}).filter(function (g) { return m[g]; });
    return names.length ? names.map(function (g) { return esc(g) + " " + esc(m[g]); }).join(", ") : "nobody";
  }
  function sentNumbers(body) {
    if (!body || body.attendees === undefined) return "";
    return "<br><span class='sent-numbers'>You sent: " + esc(body.attendees) + " present; first alignment " +
      countsLine(body.first) + "; final alignment " + countsLine(body.final) +
      ((body.tosses || []).length ? "; games of chance won by " + body.tosses.map(function (t) { return esc(t.winner); }).join(", ") : "") +
      ".</span>";
  }
  function serverNumbers() {
    if (!serverDoc || !serverDoc.reported) return null;
    var first = {}, final = {};
    (serverDoc.candidates || []).forEach(function (c) { if (c.first) first[c.name] = c.first; if (c.final) final[c.name] = c.final; });
    return { attendees: (serverDoc.worksheet || {}).attendees, first: first, final: final,
      tosses: (serverDoc.tosses || []).reduce(function (a, t) { return a.concat((t.winners || []).map(function (w) { return { winner: w }; })); }, []) };
  }
  function publicLine() {
    if (!serverDoc || !serverDoc.reported) return "";
    var dels = (serverDoc.candidates || []).filter(function (c) { return c.delegates; })
      .map(function (c) { return esc(c.name) + " " + esc(c.delegates); }).join(", ");
    return "<p>Status now: <b>" + esc({ "unofficial-complete": "reported", correction: "corrected by the results desk",
      recount: "recounted" }[serverDoc.status] || serverDoc.status) + "</b>; delegates " + dels +
      ". <a href='/results/precinct/" + esc(serverDoc.id) + "'>The public page of your precinct</a>.</p>";
  }
  function loadServerDoc() {
    if (!session || !session.precinct) return;
    fetch("/api/v1/public/precincts/" + encodeURIComponent(session.precinct.id), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) { serverDoc = doc; renderOutbox(); })
      .catch(function () { /* offline: the outbox still says what this phone knows */ });
  }

  // A photo follows its report once the report is acknowledged: it needs the version id.
  // Once the server has the photo its bytes are dropped from the phone's storage.
  function followUpPhotos(items) {
    items.forEach(function (ph) {
      var m = ph.meta || {};
      if (m.kind !== "photo") return;
      if (ph.state === "acknowledged" && ph.body && ph.body.data) {
        Outbox.update(ph.id, { body: { content_type: ph.body.content_type, received: true } });
        return;
      }
      if (!ph.blocked_by) return;
      var report = items.filter(function (x) { return x.id === ph.blocked_by; })[0];
      var a = report && report.state === "acknowledged" ? report.answer || {} : null;
      if (!a || !a.version_id) return;
      Outbox.update(ph.id, { blocked_by: null,
        url: "/api/v1/chair/reports/" + encodeURIComponent(a.version_id) + "/photo" });
      Outbox.flush();
    });
  }

  Outbox.onChange(function (items) {
    followUpPhotos(items);
    renderOutbox();
    if (draft && draft.step === "sent") renderSent();
  });

  if (session && session.precinct) start(); else renderOutbox();
})();
