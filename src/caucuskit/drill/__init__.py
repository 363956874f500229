"""``caucus drill``: rehearse a caucus night against a running results service.

Rule: rules.md §9 (what went wrong in Iowa in 2020: an app never tested at state scale, chairs
who had not signed in, a hotline swamped by callers, partial data published after a "coding
issue"). The drill replays a real results file through the service's public HTTP API only — the
way chairs, hotline operators, the results desk and the public would — with the faults of a real
night, then proves that what the public saw equals an offline tabulation of what was accepted.

Modules: :mod:`.client` (every endpoint and credential the drill uses, in one place),
:mod:`.plan` (the deterministic night for a seed), :mod:`.reports` (report bodies that satisfy
the rules: toss winners, corrections, recanvass changes), :mod:`.servers` (a server process and a
throwaway PostgreSQL cluster the drill may own, for the kill -9 and restart faults),
:mod:`.night` (the run), :mod:`.metrics`, :mod:`.proof`, :mod:`.output` (terminal, JSON) and
:mod:`.html` (the HTML report with inline SVG plots).

Layering (docs/adr/0010-drill-package.md): the drill is a client of the service; it imports
``core``, ``formats`` and ``services`` (for the offline tabulation of the proof), never ``db`` or
``web``; ``cli`` imports it.
"""
