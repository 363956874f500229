/* caucus-math.js: the precinct math of caucuskit.core, ported to plain browser JavaScript.
 *
 * The chair's worksheet computes delegates live on the phone, even with no signal, with exactly
 * the server's rules: this file mirrors src/caucuskit/core/{checks,viability,allocation,ties,
 * precinct}.py line by line, with exact integer/fraction arithmetic on BigInt (no floats touch a
 * delegate). Its output has the shape of PrecinctResult.to_dict(), and tests/web/test_math_port.py
 * compares the two on hundreds of random precincts in headless Chromium.
 *
 * Rule: rules.md §3 (threshold), §4 (realignment), §5.1-§5.7 (allocation, ties), §5.6 (one
 * delegate). Change the Python core and this file together.
 *
 * Nevada 2020 (core/early.py, cards.py, nevada.py; rules.md §4 NV, §5.4, §11 Q9, ADR 0011):
 * CaucusMath.computeNevada(rules, input, knownGroups?) adds the precinct's early ranked ballots
 * and settles ties from the cards drawn, with the shape of NevadaResult.to_dict().
 *
 * Usage: CaucusMath.compute(rules, input, knownGroups?) -> {ok: true, result} or
 *        {ok: false, problems: [{field, message}]}
 *   rules: RuleSet.describe() (name, thresholds {"4": "3/20", ...}, one_delegate, ...)
 *   input: {delegates, attendees, final: {group: n}, first: {group: n} | null, toss_winners: []}
 */
(function (root) {
  "use strict";

  var MAX_PEOPLE = 10000000;
  var MAX_DELEGATES = 100000;

  // ---- helpers: Python semantics -------------------------------------------------------------

  function codepoints(s) { return Array.from(s).map(function (c) { return c.codePointAt(0); }); }
  function pyCmp(a, b) { // Python's str ordering (by code point)
    var A = codepoints(a), B = codepoints(b);
    for (var i = 0; i < Math.min(A.length, B.length); i++) {
      if (A[i] !== B[i]) return A[i] < B[i] ? -1 : 1;
    }
    return A.length - B.length;
  }
  function sorted(names) { return names.slice().sort(pyCmp); }
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function getOr(obj, key, dflt) { return obj && has(obj, key) ? obj[key] : dflt; }

  function pyRepr(v) {
    if (v === null || v === undefined) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (typeof v === "string") {
      if (v.indexOf("'") >= 0 && v.indexOf('"') < 0) return '"' + v + '"';
      return "'" + v.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
    }
    if (typeof v === "number") {
      if (Number.isInteger(v)) return String(v) + ".0";
      return String(v);
    }
    return JSON.stringify(v);
  }

  function ValidationError(problems) {
    this.problems = problems;
    this.message = problems.map(function (p) { return p.field + ": " + p.message; }).join("; ");
  }
  function single(field, message) { return new ValidationError([{ field: field, message: message }]); }

  // ---- exact fractions on BigInt ---------------------------------------------------------------

  function gcd(a, b) {
    a = a < 0n ? -a : a; b = b < 0n ? -b : b;
    while (b !== 0n) { var t = a % b; a = b; b = t; }
    return a;
  }
  function frac(n, d) {
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d);
    if (g === 0n) g = 1n;
    return { n: n / g, d: d / g };
  }
  function parseFrac(text) {
    var parts = String(text).split("/");
    return frac(BigInt(parts[0]), BigInt(parts.length > 1 ? parts[1] : "1"));
  }
  function fracStr(f) { return f.d === 1n ? String(f.n) : f.n + "/" + f.d; }
  function floorDiv(a, b) { // b > 0
    var q = a / b;
    if (a % b !== 0n && a < 0n) q -= 1n;
    return q;
  }
  function roundHalfUp(f) { return floorDiv(2n * f.n + f.d, 2n * f.d); } // rules.md §5.1
  function scaledUnits(f, places) {
    var u = 10n ** BigInt(places);
    return floorDiv(2n * f.n * u + f.d, 2n * f.d);
  }
  function ceilFrac(f) { return -floorDiv(-f.n, f.d); }

  // rounding.decimal_str: x rounded half up to `places` decimals (rules.md §7.2).
  function decimalStr(f, places) { return decUnits(scaledUnits(f, places), places); }
  // allocation._dec: a count of 10**-places units as "w.ffff".
  function decUnits(units, places) {
    var sign = units < 0n ? "-" : "";
    if (units < 0n) units = -units;
    var p = 10n ** BigInt(places);
    var whole = units / p, rest = units % p;
    return sign + whole + "." + String(rest).padStart(places, "0");
  }

  // ---- rulesets --------------------------------------------------------------------------------

  function thresholdFraction(rules, delegates) { // RuleSet.threshold_fraction
    if (delegates <= 1n) return null;
    var rows = Object.keys(rules.thresholds).map(function (k) {
      return [BigInt(k), parseFrac(rules.thresholds[k])];
    }).sort(function (a, b) { return a[0] > b[0] ? -1 : a[0] < b[0] ? 1 : 0; });
    for (var i = 0; i < rows.length; i++) if (delegates >= rows[i][0]) return rows[i][1];
    throw new Error("no threshold for D=" + delegates);
  }
  function viabilityThreshold(rules, delegates, attendees) {
    var f = thresholdFraction(rules, delegates);
    if (f === null) return null;
    return ceilFrac(frac(f.n * attendees, f.d));
  }
  function viableGroups(counts, threshold) {
    return sorted(Object.keys(counts).filter(function (g) {
      return counts[g] > 0n && counts[g] >= threshold;
    }));
  }

  // ---- validation (core/checks.py) -------------------------------------------------------------

  function isCount(v) { return typeof v === "number" && Number.isInteger(v); }
  function isMapping(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function checkCount(problems, field, value, cap) {
    if (!isCount(value)) {
      problems.push({ field: field, message: "must be a whole number, got " + pyRepr(value) });
      return false;
    }
    if (value < 0) {
      problems.push({ field: field, message: "must not be negative, got " + value });
      return false;
    }
    if (value > cap) {
      problems.push({ field: field, message: "is implausibly large (" + value + "; limit " + cap + ")" });
      return false;
    }
    return true;
  }

  function checkAlignment(problems, name, counts, attendees) {
    var ok = true;
    if (!isMapping(counts)) {
      problems.push({ field: name, message: "must map group names to head counts" });
      return false;
    }
    Object.keys(counts).forEach(function (group) {
      var value = counts[group];
      if (!group.trim()) {
        problems.push({ field: name, message: "group names must be non-empty text, got " + pyRepr(group) });
        ok = false;
        return;
      }
      if (group !== group.trim()) {
        problems.push({ field: name + "." + group.trim(), message: "group name has stray spaces" });
        ok = false;
      }
      if (!checkCount(problems, name + "." + group, value, MAX_PEOPLE)) ok = false;
    });
    if (ok && attendees !== null) {
      var total = Object.keys(counts).reduce(function (s, g) { return s + counts[g]; }, 0);
      if (total > attendees) {
        problems.push({
          field: name,
          message: "alignment total " + total + " is above the " + attendees +
            " attendees counted at the start (rules.md §3.2)",
        });
        ok = false;
      }
    }
    return ok;
  }

  function realignmentProblems(rules, data) {
    // checks.realignment_problems: people may leave (they stay in N); members of viable groups
    // may not join another group, so viable groups may shrink only by as many as left the room.
    var problems = [];
    var first = data.first, final = data.final;
    var sum = function (m) { return Object.keys(m).reduce(function (s, g) { return s + m[g]; }, 0n); };
    var firstTotal = sum(first), finalTotal = sum(final);
    if (finalTotal > firstTotal) {
      problems.push({
        field: "final",
        message: "the final alignment has " + finalTotal + " people but the first had " +
          firstTotal + ": nobody may join after the first alignment (rules.md §4)",
      });
    }
    var threshold = viabilityThreshold(rules, data.delegates, data.attendees);
    if (threshold === null) return problems;
    var left = firstTotal > finalTotal ? firstTotal - finalTotal : 0n;
    var lostTotal = 0n, lost = {};
    Object.keys(first).forEach(function (g) {
      var before = first[g], after = getOr(final, g, 0n);
      if (before > 0n && before >= threshold && after < before) { lost[g] = true; lostTotal += before - after; }
    });
    var moved = lostTotal > left;
    var names = sorted(Array.from(new Set(Object.keys(first).concat(Object.keys(final)))));
    names.forEach(function (group) {
      var before = getOr(first, group, 0n), after = getOr(final, group, 0n);
      if (lost[group] && moved) {
        problems.push({
          field: "final." + group,
          message: group + "'s group was viable, so its members cannot join another group: " +
            "it went from " + before + " to " + after + ", but " +
            (left === 0n ? "nobody" : "only " + left) + " left the room (the final " +
            "alignment total is " + finalTotal + ", the first " + firstTotal + ") (rules.md §4)",
        });
      } else if (before < threshold && after < threshold && after > before) {
        problems.push({
          field: "final." + group,
          message: group + "'s group was not viable and is still not viable, so it cannot gain " +
            "members: it went from " + before + " to " + after + " (viability needs " + threshold +
            ") (rules.md §4)",
        });
      }
    });
    return problems;
  }

  /** checks.departures: viable groups that shrank because people left (group -> how many). */
  function departures(rules, input) {
    if (!input.first || rules.realignment !== "nonviable-only") return {};
    var data;
    try { data = toBig(input); } catch (e) { return {}; }
    var threshold = viabilityThreshold(rules, data.delegates, data.attendees);
    if (threshold === null) return {};
    var out = {}, total = 0n;
    sorted(Object.keys(data.first)).forEach(function (g) {
      var before = data.first[g], after = getOr(data.final, g, 0n);
      if (before > 0n && before >= threshold && after < before) { out[g] = Number(before - after); total += before - after; }
    });
    var left = sum2(data.first) - sum2(data.final);
    return total <= left ? out : {};
  }
  function sum2(m) { return Object.keys(m).reduce(function (s, g) { return s + m[g]; }, 0n); }

  function validateInput(rules, input, knownGroups) {
    var problems = [];
    var dOk = checkCount(problems, "delegates", input.delegates, MAX_DELEGATES);
    var nOk = checkCount(problems, "attendees", input.attendees, MAX_PEOPLE);
    if (nOk && input.attendees === 0) {
      problems.push({ field: "attendees", message: "must be at least 1: nobody attended (N = 0)" });
      nOk = false;
    }
    var attendees = nOk ? input.attendees : null;
    var finalOk = checkAlignment(problems, "final", input.final, attendees);
    var firstOk = true;
    var hasFirst = input.first !== null && input.first !== undefined;
    if (hasFirst) firstOk = checkAlignment(problems, "first", input.first, attendees);
    (input.toss_winners || []).forEach(function (name, i) {
      if (typeof name !== "string" || !name) {
        problems.push({ field: "toss_winners[" + i + "]", message: "must be a group name, got " + pyRepr(name) });
      }
    });
    if (knownGroups) {
      var known = sorted(Array.from(knownGroups));
      [["final", input.final], ["first", hasFirst ? input.first : {}]].forEach(function (pair) {
        if (!isMapping(pair[1])) return;
        Object.keys(pair[1]).forEach(function (group) {
          if (known.indexOf(group) < 0) {
            problems.push({
              field: pair[0] + "." + group,
              message: "unknown group; expected one of " + known.join(", "),
            });
          }
        });
      });
    }
    if (dOk && nOk && finalOk && firstOk && hasFirst && rules.realignment === "nonviable-only") {
      problems = problems.concat(realignmentProblems(rules, toBig(input)));
    }
    if (problems.length) throw new ValidationError(problems);
  }

  function bigMap(m) {
    var out = {};
    Object.keys(m).forEach(function (g) { out[g] = BigInt(m[g]); });
    return out;
  }
  function toBig(input) {
    var hasFirst = input.first !== null && input.first !== undefined;
    return {
      delegates: BigInt(input.delegates),
      attendees: BigInt(input.attendees),
      final: bigMap(input.final),
      first: hasFirst ? bigMap(input.first) : null,
      toss_winners: (input.toss_winners || []).slice(),
    };
  }

  // ---- games of chance (core/ties.py) ----------------------------------------------------------

  function TossBook(winners, method) {
    this.winners = winners; this.pos = 0; this.method = method; this.records = [];
  }
  function pendingTie(groups, delegates, action, method, reason) {
    var need = action === "gain" ? delegates : groups.length - delegates;
    return { groups: groups.slice(), delegates: delegates, action: action, method: method,
      winners_needed: need, reason: reason };
  }
  TossBook.prototype.decide = function (groups, delegates, action, reason) {
    var pending = pendingTie(groups, delegates, action, this.method, reason);
    var need = pending.winners_needed;
    var left = this.winners.length - this.pos;
    if (left === 0) return { pending: pending };
    if (left < need) {
      throw single("toss_winners[" + this.pos + "]", "the " + this.method + " between " +
        groups.join(", ") + " needs " + need + " winner(s); only " + left + " given");
    }
    var chosen = this.winners.slice(this.pos, this.pos + need);
    for (var offset = 0; offset < chosen.length; offset++) {
      var name = chosen[offset], index = this.pos + offset;
      if (groups.indexOf(name) < 0) {
        throw single("toss_winners[" + index + "]", pyRepr(name) + " is not in the tie: the " +
          this.method + " is between " + groups.join(", ") + " (" + delegates + " delegate(s) to " +
          action + ")");
      }
      if (chosen.slice(0, offset).indexOf(name) >= 0) {
        throw single("toss_winners[" + index + "]", pyRepr(name) + " is named twice for the same tie");
      }
    }
    this.pos += need;
    var won = sorted(chosen);
    this.records.push({ groups: groups.slice(), delegates: delegates, action: action,
      method: this.method, winners: won });
    return { winners: won };
  };
  TossBook.prototype.checkAllUsed = function () {
    if (this.pos < this.winners.length) {
      throw single("toss_winners[" + this.pos + "]", pyRepr(this.winners[this.pos]) +
        ": no tie is left for this outcome to decide");
    }
  };

  // ---- the worksheet as data (core/steps.py) and its words (core/wording.py) -----------------

  // One typed worksheet record, as StepRecord.to_dict(): action, group, kind, the data, and the
  // text rendered from the data by renderStep (never stored any other way).
  function rec(kind, action, group, data) {
    var out = { action: action, group: group === undefined ? null : group, kind: kind };
    Object.keys(data || {}).forEach(function (k) {
      var v = data[k];
      out[k] = typeof v === "bigint" ? Number(v) : v;
    });
    out.text = renderStep(out);
    return out;
  }

  function tieReason(basis, tied, value, delegates) {
    if (basis === "closest") {
      return tied + " groups tie at decimal " + value + " for " + delegates + " remaining delegate(s)";
    }
    if (basis === "furthest") {
      return tied + " groups tie at decimal " + value + " and " + delegates + " delegate(s) must be removed";
    }
    if (basis === "smallest") {
      return tied + " equally small groups (share " + value + ") and " + delegates + " must lose their " +
        "delegate: more viable groups than delegates";
    }
    return tied + " groups tie as the largest with " + value + " each";
  }

  function noteText(why, groups, count) {
    switch (why) {
      case "no-delegates": return "This precinct elects no delegates (D = 0): nothing to allocate.";
      case "nobody": return "Nobody is in any group: the single delegate cannot be elected yet.";
      case "no-majority": return "No one has a majority of the " + count + " votes cast: the caucus votes again.";
      case "no-strict-majority":
        return "No group has more than half of the attendees: no delegate yet " +
          "(rules.md §11 Q2 leaves what happens next open).";
      case "none-viable": return "No group is viable: no delegate can be allocated; the caucus must realign.";
      case "realign-wait":
        return groups.join(", ") + " must realign; " + count + " delegate(s) wait for the new final " +
          "alignment (IDP 2020 app behaviour, rules.md §10, Q8).";
      default: return "Every viable group must realign; no delegate can be allocated yet.";
    }
  }

  function extraText(viable, delegates, awarded) {
    return viable + " viable groups for " + delegates + " delegates: every viable group keeps its " +
      "delegate and the precinct awards " + awarded + " (rules.md §5.7 step 5, Nevada Principle 2)";
  }

  function renderStep(s) {
    var g = s.group;
    switch (s.kind) {
      case "threshold":
        return "Viability threshold: " + s.fraction + " x " + s.attendees + " attendees = " + s.exact +
          ", rounded up to " + s.threshold + " (rules.md §3).";
      case "viable":
        return "Viable " + (s.alignment === "first" ? "after the first" : "in the final") +
          " alignment: " + (s.groups.join(", ") || "none");
      case "stays-viable":
        return g + " stays viable: it was viable in the first alignment " +
          "(option first_viability_sticks, rules.md §11 Q3)";
      case "one-delegate":
        if (s.rule === "majority-vote") {
          return "One delegate: no preference groups; a simple majority of the " + s.cast +
            " votes cast elects it (rules.md §5.6, 2016).";
        }
        if (s.rule === "strict-majority") {
          return "One delegate: a group needs more than half of the " + s.attendees +
            " attendees (strict majority option, rules.md §11 Q2).";
        }
        return "One delegate: the largest final group wins it; a tie goes to a " + s.method +
          " (rules.md §5.6).";
      case "round":
        return g + ": " + s.members + " x " + s.delegates + " / " + s.attendees + " = " + s.decimal +
          ", rounds " + s.direction + " to " + s.rounded +
          (s.raised ? "; raised to 1: a viable group gets at least one delegate (rules.md §5.1)" : "");
      case "total": return "Rounded total " + s.total + "; delegates to elect " + s.delegates + ".";
      case "add":
        return "+1 to " + g + " (now " + s.now + "): its share is the closest to the next whole number " +
          "(decimal " + s.decimal + "); " + s.short + " short";
      case "remove":
        return "-1 from " + g + " (now " + s.now + "): decimal " + s.decimal + ", furthest from rounding up" +
          (s.protected ? "; groups holding only one delegate are protected (rules.md §5.3)" : "") +
          "; " + s.excess + " too many";
      case "zero":
        if (s.realign) {
          return g + " loses its delegate and must realign: smallest group (share " + s.share + "); " +
            "more viable groups than delegates (IDP 2020 app behaviour, rules.md §10, Q8)";
        }
        return g + " loses its only delegate: the smallest group (share " + s.share + ") when more " +
          "groups are viable than there are delegates (rules.md §5.7 step 5)";
      case "tie":
        var reason = tieReason(s.basis, s.groups.length, s.value, s.delegates);
        if (s.basis === "largest") return "Tie: " + reason + "; a " + s.method + " decides.";
        return "Tie: " + reason + "; a " + s.method + " decides who " + (s.change === "gain" ? "gains" : "keeps") + ".";
      case "toss":
        if (s.basis === "largest") return g + " won the " + s.method;
        if (s.change === "gain") return "+1 to " + g + " (now " + s.now + "): won the " + s.method;
        if (s.won) return g + " keeps " + (s.basis === "smallest" ? "its delegate" : s.now) + ": won the " + s.method;
        if (s.basis === "smallest") return g + " loses its only delegate: lost the " + s.method;
        return "-1 from " + g + " (now " + s.now + "): lost the " + s.method;
      case "extra": return extraText(s.viable, s.delegates, s.awarded);
      case "note": return noteText(s.why, s.groups, s.count);
      // Nevada (core/wording.py _NEVADA): early ranked ballots and card draws.
      case "early-count":
        return s.ballots + " early ballot(s): " + s.valid + " valid, " + s.void + " void; N = " + s.attendees +
          " in person + " + s.valid + " early = " + s.n + " (rules.md §3.2, §4 NV)";
      case "early-void": return s.count + " void: " + s.reason + " (rules.md §11 Q9)";
      case "early-first": return g + ": " + s.count + " early first choice(s) join the first alignment";
      case "early-targets":
        if (s.after === "none") {
          return "No viability in this precinct (D <= 1): early ballots stay with their first choice " +
            "(rules.md §5.6).";
        }
        return "Early ballots of non-viable first choices move to their highest-ranked choice viable " +
          "after the " + (s.after === "first" ? "first alignment" : "in-person realignment") + ": " +
          (s.groups.join(", ") || "none") + " (" +
          (s.after === "first" ? "option early_realign=after-first, rules.md §11 Q9" : "rules.md §4 NV") + ")";
      case "early-lost": return g + ": not viable, " + s.count + " early ballot(s) move on";
      case "early-gained": return g + ": gains " + s.count + " early ballot(s) from lower choices";
      case "early-exhausted":
        return s.count + " early ballot(s) rank no viable group: they count for no group and stay in N";
      case "draw":
        return "Card draw between " + s.groups.join(", ") + ": " + s.cards.join(", ") + "; " +
          s.winners.join(", ") + " " + (s.change === "gain" ? "gain" : "keep") +
          " (aces high; spades > hearts > diamonds > clubs, rules.md §5.4)" +
          (s.witnesses.length ? "; witnesses: " + s.witnesses.join(", ") : "");
      case "award":
        if (s.single) return g + " elects the precinct's delegate (" + s.members + ").";
        return g + ": " + s.delegates + " delegate(s)";
    }
    throw new Error("unknown step kind " + s.kind);
  }

  function note(why, groups, count) {
    return rec("note", "note", null, { why: why, groups: groups || [], count: count === undefined ? null : count });
  }

  // ---- allocation (core/allocation.py) ---------------------------------------------------------

  function allocate(rules, delegates, attendees, members, tosses) {
    var places = rules.tie_places;
    var unit = 10n ** BigInt(places);
    var groups = sorted(Object.keys(members));
    var raw = {}, key = {}, rounded = {}, a = {};
    var log = [];
    var out = { raw: raw, rounded: rounded, delegates: a, pending: null, must_realign: [],
      log: log, notes: [] };
    groups.forEach(function (g) {
      raw[g] = frac(members[g] * delegates, attendees);
      key[g] = scaledUnits(raw[g], places);
      var r = roundHalfUp(raw[g]);
      rounded[g] = r;
      a[g] = r > 1n ? r : 1n;
      var rd = r * raw[g].d;
      log.push(rec("round", "round", g, { members: members[g], delegates: delegates, attendees: attendees,
        raw: fracStr(raw[g]), decimal: decUnits(key[g], places),
        direction: rd > raw[g].n ? "up" : (rd < raw[g].n ? "down" : "exactly"), rounded: r, raised: r < 1n }));
    });
    var sumA = function () { return groups.reduce(function (s, g) { return s + a[g]; }, 0n); };
    var activeGroups = function () { return groups.filter(function (g) { return a[g] > 0n; }); };
    log.push(rec("total", "total", null, { total: sumA(), delegates: delegates }));

    function addNote(n) { out.notes.push(n.text); log.push(n); }

    // §5.4: the recorded game of chance, or the pending tie. True when the allocation stops.
    function settle(tied, stake, change, basis, units) {
      var value = decUnits(units, places);
      var outcome = tosses.decide(tied, Number(stake), change, tieReason(basis, tied.length, value, stake));
      if (outcome.pending) {
        if (change === "lose") tied.forEach(function (g) { a[g] -= 1n; });
        out.pending = outcome.pending;
        log.push(rec("tie", "tie", null, { groups: tied.slice(), delegates: stake, change: change,
          basis: basis, value: value, method: tosses.method }));
        return true;
      }
      var index = tosses.records.length - 1;
      tied.forEach(function (g) {
        var won = outcome.winners.indexOf(g) >= 0;
        if (change === "gain") {
          if (!won) return;
          a[g] += 1n;
        } else if (!won) {
          a[g] -= 1n;
        }
        log.push(rec("toss", "toss", g, { tie: index, won: won, change: change, basis: basis, now: a[g],
          method: tosses.method }));
      });
      return false;
    }

    // §5.2: too few; the closest to the next whole number gains.
    function give(short) {
      if (out.must_realign.length) {
        addNote(note("realign-wait", out.must_realign.slice(), short));
        return true;
      }
      var active = activeGroups();
      if (!active.length) { addNote(note("all-realign")); return true; }
      var keys = {};
      active.forEach(function (g) { keys[g] = key[g] - a[g] * unit; });
      var best = active.reduce(function (m, g) { return keys[g] > m ? keys[g] : m; }, keys[active[0]]);
      var tied = active.filter(function (g) { return keys[g] === best; });
      if (BigInt(tied.length) > short) return settle(tied, short, "gain", "closest", best);
      tied.forEach(function (g) {
        a[g] += 1n;
        log.push(rec("add", "add", g, { now: a[g], decimal: decUnits(best, places), short: short }));
      });
      return false;
    }

    // §5.7 step 5: every viable group holds one delegate, more groups than delegates.
    function overshoot(active, total) {
      var excess = total - delegates;
      if (rules.overshoot === "award-extra") {
        var extra = rec("extra", "extra", null, { viable: active.length, delegates: delegates, awarded: total });
        out.notes.push(extra.text);
        log.push(extra);
        return true;
      }
      var smallest = active.reduce(function (m, g) { return key[g] < m ? key[g] : m; }, key[active[0]]);
      var tied = active.filter(function (g) { return key[g] === smallest; });
      var realign = rules.overshoot_ties === "all-realign";
      if (!realign && BigInt(tied.length) > excess) return settle(tied, excess, "lose", "smallest", smallest);
      tied.forEach(function (g) {
        a[g] = 0n;
        if (realign) out.must_realign.push(g);
        log.push(rec("zero", "zero", g, { share: decUnits(smallest, places), realign: realign }));
      });
      return false;
    }

    // §5.3: too many; the furthest from rounding up loses.
    function take(total) {
      var excess = total - delegates;
      var active = activeGroups();
      var floor = rules.protect_only_delegate ? 2n : 1n;
      var eligible = active.filter(function (g) { return a[g] >= floor; });
      if (!eligible.length) return overshoot(active, total);
      var keys = {};
      eligible.forEach(function (g) { keys[g] = key[g] - (a[g] - 1n) * unit; });
      var worst = eligible.reduce(function (m, g) { return keys[g] < m ? keys[g] : m; }, keys[eligible[0]]);
      var tied = eligible.filter(function (g) { return keys[g] === worst; });
      if (BigInt(tied.length) > excess) return settle(tied, excess, "lose", "furthest", worst);
      var prot = !!rules.protect_only_delegate && eligible.length < active.length;
      tied.forEach(function (g) {
        a[g] -= 1n;
        log.push(rec("remove", "remove", g, { now: a[g], decimal: decUnits(worst, places), excess: excess,
          protected: prot }));
      });
      return false;
    }

    for (;;) {
      var total = sumA();
      if (total === delegates) break;
      if (total < delegates ? give(delegates - total) : take(total)) break;
    }
    return out;
  }

  // ---- one precinct (core/precinct.py) ---------------------------------------------------------

  function lines(data, viableFirst, viable, raw, rounded, delegates) {
    var names = Object.keys(data.final).concat(data.first ? Object.keys(data.first) : []);
    return sorted(Array.from(new Set(names))).map(function (g) {
      var value = getOr(raw, g, null);
      var r = getOr(rounded, g, null);
      return {
        group: g,
        first: data.first === null ? null : Number(getOr(data.first, g, 0n)),
        final: Number(getOr(data.final, g, 0n)),
        viable_first: viableFirst === null ? null : viableFirst.indexOf(g) >= 0,
        viable: viable.indexOf(g) >= 0,
        raw: value === null ? null : fracStr(value),
        raw_decimal: value === null ? null : decimalStr(value, 4),
        rounded: r === null ? null : Number(r),
        delegates: Number(getOr(delegates, g, 0n)),
      };
    });
  }

  function numMap(m) {
    var out = {};
    Object.keys(m).forEach(function (g) { out[g] = Number(m[g]); });
    return out;
  }

  function result(rules, data, fields) {
    var delegates = fields.delegates || {};
    var awarded = Object.keys(delegates).reduce(function (s, g) { return s + Number(delegates[g]); }, 0);
    return {
      ruleset: rules.name,
      delegates_to_elect: Number(data.delegates),
      attendees: Number(data.attendees),
      threshold: fields.threshold === null || fields.threshold === undefined ? null : Number(fields.threshold),
      viable_first: fields.viable_first === undefined ? null : fields.viable_first,
      viable: fields.viable || [],
      delegates: numMap(delegates),
      awarded: awarded,
      pending_tie: fields.pending || null,
      ties: fields.ties || [],
      must_realign: fields.must_realign || [],
      undecided: !!fields.undecided,
      complete: !fields.pending && !fields.undecided && !(fields.must_realign || []).length,
      groups: fields.lines,
      notes: fields.notes || [],
      log: fields.log || [],
    };
  }

  function noDelegates(rules, data) {
    var n = note("no-delegates");
    return result(rules, data, { threshold: null, viable_first: null, viable: [],
      lines: lines(data, null, [], {}, {}, {}), log: [n], notes: [n.text] });
  }

  function oneDelegate(rules, data, tosses) { // rules.md §5.6, §11 Q2
    var log = [], notes = [];
    var final = {};
    Object.keys(data.final).forEach(function (g) { if (data.final[g] > 0n) final[g] = data.final[g]; });
    var names = Object.keys(final);
    var pending = null, winner = null, undecided = false, candidates = [];
    var rule = rules.one_delegate;
    var cast = names.reduce(function (s, g) { return s + final[g]; }, 0n);
    if (!names.length) {
      undecided = true;
    } else {
      var top = names.reduce(function (m, g) { return final[g] > m ? final[g] : m; }, final[names[0]]);
      var leaders = sorted(names.filter(function (g) { return final[g] === top; }));
      candidates = leaders;
      log.push(rec("one-delegate", "rule", null, { rule: rule, method: tosses.method,
        cast: rule === "majority-vote" ? cast : null,
        attendees: rule === "strict-majority" ? data.attendees : null }));
      if (rule !== "largest-group") {
        if (2n * top > (rule === "majority-vote" ? cast : data.attendees)) winner = leaders[0];
        else undecided = true;
      } else if (leaders.length === 1) {
        winner = leaders[0];
      } else {
        var outcome = tosses.decide(leaders, 1, "gain", tieReason("largest", leaders.length, String(top), 1));
        if (outcome.pending) {
          pending = outcome.pending;
          log.push(rec("tie", "tie", null, { groups: leaders.slice(), delegates: 1, change: "gain",
            basis: "largest", value: String(top), method: tosses.method }));
        } else {
          winner = outcome.winners[0];
          log.push(rec("toss", "toss", winner, { tie: tosses.records.length - 1, won: true, change: "gain",
            basis: "largest", now: 1, method: tosses.method }));
        }
      }
    }
    var delegates = {};
    if (winner !== null) {
      delegates[winner] = 1n;
      log.push(rec("award", "award", winner, { delegates: 1, single: true, members: final[winner] }));
    }
    if (undecided) {
      var why = !names.length ? "nobody" : (rule === "majority-vote" ? "no-majority" : "no-strict-majority");
      var n = note(why, [], why === "no-majority" ? cast : null);
      notes.push(n.text);
      log.push(n);
    }
    return result(rules, data, { threshold: null, viable_first: null, viable: candidates,
      lines: lines(data, null, candidates, {}, {}, delegates), delegates: delegates,
      pending: pending, ties: tosses.records, log: log, notes: notes, undecided: undecided });
  }

  function manyDelegates(rules, data, tosses) {
    var fraction = thresholdFraction(rules, data.delegates);
    var threshold = viabilityThreshold(rules, data.delegates, data.attendees);
    var log = [rec("threshold", "threshold", null, { fraction: fracStr(fraction), attendees: data.attendees,
      exact: decimalStr(frac(fraction.n * data.attendees, fraction.d), 4), threshold: threshold })];
    var viableFirst = null;
    if (data.first !== null) {
      viableFirst = viableGroups(data.first, threshold);
      log.push(rec("viable", "viable-first", null, { alignment: "first", groups: viableFirst.slice() }));
    }
    var viable = viableGroups(data.final, threshold);
    if (rules.first_viability_sticks && viableFirst && viableFirst.length) {
      var kept = viableFirst.filter(function (g) {
        return viable.indexOf(g) < 0 && getOr(data.final, g, 0n) > 0n;
      });
      kept.forEach(function (g) {
        log.push(rec("stays-viable", "viable", g, {}));
      });
      viable = sorted(Array.from(new Set(viable.concat(kept))));
    }
    log.push(rec("viable", "viable", null, { alignment: "final", groups: viable.slice() }));
    var notes = [];
    if (!viable.length) {
      var none = note("none-viable");
      notes.push(none.text);
      log.push(none);
      return result(rules, data, { threshold: threshold, viable_first: viableFirst, viable: [],
        lines: lines(data, viableFirst, [], {}, {}, {}), log: log, notes: notes, undecided: true });
    }
    var members = {};
    viable.forEach(function (g) { members[g] = data.final[g]; });
    var alloc = allocate(rules, data.delegates, data.attendees, members, tosses);
    log = log.concat(alloc.log);
    notes = notes.concat(alloc.notes);
    var delegates = {};
    sorted(Object.keys(alloc.delegates)).forEach(function (g) {
      if (alloc.delegates[g] > 0n) delegates[g] = alloc.delegates[g];
    });
    if (alloc.pending === null) {
      Object.keys(delegates).forEach(function (g) {
        log.push(rec("award", "award", g, { delegates: delegates[g], single: false, members: null }));
      });
    }
    return result(rules, data, { threshold: threshold, viable_first: viableFirst, viable: viable,
      lines: lines(data, viableFirst, viable, alloc.raw, alloc.rounded, delegates),
      delegates: delegates, pending: alloc.pending, ties: tosses.records, log: log, notes: notes,
      must_realign: alloc.must_realign });
  }

  function computePrecinct(rules, input, knownGroups) {
    validateInput(rules, input, knownGroups);
    var data = toBig(input);
    var tosses = new TossBook(data.toss_winners, rules.tie_method);
    var out;
    if (data.delegates === 0n) out = noDelegates(rules, data);
    else if (data.delegates === 1n) out = oneDelegate(rules, data, tosses);
    else out = manyDelegates(rules, data, tosses);
    tosses.checkAllUsed();
    return out;
  }

  function compute(rules, input, knownGroups) {
    try {
      return { ok: true, result: computePrecinct(rules, input, knownGroups) };
    } catch (e) {
      if (e instanceof ValidationError) return { ok: false, problems: e.problems };
      throw e;
    }
  }

  // ---- Nevada 2020: early ranked ballots (core/early.py) ---------------------------------------
  // Rule: rules.md §4 NV (early ballots counted at the home precinct), §3.2 (N), §11 Q9; the
  // reading and its options are in docs/adr/0011-nevada-early-ballots-and-ccds.md.

  var MAX_EARLY_BALLOTS = 1000000;

  // SHA-256 of a string's UTF-8 bytes, as hex (synchronous: the worksheet must work offline and
  // crypto.subtle is asynchronous and absent outside secure contexts).
  var SHA_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function sha256Hex(text) {
    var bytes = Array.from(new TextEncoder().encode(text));
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 7; s >= 0; s--) bytes.push(s >= 4 ? Math.floor(bitLen / Math.pow(2, 8 * s)) & 0xff : (bitLen >>> (8 * s)) & 0xff);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    var rotr = function (x, n) { return (x >>> n) | (x << (32 - n)); };
    for (var off = 0; off < bytes.length; off += 64) {
      for (var i = 0; i < 16; i++) {
        w[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) | (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
      }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA_K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h = [(h[0] + a) | 0, (h[1] + b) | 0, (h[2] + c) | 0, (h[3] + d) | 0,
        (h[4] + e) | 0, (h[5] + f) | 0, (h[6] + g) | 0, (h[7] + hh) | 0];
    }
    return h.map(function (x) { return (x >>> 0).toString(16).padStart(8, "0"); }).join("");
  }

  /** early.early_checksum: order-independent fingerprint, 12 hex digits in groups of four. */
  function earlyChecksum(ballots) {
    var lines = sorted(ballots.map(function (b) { return b.join(">"); }));
    var digest = sha256Hex(ballots.length + "\n" + lines.join("\n") + "\n").slice(0, 12);
    return digest.slice(0, 4) + "-" + digest.slice(4, 8) + "-" + digest.slice(8, 12);
  }

  function voidReason(rules, choices) { // early.void_reason
    var n = choices.length, low = rules.early_min_choices, high = rules.early_max_choices;
    var distinct = new Set(choices).size;
    if (n > high) return "more than " + high + " choices";
    if (rules.early_duplicates === "void" && distinct < n) return "a candidate ranked more than once";
    var counted = rules.early_duplicates === "distinct" ? distinct : n;
    if (counted < low) return "fewer than " + low + " " + (rules.early_duplicates === "distinct" ? "different candidates" : "choices");
    return null;
  }

  function checkBallots(rules, ballots, knownGroups) { // early.check_ballots
    var problems = [];
    if (!has(rules, "early_min_choices") && ballots.length) {
      throw single("early", "the " + rules.name + " rules have no early voting");
    }
    if (rules.early_min_choices > rules.early_max_choices) {
      problems.push({ field: "options.early_min_choices", message: rules.early_min_choices +
        " is above early_max_choices " + rules.early_max_choices });
    }
    if (ballots.length > MAX_EARLY_BALLOTS) {
      problems.push({ field: "early", message: "implausibly many ballots (" + ballots.length + ")" });
    }
    var known = knownGroups ? sorted(Array.from(knownGroups)) : null;
    for (var i = 0; i < ballots.length; i++) {
      var b = ballots[i];
      if (!Array.isArray(b)) {
        problems.push({ field: "early[" + i + "]", message: "must be a list of candidate names" });
      } else {
        b.forEach(function (name, j) {
          var where = "early[" + i + "].choices[" + j + "]";
          if (typeof name !== "string" || !name.trim() || name !== name.trim()) {
            problems.push({ field: where, message: "must be a candidate name, got " + pyRepr(name) });
          } else if (known && known.indexOf(name) < 0) {
            problems.push({ field: where, message: "unknown candidate " + pyRepr(name) + "; expected one of " + known.join(", ") });
          }
        });
      }
      if (problems.length > 50) break;
    }
    if (problems.length) throw new ValidationError(problems);
  }

  function count(m, g) { m[g] = (m[g] || 0) + 1; }
  function sortedCounts(m) {
    var out = {};
    sorted(Object.keys(m)).forEach(function (g) { out[g] = m[g]; });
    return out;
  }

  function tallyEarly(rules, delegates, attendees, first, final, ballots, knownGroups) {
    checkBallots(rules, ballots, knownGroups);
    var valid = [], voids = [];
    ballots.forEach(function (b, i) {
      var reason = voidReason(rules, b);
      if (reason === null) valid.push([i, b]); else voids.push([i, reason]);
    });
    var n = attendees + valid.length;
    var earlyFirst = {};
    valid.forEach(function (x) { count(earlyFirst, x[1][0]); });
    var log = [rec("early-count", "early", null, { ballots: ballots.length, valid: valid.length,
      void: voids.length, attendees: attendees, n: n })];
    var reasons = {};
    voids.forEach(function (x) { count(reasons, x[1]); });
    sorted(Object.keys(reasons)).forEach(function (r) {
      log.push(rec("early-void", "early-void", null, { count: reasons[r], reason: r }));
    });
    sorted(Object.keys(earlyFirst)).forEach(function (g) {
      log.push(rec("early-first", "early-first", g, { count: earlyFirst[g] }));
    });
    var threshold = delegates >= 2 && n > 0
      ? Number(viabilityThreshold(rules, BigInt(delegates), BigInt(n))) : null;
    var after = "none", targets = null;
    if (threshold !== null) {
      var afterFirst = rules.early_realign === "after-first";
      var base = afterFirst ? first : final;
      var combined = {};
      Object.keys(base).concat(Object.keys(earlyFirst)).forEach(function (g) {
        combined[g] = getOr(base, g, 0) + getOr(earlyFirst, g, 0);
      });
      targets = sorted(Object.keys(combined).filter(function (g) {
        return combined[g] > 0 && combined[g] >= threshold;
      }));
      after = afterFirst ? "first" : "realignment";
    }
    log.push(rec("early-targets", "early", null, { after: after, groups: targets || [] }));
    var fates = [], earlyFinal = {}, gained = {}, lost = {}, exhausted = 0;
    valid.forEach(function (x) {
      var b = x[1], where;
      if (targets === null || targets.indexOf(b[0]) >= 0) where = b[0];
      else where = b.filter(function (c) { return targets.indexOf(c) >= 0; })[0];
      if (where === undefined) { where = null; exhausted++; }
      if (where !== null) count(earlyFinal, where);
      if (where !== b[0]) {
        count(lost, b[0]);
        if (where !== null) count(gained, where);
      }
      fates.push(where);
    });
    sorted(Object.keys(lost)).forEach(function (g) {
      log.push(rec("early-lost", "early-lost", g, { count: lost[g] }));
    });
    sorted(Object.keys(gained)).forEach(function (g) {
      log.push(rec("early-gained", "early-gained", g, { count: gained[g] }));
    });
    if (exhausted) log.push(rec("early-exhausted", "early-exhausted", null, { count: exhausted }));
    return {
      ballots: ballots.length, valid: valid.length, void: voids.length,
      void_reasons: sortedCounts(reasons), first: sortedCounts(earlyFirst),
      final: sortedCounts(earlyFinal), gained: sortedCounts(gained), lost: sortedCounts(lost),
      exhausted: exhausted, checksum: earlyChecksum(ballots), log: log,
    };
  }

  // ---- Nevada 2020: card draws (core/cards.py) -------------------------------------------------

  var SUITS = { C: [1, "clubs", "♣"], D: [2, "diamonds", "♦"], H: [3, "hearts", "♥"], S: [4, "spades", "♠"] };
  var RANK_WORDS = { J: 11, JACK: 11, Q: 12, QUEEN: 12, K: 13, KING: 13, A: 14, ACE: 14 };
  var SUIT_WORDS = { SPADES: "S", "♠": "S", HEARTS: "H", "♥": "H", DIAMONDS: "D", "♦": "D", CLUBS: "C", "♣": "C" };
  var CARD_RE = /^\s*(10|[2-9]|[AJQK]|ACE|JACK|QUEEN|KING)\s*(?:OF\s+)?([SHDC♠♥♦♣]|SPADES|HEARTS|DIAMONDS|CLUBS)\s*$/;

  function parseCard(text, field) { // cards.parse_card
    if (typeof text !== "string") {
      throw single(field, "must be a card such as 'AS' or '10H', got " + pyRepr(text));
    }
    var m = CARD_RE.exec(text.toUpperCase());
    if (m === null) {
      throw single(field, pyRepr(text) + " is not a card: write rank then suit, e.g. 'AS', '10H', 'QD', '2C'");
    }
    var rank = RANK_WORDS[m[1]] || Number(m[1]);
    var suit = SUIT_WORDS[m[2]] || m[2];
    var rankText = { 11: "J", 12: "Q", 13: "K", 14: "A" }[rank] || String(rank);
    return { rank: rank, suit: suit, key: rank * 10 + SUITS[suit][0], text: rankText + suit,
      rank_text: rankText, display: rankText + SUITS[suit][2] };
  }

  function cardDraw(raw, field) { // cards.card_draw: every card real, none drawn twice
    var problems = [], parsed = {}, order = [];
    var cards = raw && raw.cards;
    if (!isMapping(cards) || !Object.keys(cards).length) {
      throw single(field + ".cards", "must map each tied group to its card");
    }
    Object.keys(cards).forEach(function (group) {
      var card;
      try { card = parseCard(cards[group], field + ".cards." + group); }
      catch (e) { if (e instanceof ValidationError) { problems = problems.concat(e.problems); return; } throw e; }
      order.forEach(function (other) {
        if (parsed[other].key === card.key) {
          problems.push({ field: field + ".cards." + group, message: card.text + " was already drawn by " +
            other + ": one deck has one of each card" });
        }
      });
      if (!has(parsed, group)) order.push(group);
      parsed[group] = card;
    });
    var witnesses = [];
    ((raw && raw.witnesses) || []).forEach(function (w, i) {
      if (typeof w !== "string" || !w.trim()) {
        problems.push({ field: field + ".witnesses[" + i + "]", message: "must be a name, got " + pyRepr(w) });
      } else {
        witnesses.push(w.trim());
      }
    });
    if (problems.length) throw new ValidationError(problems);
    return { cards: parsed, witnesses: witnesses };
  }

  function ranking(draw) { // highest card first (aces high; spades > hearts > diamonds > clubs)
    return Object.keys(draw.cards).sort(function (a, b) { return draw.cards[b].key - draw.cards[a].key; });
  }

  function drawDict(tie, draw, winners) { // DrawnTie.to_dict
    var cards = {};
    sorted(Object.keys(draw.cards)).forEach(function (g) { cards[g] = draw.cards[g].text; });
    var out = {};
    Object.keys(tie).forEach(function (k) { out[k] = tie[k]; });
    out.cards = cards;
    out.order = ranking(draw).map(function (g) {
      var c = draw.cards[g];
      return { group: g, card: c.text, rank: c.rank_text, suit: SUITS[c.suit][1], display: c.display };
    });
    out.witnesses = draw.witnesses.slice();
    out.winners = winners.slice();
    return out;
  }

  function drawnStep(tie, draw, winners) { // nevada_steps.CardDrawn
    return rec("draw", "draw", null, { groups: tie.groups.slice(),
      cards: ranking(draw).map(function (g) { return g + " " + draw.cards[g].display; }),
      winners: winners.slice(), change: tie.action === "gain" ? "gain" : "lose",
      witnesses: draw.witnesses.slice() });
  }

  function addCounts(a, b) {
    var out = {};
    Object.keys(a).forEach(function (g) { out[g] = a[g]; });
    Object.keys(b).forEach(function (g) { out[g] = getOr(out, g, 0) + b[g]; });
    return out;
  }

  /** nevada.compute_nevada: in-person counts plus early ballots, ties settled by card draws.
   *  input: {delegates, attendees, first, final, early: [[choice, ...], ...],
   *          card_draws: [{cards: {group: "AS"}, witnesses: [...]}], confirmed: [count, checksum] | null,
   *          toss_winners: []} */
  function computeNevadaResult(rules, input, knownGroups) {
    // The draws are read first, as the server reads them before it computes.
    var drawsIn = input.card_draws || [], winnersIn = input.toss_winners || [];
    var draws = drawsIn.map(function (d, i) { return cardDraw(d, "card_draws[" + i + "]"); });
    var problems = [];
    checkCount(problems, "delegates", input.delegates, MAX_DELEGATES);
    checkCount(problems, "attendees", input.attendees, MAX_PEOPLE);
    if (problems.length) throw new ValidationError(problems);
    var byCards = rules.tie_method === "card draw";
    if (drawsIn.length && !byCards) {
      throw single("card_draws", "the " + rules.name + " rules break ties by " + rules.tie_method + ", not by card draw");
    }
    if (winnersIn.length && byCards) {
      throw single("toss_winners", "ties are settled by card draws here: record each group's card, not the winners");
    }
    var hasFirst = input.first !== null && input.first !== undefined;
    var firstIn = hasFirst ? input.first : {};
    var tally = tallyEarly(rules, input.delegates, input.attendees, firstIn, input.final,
      input.early || [], knownGroups);
    if (input.confirmed) {
      var cp = [];
      if (input.confirmed[0] !== tally.ballots) {
        cp.push({ field: "early_count", message: "the chair confirmed " + input.confirmed[0] +
          " early ballot(s); " + tally.ballots + " were loaded for this precinct" });
      }
      if (String(input.confirmed[1]).trim().toLowerCase() !== tally.checksum) {
        cp.push({ field: "early_checksum", message: pyRepr(input.confirmed[1]) +
          " does not match the loaded ballots' checksum " + tally.checksum });
      }
      if (cp.length) throw new ValidationError(cp);
    }
    var combined = { delegates: input.delegates, attendees: input.attendees + tally.valid,
      first: hasFirst ? addCounts(firstIn, tally.first) : null,
      final: addCounts(input.final, tally.final), toss_winners: winnersIn.slice() };
    var result = computePrecinct(rules, combined, knownGroups);
    var settled = [], winners = [];
    if (byCards) { // cards.settle_with_cards
      draws.forEach(function (draw, i) {
        var tie = result.pending_tie, where = "card_draws[" + i + "]";
        if (tie === null) throw single(where, "no tie is left for this draw to settle");
        var got = sorted(Object.keys(draw.cards)), want = sorted(tie.groups);
        if (got.join("\u0000") !== want.join("\u0000") || got.length !== want.length) {
          throw single(where + ".cards", "the tie is between " + tie.groups.join(", ") +
            "; cards were recorded for " + got.join(", "));
        }
        var won = sorted(ranking(draw).slice(0, tie.winners_needed));
        settled.push([tie, draw, won]);
        winners = winners.concat(won);
        combined.toss_winners = winners.slice();
        result = computePrecinct(rules, combined, knownGroups);
      });
    }
    var steps = settled.map(function (x) { return drawnStep(x[0], x[1], x[2]); });
    result.log = tally.log.concat(result.log, steps);
    var early = {};
    Object.keys(tally).forEach(function (k) { if (k !== "log") early[k] = tally[k]; });
    early.log = tally.log;
    result.early = early;
    result.card_draws = settled.map(function (x) { return drawDict(x[0], x[1], x[2]); });
    result.in_person = { attendees: input.attendees, first: hasFirst ? Object.assign({}, input.first) : null,
      final: Object.assign({}, input.final) };
    return result;
  }

  function computeNevada(rules, input, knownGroups) {
    try {
      return { ok: true, result: computeNevadaResult(rules, input, knownGroups) };
    } catch (e) {
      if (e instanceof ValidationError) return { ok: false, problems: e.problems };
      throw e;
    }
  }

  root.CaucusMath = {
    computeNevada: computeNevada,
    earlyChecksum: earlyChecksum,
    compute: compute,
    departures: departures,
    viabilityThreshold: function (rules, delegates, attendees) {
      var t = viabilityThreshold(rules, BigInt(delegates), BigInt(attendees));
      return t === null ? null : Number(t);
    },
    thresholdFraction: function (rules, delegates) {
      var f = thresholdFraction(rules, BigInt(delegates));
      return f === null ? null : fracStr(f);
    },
  };
})(typeof window !== "undefined" ? window : globalThis);
