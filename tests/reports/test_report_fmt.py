"""Number formatting: metric-sized floats with three decimals, None as an em dash."""

from __future__ import annotations

from audit.core.fmt import fmt_duration, fmt_exact, fmt_metric, fmt_num, short_hash


def test_metric_with_and_without_ci():
    assert fmt_metric({"value": 0.9123, "ci": [0.8931, 0.9311]}) == "0.912 [0.893, 0.931]"
    assert fmt_metric({"value": 0.9123, "ci": None}) == "0.912"
    assert fmt_metric({"value": None, "ci": None}) == "—"
    assert fmt_metric(None) == "—"


def test_numbers():
    assert fmt_num(None) == "—"
    assert fmt_num(872) == "872" and fmt_num(123456) == "123,456"
    assert fmt_num(0.0004567) == "0.000457"
    assert fmt_num(148.4) == "148.4" and fmt_num(float("nan")) == "NaN"
    assert fmt_num(True) == "yes"


def test_exact_keeps_user_thresholds_and_duration_is_readable():
    assert fmt_exact(0.85) == "0.85" and fmt_exact(0.84996) == "0.84996"
    assert fmt_duration(148.4) == "2 min 28 s" and fmt_duration(None) == "—"


def test_short_hash():
    assert short_hash("sha256:" + "a" * 64) == "sha256:aaaaaaaaaaaa…"
    assert short_hash(None) == "—"
