"""The end-of-run summary table: headline metrics per model, placeholder specs expanded."""

import io

from rich.console import Console

from audit.cli.console_summary import print_summary


def _doc():
    spec = {"name": "faithfulness/{method}", "headline": True, "higher_is_better": True, "description": ""}
    return {
        "models": [{"id": "hf"}, {"id": "lr"}],
        "probes": [
            {"name": "metrics", "metric_specs": [{"name": "accuracy", "headline": True}, {"name": "brier"}],
             "results": {"hf": {"status": "ok", "metrics": {"accuracy": {"value": 0.91, "ci": [0.88, 0.94]},
                                                              "brier": {"value": 0.1}}},
                         "lr": {"status": "error", "reason": "boom", "metrics": {}}}},
            {"name": "explain", "metric_specs": [spec],
             "results": {"hf": {"status": "ok", "metrics": {"faithfulness/attention": {"value": 0.4},
                                                              "faithfulness/occlusion": {"value": 0.6}}},
                         "lr": {"status": "ok", "metrics": {"faithfulness/occlusion": {"value": 0.5}}}}},
        ],
    }


def test_summary_expands_placeholders_and_shows_status():
    buf = io.StringIO()
    print_summary(_doc(), Console(file=buf, width=200))
    out = buf.getvalue()
    assert "explain.faithfulness/attention" in out and "explain.faithfulness/occlusion" in out
    assert "{method}" not in out
    assert "metrics.brier" not in out  # not a headline metric
    row = next(line for line in out.splitlines() if "metrics.accuracy" in line)
    assert "0.910" in row and "error" in row


def test_summary_says_what_each_attack_success_rate_is_over():
    recipes = {"textfooler": {"success_rate_basis": "success over 83 attacked examples; 2 inconclusive (time budget) "
                                                    "left out"}, "old": {"attacked": 5}}
    doc = {"models": [{"id": "m"}],
           "probes": [{"name": "attack", "metric_specs": [{"name": "max_success_rate", "headline": True}],
                       "results": {"m": {"status": "ok", "metrics": {"max_success_rate": {"value": 0.9}},
                                         "details": {"recipes": recipes}}}}]}
    buf = io.StringIO()
    print_summary(doc, Console(file=buf, width=200))
    lines = buf.getvalue().splitlines()
    assert "attack · textfooler · m: success over 83 attacked examples; 2 inconclusive (time budget) left out" in lines
    assert not any("old" in line for line in lines)


def test_summary_says_noise_rates_count_the_changed_texts():
    doc = _doc()
    doc["probes"].append({"name": "noise", "metric_specs": [
        {"name": "mean_changed_flip_rate", "headline": True}, {"name": "mean_flip_rate"}],
        "results": {m: {"status": "ok", "metrics": {"mean_changed_flip_rate": {"value": 0.14, "ci": [0.1, 0.19]},
                                                     "mean_flip_rate": {"value": 0.04}}} for m in ("hf", "lr")}})
    buf = io.StringIO()
    print_summary(doc, Console(file=buf, width=240))
    out = buf.getvalue()
    assert "noise.mean_changed_flip_rate" in out and "noise.mean_flip_rate" not in out
    assert "count only the texts each perturbation changed" in " ".join(out.split())
    buf = io.StringIO()
    print_summary(_doc(), Console(file=buf, width=240))
    assert "changed" not in buf.getvalue()
