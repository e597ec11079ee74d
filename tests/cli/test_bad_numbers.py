"""Non-finite, out-of-range and oversized numbers in a config or on the command line are bad
input (exit 2, one line naming the key and the range), not an internal error or a run without end."""

from __future__ import annotations

import pytest
from test_errors import assert_one_line_error


@pytest.mark.parametrize("yaml_value,needles", [
    ("probes: {metrics: {bootstrap: .inf}}", ("'bootstrap'", "finite")),
    ("probes: {metrics: {bootstrap: .nan}}", ("'bootstrap'", "finite")),
    ("probes: {metrics: {bootstrap: 1000000000}}", ("'bootstrap'", "0 to 100,000")),
    ("probes: {group-fairness: {bootstrap: 1.0e+12}}", ("'bootstrap'", "0 to 100,000")),
    ("models: [{spec: tfidf.skops, max_length: .inf}]", ("'max_length'", "finite")),
])
def test_bad_numbers_in_a_config(cli, tmp_path, yaml_value, needles):
    text = "data: {source: test.csv}\nmodels: [tfidf.skops]\n" + yaml_value + "\n"
    if yaml_value.startswith("models:"):
        text = "data: {source: test.csv}\n" + yaml_value + "\n"
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert_one_line_error(cli("run", "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o"), "-q"), *needles)


def test_a_limit_of_infinity_in_the_data_section(cli, tmp_path):
    (tmp_path / "c.yaml").write_text("data: {source: test.csv, limit: .inf}\nmodels: [tfidf.skops]\n", encoding="utf-8")
    assert_one_line_error(cli("run", "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o"), "-q"),
                          "'limit'", "finite")


@pytest.mark.parametrize("seed", [str(2**64), str(2**70), "-1"])
def test_a_seed_beyond_64_bits_names_the_range(cli, tmp_path, seed):
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--seed", seed, "--out", str(tmp_path / "o"), "-q")
    assert_one_line_error(res, "--seed", "18446744073709551615")
