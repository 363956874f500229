"""CSV and NIST SP 1500-100 CDF export, the CDF validated against NIST's JSON Schema."""

from __future__ import annotations

import csv
import io
import json

import jsonschema

from caucuskit.services import credentials
from caucuskit.services.export import export_cdf, export_csv
from conftest import NIST_SCHEMA, need
from service.service_support import ADAIR_ID, Service


def test_exports_validate_against_nist_schema(service: Service) -> None:
    need(NIST_SCHEMA.is_dir(), f"NIST schema folder missing at {NIST_SCHEMA}")
    assert service.client.post("/api/v1/chair/reports", json=service.report()).status_code == 201
    sat = next(p for p in service.ctx.precincts if p.satellite)
    issued, _ = credentials.issue_codes(service.ctx, only=[sat.id])
    body = {
        "precinct_id": sat.id,
        "code": issued[0].code,
        "attendees": 65,
        "first": {"Sanders": 48, "Warren": 15, "Biden": 2},
        "final": {"Sanders": 48, "Warren": 17},
    }
    r = service.client.post("/api/v1/chair/reports", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["delegates"] == {"Sanders": 5, "Warren": 2}  # rules.md §7.3 example
    doc = export_cdf(service.ctx, election_date="2020-02-03")
    schema = json.loads((NIST_SCHEMA / "NIST_V2_election_results_reporting.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    assert doc["Status"] == "unofficial-partial"
    sel = {s["CandidateIds"][0]: s for s in doc["Election"][0]["Contest"][0]["ContestSelection"]}
    cand = {
        c["BallotName"]["Text"][0]["Content"]: c["@id"] for c in doc["Election"][0]["Candidate"]
    }
    klob = sel[cand["Klobuchar"]]["VoteCounts"]
    sdes = [c["Count"] for c in klob if c.get("OtherType") == "state-delegate-equivalents"]
    assert 0.1569 in sdes
    rows = list(csv.DictReader(io.StringIO(export_csv(service.ctx))))
    k = next(r for r in rows if r["precinct_id"] == ADAIR_ID and r["candidate"] == "Klobuchar")
    assert (k["delegates"], k["sde"], k["sde_exact"]) == ("2", "0.1569", "8/51")
    assert any(r["precinct_id"] == sat.id and r["candidate"] == "Sanders" for r in rows)
