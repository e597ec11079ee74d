"""Smaller bad inputs: NUL and other control characters never reach a report raw (shown as
visible symbols and counted), invisible-only texts are empty, and a single-class dataset warns
and says which averages are defined."""

from __future__ import annotations

import csv
import json

from sklearn.metrics import f1_score
from test_errors import assert_one_line_error


def write_rows(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def test_nul_bytes_are_shown_as_symbols_and_counted(cli, tmp_path, workdir):
    rows = list(csv.reader((workdir / "test.csv").open(encoding="utf-8")))[1:]
    header = next(csv.reader((workdir / "test.csv").open(encoding="utf-8")))
    t, y = header.index("text"), header.index("label")
    data = [[r[t], r[y]] for r in rows]
    data[0][0] = "the plot\x00was dull\x1b[31m and slow"
    data[1][0] = "great\x7f fun"
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--data", str(write_rows(tmp_path / "d.csv", data)), "--probe", "metrics",
              "--out", str(out), "-q")
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["dataset"]["texts_with_control_characters"] == 2
    for name in ("report.html", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert "\x00" not in text and "\x1b" not in text and "\x7f" not in text, name
        assert "Control characters" in text and "2 text(s)" in text, name
    md = (out / "report.md").read_text(encoding="utf-8")
    if "the plot" in md:  # shown among the misclassified examples
        assert "the plot␀was dull␛" in md


def test_zero_width_only_texts_are_empty(cli, tmp_path):
    data = [["fine film", "positive"], ["\u200b\u200d\ufeff", "negative"], ["\u2060 \x00", "positive"], ["bad", "negative"]]
    res = cli("run", "--model", "tfidf.skops", "--data", str(write_rows(tmp_path / "d.csv", data)), "-q")
    assert_one_line_error(res, "2 empty or whitespace-only text(s)", "zero-width", "'1', '2'")


def test_a_single_class_dataset_warns_and_macro_f1_is_sklearns(cli, tmp_path):
    data = [[f"the film was fine {i}", "positive"] for i in range(30)]
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--data", str(write_rows(tmp_path / "d.csv", data)), "--probe", "metrics",
              "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "every example is 'positive'" in res.output
    doc = json.loads((out / "results.json").read_text())
    unit = doc["probes"][0]["results"]["tfidf"]
    preds = [p["predicted"] for p in map(json.loads, (out / unit["predictions_file"]).read_text().splitlines())]
    assert abs(unit["metrics"]["f1_macro"]["value"] - f1_score(["positive"] * 30, preds, average="macro",
                                                               zero_division=0)) < 1e-12
    assert any("no examples of class(es) negative" in w for w in unit["details"]["warnings"])
    for name in ("report.html", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert "One class only" in text and "no examples of class(es) negative" in text, name
