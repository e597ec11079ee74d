"""A results.json reduced to what must not change when the code is reorganised: every probe's
status and metric values with their intervals per model, the ids of the examples it shows, the
paired verdicts, the models and the data. Timings, run ids, paths, versions, file hashes (a
re-saved .skops file hashes differently) and free-text details are left out.

Run as a script to (re)write a golden file: python tests/golden/summary.py RESULTS.json > FILE
"""

from __future__ import annotations

import json
import sys
from typing import Any

DIGITS = 9  # far below any difference a report shows; absorbs float formatting only


def _num(x: Any) -> Any:
    return round(x, DIGITS) if isinstance(x, float) else x


def _metric(m: dict) -> list:
    ci = m.get("ci")
    return [_num(m.get("value")), [_num(v) for v in ci] if isinstance(ci, list) else None]


def summarise(doc: dict) -> dict:
    models = [{k: m.get(k) for k in ("id", "kind", "labels")} for m in doc["models"]]  # fingerprints hash files
    probes = {}
    for p in doc["probes"]:
        results = {}
        for model_id, r in sorted(p["results"].items()):
            results[model_id] = {
                "status": r.get("status"),
                "metrics": {name: _metric(m) for name, m in sorted((r.get("metrics") or {}).items())},
                "example_ids": [e.get("id") for e in r.get("examples") or []],
            }
        paired = [{k: (_num(v) if not isinstance(v, list) else [_num(x) for x in v]) for k, v in c.items()}
                  for c in (p.get("paired") or {}).get("comparisons", [])]
        probes[p["name"]] = {"version": p.get("version"), "config": p.get("config"), "results": results,
                             "paired": paired}
    dataset = {k: doc["dataset"].get(k) for k in ("size", "fingerprint", "labels", "label_counts")}
    return {"schema": doc["schema"], "dataset": dataset, "models": models, "probes": probes}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(json.dumps(summarise(json.load(fh)), indent=1, sort_keys=True))
