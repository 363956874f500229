/* hotline.js: a hotline or paper operator enters a precinct's worksheet.
 * The access code comes first (the form stays closed without it); the entry is read back to the
 * caller; the first entry waits for a second operator's matching entry; a mismatch goes to the
 * desk and is shown here side by side. */
(function () {
  "use strict";
  var E = JSON.parse(document.getElementById("election-data").textContent);
  var $ = function (s) { return document.querySelector(s); };
  var $$ = function (s) { return Array.prototype.slice.call(document.querySelectorAll(s)); };
  var esc = Staff.esc;
  var current = null; // {id, name, county, code, channel}
  var CODE_HELP = document.getElementById("h-code-help").textContent;

  Staff.signin(function (user) {
    $("#console").hidden = false;
    $("#me").textContent = user;
  });
  Staff.loadPrecincts($("#h-county"), $("#h-precinct"));

  var body = $("#h-table tbody");
  body.innerHTML = E.candidates.map(function (g) {
    var id = g.replace(/[^A-Za-z0-9]/g, "_");
    return "<tr><th scope='row'>" + esc(g) + "</th>" +
      "<td class='num'><input type='number' min='0' inputmode='numeric' id='f1-" + id + "' data-group='" + esc(g) + "' data-which='first' aria-label='" + esc(g) + " first alignment'></td>" +
      "<td class='num'><input type='number' min='0' inputmode='numeric' id='f2-" + id + "' data-group='" + esc(g) + "' data-which='final' aria-label='" + esc(g) + " final alignment'></td></tr>";
  }).join("");
  // Nevada (card draws) enters the cards instead (#h-cards); a stand-in keeps one code path.
  var ties = $("#h-ties") ? TieInput.create($("#h-ties"), { groups: E.candidates, id: "h-tie", onChange: function () { update(); } })
    : { pending: function () {}, tosses: function () { return []; }, winners: function () { return []; }, set: function () {}, clear: function () {} };

  $("#find-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var code = $("#h-code").value.replace(/[\s-]/g, "");
    var sel = $("#h-precinct");
    if (!sel.value) { $("#h-code-help").innerHTML = "<span class='msg bad' style='display:block'>Choose the precinct.</span>"; return; }
    if (code.length < 6) {
      $("#h-code").setAttribute("aria-invalid", "true");
      $("#h-code-help").innerHTML = "<span class='msg bad' style='display:block'>No access code, no entry: ask the caller for the code printed in the chair packet.</span>";
      return;
    }
    $("#h-code").removeAttribute("aria-invalid");
    $("#h-code-help").textContent = CODE_HELP;
    current = { id: sel.value, name: sel.options[sel.selectedIndex].text,
      county: $("#h-county").options[$("#h-county").selectedIndex].text, code: $("#h-code").value.trim(),
      channel: $("#h-channel").value };
    $("#entry-title").textContent = current.county + ": " + current.name;
    fetch("/api/v1/public/precincts/" + encodeURIComponent(current.id)).then(function (r) { return r.json(); })
      .then(function (doc) {
        // D is public before the precinct reports (docs/api.md); a satellite site's D comes
        // from its turnout, so its check waits for a report.
        var d = doc.delegates !== undefined && doc.delegates !== null ? doc.delegates : doc.delegates_to_elect;
        if (current && current.id === doc.id) { current.delegates = d; renderMath(); }
      })
      .catch(function () { /* the math hint is optional */ });
    if (E.rules && E.rules.early_realign) {  // Nevada: the precinct's early ballots, counted here as on the chair's phone
      var asked = current.id;
      Staff.api("GET", "/api/v1/operator/precincts/" + encodeURIComponent(asked) + "/early").then(function (x) {
        if (x.ok && current && current.id === asked) { current.early = x.data.ballots || []; renderMath(); }
      }).catch(function () { /* without them the server's answer shows the worksheet */ });
    }
    $("#entry-form").hidden = false;
    $("#h-answer").innerHTML = "";
    $("#h-attendees").focus();
    update();
  });

  $("#h-cancel").addEventListener("click", reset);
  function reset() {
    $("#entry-form").reset();
    ties.clear();
    $("#entry-form").hidden = true;
    current = null;
  }

  function counts(which) {
    var out = {};
    $$("#h-table input[data-which='" + which + "']").forEach(function (i) {
      var n = i.value === "" ? 0 : Number(i.value);
      if (n) out[i.getAttribute("data-group")] = Number.isInteger(n) ? n : i.value;
    });
    return out;
  }
  function report() {
    var n = $("#h-attendees").value === "" ? 0 : Number($("#h-attendees").value);
    var r = { precinct_id: current.id, code: current.code, channel: current.channel,
      attendees: n, first: counts("first"), final: counts("final") };
    var cardsBox = $("#h-cards");
    if (cardsBox) {  // Nevada: the cards drawn; the server derives the winners (rules.md §5.4)
      var cards = {};
      cardsBox.value.split(",").forEach(function (item) {
        var kv = item.split("=");
        if (kv.length === 2 && kv[0].trim()) cards[kv[0].trim()] = kv[1].trim();
      });
      var witnesses = $("#h-cards-witnesses").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      if (Object.keys(cards).length) r.tosses = [{ cards: cards, witnesses: witnesses }];
    } else {
      var t = ties.tosses();
      if (t.length) r.tosses = t;
    }
    var ec = $("#h-early-count"), ek = $("#h-early-checksum");
    if (ec && ec.value !== "" && ek.value.trim()) {
      r.early_confirmed = { count: Number(ec.value), checksum: ek.value.trim() };
    }
    return r;
  }
  function line(m) {
    var names = Object.keys(m);
    return names.length ? names.map(function (g) { return g + " " + m[g]; }).join(", ") : "nobody";
  }
  function update() {
    if (!current) return;
    var r = report();
    $("#readback").textContent = current.county + ", " + current.name + ": " + r.attendees + " attendees. First alignment: " +
      line(r.first) + ". Final alignment: " + line(r.final) + "." +
      (r.early_confirmed ? " Early ballots: " + r.early_confirmed.count + ", checksum " + r.early_confirmed.checksum + "." : "") +
      (r.tosses ? " " + r.tosses.map(function (t, i) {
        var won = t.cards ? "Cards drawn: " + Object.keys(t.cards).map(function (g) { return g + " " + t.cards[g]; }).join(", ")
          : (r.tosses.length > 1 ? "Winner " + (i + 1) + " of the games of chance: " : "Game of chance won by ") + t.winner;
        return won + (t.witnesses.length ? ", witnessed by " + t.witnesses.join(" and ") : "") + ".";
      }).join(" ") : "") + leftLine(r) + " Is that right?";
    $("#h-confirmed").checked = false;
    renderMath();
  }
  /** People who went home from a viable group (accepted; read back so the caller confirms). */
  function departures(r) {
    var d = current && current.delegates;
    if (!E.rules || d === undefined || d === null || !r.attendees || !Object.keys(r.first).length) return {};
    return CaucusMath.departures(E.rules, { delegates: d, attendees: r.attendees, first: r.first, final: r.final });
  }
  function leftLine(r) {
    var left = departures(r);
    return Object.keys(left).length ? " " + Words.leftWords(left) + " went home before the final count (they still count in the " + r.attendees + " present)." : "";
  }
  function renderMath() {
    if (!current) return;
    var r = report();
    var math = $("#h-math");
    var d = current.delegates;
    if (!E.rules || d === undefined || d === null || !r.attendees) { math.innerHTML = ""; ties.pending(null); return; }
    if (E.rules.early_realign || E.rules.tie_method === "card draw") {
      if (!Array.isArray(current.early)) {  // the ballots did not arrive: the server's answer shows the worksheet
        math.innerHTML = "<p class='msg ok'>The server works out the delegates with the precinct's early ballots and the cards drawn; " +
          "its answer shows the worksheet.</p>";
        return;
      }
      math.innerHTML = nevadaMath(r, d);
      return;
    }
    var out = CaucusMath.compute(E.rules, { delegates: d, attendees: r.attendees, first: r.first, final: r.final,
      toss_winners: ties.winners() }, E.candidates);
    if (!out.ok) {
      ties.pending(null);
      math.innerHTML = "<div class='msg warn'><p>Check with the caller:</p>" + Words.problemsHtml(out.problems) + "</div>";
      return;
    }
    var res = out.result;
    ties.pending(res.pending_tie || null);
    var left = departures(r);
    math.innerHTML = "<p class='msg ok'>Live check (D = " + d + "): viability threshold " +
      (res.threshold === null ? "none (one delegate)" : res.threshold + " people") + "; delegates: " +
      esc(line(res.delegates)) + (res.pending_tie ? ". <b>A " + esc(res.pending_tie.method) + " is needed between " +
      esc(res.pending_tie.groups.join(", ")) + "</b>: ask who won (below)." : "") + "</p>" +
      (Object.keys(left).length ? "<p class='msg warn' id='h-left'><b>" + esc(Words.leftWords(left)) + " left?</b> " +
        "Their group was viable, so they could not join another group: ask the caller whether they went home. " +
        "They still count in N. If they joined another group, the counts are wrong.</p>" : "");
  }
  /** Nevada: the live check with the precinct's early ballots and the cards typed, computed here
   * by CaucusMath.computeNevada exactly as the server computes it (docs/adr/0011). The count and
   * checksum the caller reads are checked against the ballots; the console never shows them. */
  function nevadaMath(r, d) {
    var input = { delegates: d, attendees: r.attendees, first: r.first, final: r.final, early: current.early,
      card_draws: (r.tosses || []).filter(function (t) { return t.cards; }).map(function (t) {
        return { cards: t.cards, witnesses: t.witnesses };
      }), toss_winners: [], confirmed: null };
    if (current.early.length && r.early_confirmed) input.confirmed = [r.early_confirmed.count, r.early_confirmed.checksum];
    var out = CaucusMath.computeNevada(E.rules, input, E.candidates);
    if (!out.ok) return "<div class='msg warn'><p>Check with the caller:</p>" + Words.problemsHtml(out.problems) + "</div>";
    var res = out.result, ea = res.early;
    var ask = current.early.length && !r.early_confirmed
      ? "<p class='msg warn' id='h-early-ask'>This precinct has early ballots: ask the caller for their number and checksum.</p>" : "";
    return ask + "<p class='msg ok' id='h-nevada-check'>Live check (D = " + d + "): N = " + r.attendees + " present + " +
      ea.valid + " valid early ballot" + (ea.valid === 1 ? "" : "s") + " = " + res.attendees + "; viability threshold " +
      (res.threshold === null ? "none (one delegate)" : res.threshold + " people") + "; delegates: " + esc(line(res.delegates)) +
      (ea.void || ea.exhausted ? " (" + ea.void + " early ballot(s) void, " + ea.exhausted + " with no viable choice left)" : "") +
      (res.pending_tie ? ". <b>A card draw is needed between " + esc(res.pending_tie.groups.join(", ")) +
        "</b>: ask which cards were drawn." : "") + "</p>";
  }
  $("#entry-form").addEventListener("input", function (ev) { if (ev.target.id !== "h-confirmed") update(); });

  $("#entry-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var msg = $("#h-msg");
    if (!$("#h-confirmed").checked) {
      msg.innerHTML = "<p class='msg bad'>Read the entry back to the caller and tick the box when they confirm it.</p>";
      return;
    }
    msg.innerHTML = "";
    $("#h-send").disabled = true;
    Staff.api("POST", "/api/v1/operator/reports", report(), { "Idempotency-Key": "op-" + Date.now() + "-" + Math.random().toString(36).slice(2) })
      .then(function (x) {
        $("#h-send").disabled = false;
        if (x.status === 401) {
          var badLogin = (x.data.problems || []).some(function (p) { return p.field === "authorization"; });
          if (badLogin) {
            Staff.signOut();
            msg.innerHTML = "<p class='msg bad'>Your sign-in was not accepted. <a href='/hotline'>Sign in again</a>.</p>";
          } else {
            msg.innerHTML = "<p class='msg bad'>Wrong access code for this precinct: nothing was recorded. " +
              "Ask the caller to read it again.</p>";
          }
          return;
        }
        if (!x.ok) { msg.innerHTML = "<div class='msg bad'><p>Not recorded. Check with the caller:</p>" + Staff.problems(x.data) + "</div>"; return; }
        showAnswer(x.data);
        reset();
        $("#h-code").value = ""; // the next call brings its own code
      }).catch(function () {
        $("#h-send").disabled = false;
        msg.innerHTML = "<p class='msg bad'>No answer from the server. Nothing was recorded; try again.</p>";
      });
  });

  var fieldLabel = Words.fieldLabel;

  function showAnswer(a) {
    var text = {
      "awaiting-second-entry": "First entry recorded. It counts once a second operator enters the same numbers.",
      "accepted": "Second entry matches the first: the result is accepted.",
      "duplicate": "Identical to the precinct's current result: nothing changes.",
      "conflict": "The precinct already has a different result: held for the results desk.",
      "entry-mismatch": "This second entry differs from the first: both go to the results desk.",
    }[a.status] || a.message || a.status;
    var cls = a.status === "accepted" || a.status === "awaiting-second-entry" || a.status === "duplicate" ? "ok" : "warn";
    var html = "<div class='msg " + cls + "'><p><b>" + esc(text) + "</b></p><p>Receipt <span class='receipt'>" + esc(a.receipt) +
      "</span> — read it to the caller.</p></div>";
    if (a.diff && a.diff.length) {
      html += "<div class='table-scroll' tabindex='0'><table class='results diff' id='mismatch'><caption>Mismatch: first and second entry side by side</caption>" +
        "<thead><tr><th scope='col'>Field</th><th scope='col' class='num'>First entry</th><th scope='col' class='num'>Second entry</th></tr></thead><tbody>" +
        a.diff.map(function (d) {
          return "<tr><th scope='row' class='changed'>" + esc(fieldLabel(d.field)) + "</th><td class='num changed'>" + esc(d.first_entry) +
            "</td><td class='num changed'>" + esc(d.second_entry) + "</td></tr>";
        }).join("") + "</tbody></table></div>";
    }
    $("#h-answer").innerHTML = html;
  }
})();
