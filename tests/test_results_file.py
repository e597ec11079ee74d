"""Reading a results file: another schema version says what to do about it."""

import json

import pytest

from audit import RESULTS_SCHEMA
from audit.core.errors import AuditError
from audit.core.results import load_results


MINIMAL = {"run": {"id": "r", "started_at": "2026-12-02T00:00:00Z", "finished_at": None, "seed": 0, "config": {}},
           "dataset": None, "models": [], "probes": [], "gate": None}


def write(tmp_path, schema):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"schema": schema, **MINIMAL}), encoding="utf-8")
    return path


def test_this_schema_loads(tmp_path):
    assert load_results(write(tmp_path, RESULTS_SCHEMA))["schema"] == RESULTS_SCHEMA


@pytest.mark.parametrize("schema,fix", [
    ("audit-results/999", "upgrade audit"),
    ("audit-results/0", "re-run the audit with this version"),
    ("something-else/1", "pass a results.json written by `audit run`"),
    (None, "pass a results.json written by `audit run`"),
])
def test_other_schemas_name_the_fix(tmp_path, schema, fix):
    with pytest.raises(AuditError, match=fix):
        load_results(write(tmp_path, schema))


def test_non_finite_numbers_are_refused(tmp_path):
    path = tmp_path / "results.json"
    path.write_text('{"schema": "%s", "x": NaN}' % RESULTS_SCHEMA, encoding="utf-8")
    with pytest.raises(AuditError, match="non-finite"):
        load_results(path)
