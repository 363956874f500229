/* words.js: the server's and the core's problems in plain words for chairs and operators.
 *
 * The API keeps field names and rule references for programs ({field: "final.Biden", message:
 * "... (rules.md §4)"}). People see the sentence without them; the rule and the field go behind
 * a "why?" disclosure. Shared by the chair worksheet, the hotline console and the results desk.
 */
(function (root) {
  "use strict";
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  /** What each rules.md section says, in one line (shown behind "why?"). */
  var RULES = {
    "3.2": "The viability threshold is fixed by the number of people present when the doors closed (N). People who leave later still count in N.",
    "4": "In 2020 only members of groups that are not viable may move in the realignment; members of a viable group stay in it (they may go home). Nobody joins after the first alignment.",
    "5.4": "A tie is settled by a game of chance (coin toss or card draw); its winners are recorded in order.",
    "5.6": "A precinct electing one delegate gives it to the largest final group.",
  };
  var RULE_RE = /\s*\(rules\.md §([0-9.]+)\)\s*$/;

  /** A person's name for an API field ("final.Biden" -> "Biden, final alignment"). */
  function fieldLabel(field) {
    var m = /^(first|final)\.(.+)$/.exec(field || "");
    if (m) return m[2] + ", " + m[1] + " alignment";
    m = /^tosses(?:\.|\[)(\d+)/.exec(field || "");
    if (m) return "Game of chance " + (Number(m[1]) + 1);
    return { attendees: "People present (N)", delegates: "Delegates to elect", final: "Final alignment",
      first: "First alignment", tosses: "Coin toss or card draw", code: "Access code", reason: "Reason",
      operator: "Operator", precinct_id: "Precinct" }[field] || field || "";
  }

  /** {text, rule, field}: the sentence, the rules.md section (or ""), the field. */
  function split(problem) {
    var msg = String(problem.message || "");
    var rule = "";
    var m = RULE_RE.exec(msg);
    if (m) { rule = m[1]; msg = msg.slice(0, m.index); }
    // A sentence that starts with "must", "is", "group names"... needs its subject.
    if (/^(must|is |has |should|not |group name)/.test(msg)) msg = fieldLabel(problem.field) + ": " + msg;
    msg = msg.charAt(0).toUpperCase() + msg.slice(1);
    if (!/[.!?]$/.test(msg)) msg += ".";
    return { text: msg, rule: rule, field: problem.field || "" };
  }

  /** One problem as HTML: the sentence, then a "why?" disclosure with the rule and field. */
  function problemHtml(problem) {
    var p = split(problem);
    var why = (p.rule ? "<p>Rule (rules.md §" + esc(p.rule) + "): " + esc(RULES[p.rule] || "see the caucus rules") + "</p>" : "") +
      (p.field ? "<p class='sub'>Field: <code>" + esc(p.field) + "</code></p>" : "");
    return esc(p.text) + (why ? " <details class='why'><summary>why?</summary>" + why + "</details>" : "");
  }

  function problemsHtml(list) {
    return "<ul class='problems'>" + (list || []).map(function (p) { return "<li>" + problemHtml(p) + "</li>"; }).join("") + "</ul>";
  }

  /** "2 Biden supporters left" for departures {Biden: 2}. */
  function leftWords(left) {
    return Object.keys(left).sort().map(function (g) {
      return left[g] + " " + g + " supporter" + (left[g] === 1 ? "" : "s");
    }).join(" and ");
  }

  root.Words = { esc: esc, fieldLabel: fieldLabel, split: split, problemHtml: problemHtml,
    problemsHtml: problemsHtml, leftWords: leftWords };
})(window);
