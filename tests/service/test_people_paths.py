"""Every entry path takes every real precinct (issue 12): people who left a viable group,
multi-winner ties; the desk sees a flag and a chair result that overtook a pending first entry.

Rule: rules.md §4 (people who leave stay in N; members of viable groups cannot realign), §5.4
(ties: several winners, successive tosses), §9 (never overwrite silently).
"""

from __future__ import annotations

from typing import Any

from service.service_support import ADAIR_ID, STUART_ID, Service

# Adair 1NW (D = 8, N = 40, T = 6): 2 of Sanders' 9 go home before the final count.
FIRST = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}
LEFT = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 9}


def post(service: Service, path: str, body: dict[str, Any], **kw: Any) -> Any:
    return service.client.post(f"/api/v1{path}", json=body, **kw)


def desk(service: Service, path: str) -> Any:
    return service.client.get(f"/api/v1/desk{path}", auth=service.auth("desk1")).json()


def test_chair_report_with_people_gone_home_is_accepted_and_flagged(service: Service) -> None:
    r = post(service, "/chair/reports", service.report(first=FIRST, final=LEFT, tosses=[]))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "accepted"
    assert sum(r.json()["delegates"].values()) == 8
    rows = desk(service, "/precincts?state=flagged")["precincts"]
    assert [p["id"] for p in rows] == [ADAIR_ID]
    assert "people left viable groups: 2 Sanders supporters" in rows[0]["flags"]


def test_a_move_out_of_a_viable_group_is_still_refused_on_every_path(service: Service) -> None:
    moved = dict(LEFT, Warren=11)  # nobody left: Sanders' 2 joined Warren
    bad = service.report(first=FIRST, final=moved, tosses=[])
    r = post(service, "/chair/reports", bad)
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert problem["field"] == "final.Sanders"  # programs keep the field name
    assert problem["message"].startswith("Sanders's group was viable, so its members cannot join")
    op = post(
        service, "/operator/reports", dict(bad, channel="hotline"), auth=service.auth("operator1")
    )
    assert op.status_code == 422
    rc = {
        "precinct_id": ADAIR_ID,
        "attendees": 40,
        "first": FIRST,
        "final": moved,
        "channel": "recanvass",
        "reason": "recanvass",
    }
    assert post(service, "/desk/recanvass", rc, auth=service.auth("desk1")).status_code == 422


def test_hotline_and_desk_recanvass_accept_people_gone_home(service: Service) -> None:
    body = dict(service.report(first=FIRST, final=LEFT, tosses=[]), channel="hotline")
    r1 = post(service, "/operator/reports", body, auth=service.auth("operator1"))
    assert r1.status_code == 201, r1.text
    r2 = post(service, "/operator/reports", body, auth=service.auth("operator2"))
    assert r2.json()["status"] == "accepted"
    rc = {
        "precinct_id": ADAIR_ID,
        "attendees": 40,
        "first": FIRST,
        "final": dict(LEFT, Sanders=6),
        "channel": "recanvass",
        "reason": "IDP recanvass",
    }
    r3 = post(service, "/desk/recanvass", rc, auth=service.auth("desk1"))
    assert r3.status_code == 201, r3.text
    assert r3.json()["status"] == "accepted"


def test_three_way_tie_for_two_delegates_with_two_tosses_on_every_path(
    service: Service,
) -> None:
    """Stuart (2NE, D from the definition): a 3-way tie needing 2 winners, entered as two
    successive toss winners by the hotline (double entry) and by a desk correction."""
    info = service.client.get(f"/api/v1/public/precincts/{STUART_ID}").json()
    d = info.get("delegates") or info.get("delegates_to_elect")
    assert isinstance(d, int) and d >= 2
    # d + 1 equal groups of 10: every group is viable and gets one delegate, except one: the
    # tie is for the last d - ... delegates; ask the preview how many winners it needs.
    groups = ["Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren", "Yang"][: d + 1]
    counts = dict.fromkeys(groups, 10)
    n = 10 * len(groups)
    base = {
        "precinct_id": STUART_ID,
        "code": service.codes[STUART_ID],
        "attendees": n,
        "first": counts,
        "final": counts,
    }
    pre = post(service, "/chair/preview", base).json()
    tie = pre["pending_tie"]
    assert tie is not None and tie["winners_needed"] >= 2, tie
    winners = sorted(tie["groups"])[: tie["winners_needed"]]
    tosses = [{"winner": w, "witnesses": ["A", "B"]} for w in winners]
    body = dict(base, tosses=tosses, channel="hotline")
    r1 = post(service, "/operator/reports", body, auth=service.auth("operator1"))
    assert r1.status_code == 201, r1.text
    r2 = post(service, "/operator/reports", body, auth=service.auth("operator2"))
    assert r2.json()["status"] == "accepted", r2.text
    for w in winners:
        assert r2.json()["delegates"].get(w, 0) >= 1
    other = sorted(tie["groups"])[-tie["winners_needed"] :]
    rc = {
        "precinct_id": STUART_ID,
        "attendees": n,
        "first": counts,
        "final": counts,
        "tosses": [{"winner": w, "witnesses": []} for w in other],
        "channel": "recount",
        "reason": "recount: toss redone",
    }
    r3 = post(service, "/desk/recanvass", rc, auth=service.auth("desk1"))
    assert r3.status_code == 201, r3.text


def test_chair_result_accepted_while_a_first_entry_waits_is_a_conflict(
    service: Service,
) -> None:
    typo = dict(FIRST, Sanders=7, Warren=11)
    op = dict(service.report(first=typo, final=typo, tosses=[]), channel="hotline")
    r1 = post(service, "/operator/reports", op, auth=service.auth("operator1"))
    assert r1.json()["status"] == "awaiting-second-entry"
    chair = post(service, "/chair/reports", service.report())
    assert chair.json()["status"] == "accepted"
    ov = desk(service, "/overview")
    assert ov["precincts"]["conflict"] == 1 and ov["precincts"]["awaiting_second_entry"] == 0
    (c,) = desk(service, "/conflicts")["conflicts"]
    assert c["version_id"] == r1.json()["version_id"]
    assert c["kind"] == "pending-entry-overtaken"
    assert c["title"] == "Adair County: 1NW ADAIR"
    assert {"field": "final.Warren", "first_entry": 9, "second_entry": 11} in (c["diff_to_current"])
    # the desk closes it with a reason; nothing waits any more
    rej = post(
        service,
        f"/desk/versions/{c['version_id']}/reject",
        {"reason": "chair's report confirmed by phone"},
        auth=service.auth("desk1"),
    )
    assert rej.json()["status"] == "rejected"
    assert desk(service, "/conflicts")["conflicts"] == []


def test_a_pending_first_entry_equal_to_the_chair_result_is_no_conflict(
    service: Service,
) -> None:
    op = dict(service.report(), channel="hotline")
    post(service, "/operator/reports", op, auth=service.auth("operator1"))
    post(service, "/chair/reports", service.report())
    assert desk(service, "/conflicts")["conflicts"] == []
    assert desk(service, "/overview")["precincts"]["conflict"] == 0


def test_correction_preview_shows_the_effect_and_stores_nothing(service: Service) -> None:
    post(service, "/chair/reports", service.report())
    final = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}
    body = {
        "precinct_id": ADAIR_ID,
        "attendees": 40,
        "first": final,
        "final": final,
        "channel": "recanvass",
        "reason": "IDP recanvass",
    }
    before = desk(service, "/overview")["snapshot_version"]
    r = post(service, "/desk/preview", body, auth=service.auth("desk1"))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["before"]["delegates"]["Klobuchar"] == 2
    saved = post(service, "/desk/recanvass", body, auth=service.auth("desk1")).json()
    assert p["after"]["delegates"] == saved["delegates"]
    assert p["after"]["sde_display"] == saved["sde_display"]
    assert set(p["national_before"]) and isinstance(p["national_delta"], dict)
    assert sum(p["national_after"].values()) == sum(p["national_before"].values())
    assert desk(service, "/overview")["snapshot_version"] == before + 1  # only the save counted
    bad = dict(body, final=dict(final, Warren=12))  # 41 > N = 40
    assert post(service, "/desk/preview", bad, auth=service.auth("desk1")).status_code == 422


def test_one_recanvass_at_partial_reporting_is_not_a_correction_anywhere(
    service: Service,
) -> None:
    """The statewide status, the county's and the NIST export stay "unofficial-partial" while
    precincts are missing, even after a recanvass; the recanvassed precinct itself says
    "correction" and the change log lists it (rules.md §9)."""
    from caucuskit.services.export import export_cdf

    post(service, "/chair/reports", service.report())
    rc = {
        "precinct_id": ADAIR_ID,
        "attendees": 40,
        "first": FIRST,
        "final": LEFT,
        "channel": "recanvass",
        "reason": "IDP recanvass",
    }
    assert post(service, "/desk/recanvass", rc, auth=service.auth("desk1")).status_code == 201
    public = service.client.get
    assert public("/api/v1/public/state").json()["status"] == "unofficial-partial"
    assert public("/api/v1/public/counties/adair").json()["status"] == "unofficial-partial"
    assert public(f"/api/v1/public/precincts/{ADAIR_ID}").json()["status"] == "correction"
    assert public("/api/v1/public/changes").json()["changes"][-1]["kind"] == "recanvass"
    assert export_cdf(service.ctx, election_date="2020-02-03")["Status"] == "unofficial-partial"
    page = public("/results").text
    assert "Unofficial, partial" in page and "Corrected" not in page
