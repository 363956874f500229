/* tieinput.js: games of chance entered by an operator or the results desk (rules.md §5.4).
 *
 * Every tie the core can produce: one winner or several (a 3-way tie for 2 delegates), and
 * successive ties (the second appears once the first is recorded). Winners are kept in the
 * order recorded, which is the order the core consumes them (toss_winners).
 *
 *   var ties = TieInput.create(fieldsetElement, { groups: [...], id: "h", onChange: fn });
 *   ties.pending(pendingTieOrNull)   // from CaucusMath / the preview: shows the chooser
 *   ties.tosses()                    // [{winner, witnesses}] for the API
 *   ties.set(tosses); ties.clear()
 *
 * How the winners of one tie are chosen depends on the method. TieInput.methods maps a method
 * name ("coin toss", "card draw") to {choose(t, id) -> HTML, read(root, t, id) -> [winners] or
 * an error string}; the default asks "who won?" with radio buttons (one winner) or check boxes
 * (several). A variant (e.g. Nevada's card draw with the card each group drew) registers its
 * own entry: TieInput.methods["card draw"] = {...}.
 */
(function (root) {
  "use strict";
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  var byChoice = {
    choose: function (t, id) {
      var type = t.winners_needed === 1 ? "radio" : "checkbox";
      return t.groups.map(function (g, i) {
        return "<label class='inline'><input type='" + type + "' name='" + id + "-won' value='" + esc(g) +
          "' id='" + id + "-won-" + i + "'> " + esc(g) + " won</label>";
      }).join(" ");
    },
    read: function (rootEl, t, id) {
      var won = Array.prototype.slice.call(rootEl.querySelectorAll("input[name='" + id + "-won']:checked"))
        .map(function (i) { return i.value; });
      if (won.length !== t.winners_needed) return "Choose " + plural(t.winners_needed, "winner") + ".";
      return won;
    },
  };
  var methods = { "coin toss": byChoice, "card draw": byChoice };

  function describe(t) {
    var stake = plural(t.delegates, "delegate");
    var what = t.action === "gain"
      ? stake + " to give: " + (t.winners_needed === 1 ? "the winner gets it" : "each of the " + t.winners_needed + " winners gets one")
      : stake + " to take back: " + (t.winners_needed === 1 ? "the winner keeps its delegate" : "the " + t.winners_needed + " winners keep theirs");
    return "A " + t.method + " between " + t.groups.join(", ") + ": " + what + ".";
  }

  function create(el, opts) {
    var id = opts.id || "tie";
    var groups = opts.groups || [];
    var list = [];
    var current = null;
    el.innerHTML = "<legend>Coin toss or card draw (if any)</legend>" +
      "<div id='" + id + "-needed' aria-live='polite'></div>" +
      "<ol id='" + id + "-list' class='tosses'></ol>" +
      "<details id='" + id + "-manual'><summary>Enter winners by hand</summary>" +
      "<label for='" + id + "-pick'>Won by</label><select id='" + id + "-pick'><option value=''>Choose…</option>" +
      groups.map(function (g) { return "<option value='" + esc(g) + "'>" + esc(g) + "</option>"; }).join("") + "</select>" +
      "<label for='" + id + "-pick-w'>Witnesses (comma-separated)</label><input id='" + id + "-pick-w' type='text' autocomplete='off'>" +
      "<div class='actions'><button type='button' class='secondary' id='" + id + "-add'>Add this winner</button></div>" +
      "<p class='sub'>A tie with several winners, or two ties in a row: add each winner in the order drawn.</p></details>";
    var $ = function (s) { return el.querySelector(s); };

    function witnesses(text) { return String(text || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean); }
    function changed() { render(); if (opts.onChange) opts.onChange(); }
    function render() {
      $("#" + id + "-list").innerHTML = list.map(function (t, i) {
        return "<li>" + esc(t.winner) + " won" + (t.witnesses.length ? " (witnesses: " + esc(t.witnesses.join(", ")) + ")" : "") +
          " <button type='button' class='secondary small' data-remove='" + i + "' aria-label='Remove winner " + (i + 1) + ", " + esc(t.winner) + "'>Remove</button></li>";
      }).join("");
      var box = $("#" + id + "-needed");
      if (!current) { box.innerHTML = ""; return; }
      var m = methods[current.method] || byChoice;
      box.innerHTML = "<div class='msg warn'><p><b>" + esc(describe(current)) + "</b></p>" +
        (current.reason ? "<p class='sub'>" + esc(current.reason) + ".</p>" : "") +
        "<fieldset><legend>Who won the " + esc(current.method) + "?" + (current.winners_needed > 1 ? " (choose " + current.winners_needed + ")" : "") + "</legend>" +
        m.choose(current, id) + "</fieldset>" +
        "<label for='" + id + "-w'>Witnesses (comma-separated)</label><input id='" + id + "-w' type='text' autocomplete='off'>" +
        "<div id='" + id + "-err' role='alert'></div>" +
        "<div class='actions'><button type='button' id='" + id + "-record'>Record the " + esc(current.method) + "</button></div></div>";
    }
    el.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t.getAttribute("data-remove") !== null) {
        list.splice(Number(t.getAttribute("data-remove")), 1);
        changed();
      } else if (t.id === id + "-add") {
        var w = $("#" + id + "-pick").value;
        if (!w) return;
        list.push({ winner: w, witnesses: witnesses($("#" + id + "-pick-w").value) });
        $("#" + id + "-pick").value = "";
        changed();
      } else if (t.id === id + "-record" && current) {
        var m = methods[current.method] || byChoice;
        var won = m.read(el, current, id);
        if (typeof won === "string") { $("#" + id + "-err").innerHTML = "<p class='msg bad'>" + esc(won) + "</p>"; return; }
        var ws = witnesses($("#" + id + "-w").value);
        won.forEach(function (g) { list.push({ winner: g, witnesses: ws }); });
        current = null;
        changed();
      }
    });
    return {
      pending: function (t) {
        var same = current && t && JSON.stringify(current) === JSON.stringify(t);
        if (same) return;
        current = t || null;
        render();
      },
      tosses: function () { return list.map(function (t) { return { winner: t.winner, witnesses: t.witnesses.slice() }; }); },
      winners: function () { return list.map(function (t) { return t.winner; }); },
      set: function (tosses) {
        list = (tosses || []).map(function (t) { return { winner: t.winner, witnesses: (t.witnesses || []).slice() }; });
        render();
      },
      clear: function () { list = []; current = null; render(); },
    };
  }

  root.TieInput = { create: create, methods: methods, describe: describe };
})(window);
