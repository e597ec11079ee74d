"""Paired tests give known answers: McNemar against scipy and a hand computation, Newcombe's paired
interval against published worked examples and a seeded simulation of its error rate at a
non-inferiority margin, the paired bootstrap against a direct loop over the same seeded resamples, the
sign-flip permutation test against a brute-force enumeration of every sign assignment."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.core.errors import AuditError
from audit.paired import (
    load_sidecar, mcnemar, paired_bootstrap, paired_correctness, paired_proportion_interval, sign_flip_test,
    wilson_interval,
)


def pairs(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """Correctness arrays with the given 2x2 table of (a right?, b right?) counts."""
    a = np.array([1] * both + [1] * a_only + [0] * b_only + [0] * neither, dtype=bool)
    b = np.array([1] * both + [0] * a_only + [1] * b_only + [0] * neither, dtype=bool)
    return a, b


@pytest.mark.parametrize("a_only,b_only", [(0, 1), (1, 5), (3, 9), (7, 7), (12, 0), (2, 22), (11, 13)])
def test_exact_mcnemar_equals_scipy_binomtest(a_only, b_only):
    a, b = pairs(40, a_only, b_only, 10)
    res = mcnemar(a, b)
    assert res["method"] == "exact-binomial"
    assert (res["n"], res["a_only"], res["b_only"]) == (50 + a_only + b_only, a_only, b_only)
    expected = sps.binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert res["p_value"] == pytest.approx(expected, rel=1e-12)


def test_chi_square_mcnemar_equals_hand_computation():
    a, b = pairs(100, 30, 15, 5)  # 45 discordant pairs: chi-square branch
    res = mcnemar(a, b)
    assert res["method"] == "chi2-continuity"
    # (|30 - 15| - 1)^2 / 45 = 196 / 45
    assert res["statistic"] == pytest.approx(196 / 45)
    assert res["p_value"] == pytest.approx(sps.chi2.sf(196 / 45, df=1), rel=1e-10)
    assert res["p_value"] == pytest.approx(0.036888, abs=1e-5)  # tabulated chi2(1) tail at 4.3556


def test_boundary_between_exact_and_chi_square():
    assert mcnemar(*pairs(10, 12, 12, 0))["method"] == "exact-binomial"  # 24 discordant
    assert mcnemar(*pairs(10, 12, 13, 0))["method"] == "chi2-continuity"  # 25 discordant


def test_identical_models_have_zero_difference_and_p_one():
    a = np.array([1, 0, 1, 1, 0, 1, 1, 1], dtype=bool)
    res = mcnemar(a, a.copy())
    assert res["p_value"] == 1.0 and res["a_only"] == res["b_only"] == 0
    boot = paired_bootstrap(a, a.copy(), resamples=500)
    assert boot["diff"] == 0.0 and boot["ci"] == [0.0, 0.0]


def test_length_mismatch_is_refused():
    with pytest.raises(ValueError):
        mcnemar(np.ones(3, bool), np.ones(4, bool))


def test_bootstrap_equals_direct_loop_with_same_seed():
    rng = np.random.default_rng(7)
    a = rng.random(60) < 0.8
    b = rng.random(60) < 0.7
    res = paired_bootstrap(a, b, resamples=2000, confidence=0.9, seed=3)
    idx = np.random.default_rng(3).integers(0, 60, size=(2000, 60))
    diffs = [a[row].mean() - b[row].mean() for row in idx]
    lo, hi = np.quantile(diffs, [0.05, 0.95])
    assert res["diff"] == pytest.approx(a.mean() - b.mean())
    assert res["ci"] == pytest.approx([lo, hi], abs=1e-12)
    assert res["resamples"] == 2000 and res["confidence"] == 0.9


def test_bootstrap_ci_covers_the_true_difference_and_is_narrower_than_unpaired():
    # b is a with 5% of examples flipped wrong: the true paired difference is 0.05
    n = 2000
    rng = np.random.default_rng(1)
    a = rng.random(n) < 0.85
    b = a.copy()
    flip = rng.choice(np.flatnonzero(a), size=100, replace=False)
    b[flip] = False
    res = paired_bootstrap(a, b, resamples=4000, seed=0)
    assert res["diff"] == pytest.approx(100 / n)
    lo, hi = res["ci"]
    assert lo < 0.05 < hi and lo > 0  # a is reliably better
    # the normal-approximation half-width of the paired difference, sqrt(p(1-p)/n) with p = 0.05
    half = 1.96 * math.sqrt(0.05 * 0.95 / n)
    assert (hi - lo) / 2 == pytest.approx(half, rel=0.15)


def test_empty_input_gives_no_interval():
    res = paired_bootstrap(np.zeros(0, bool), np.zeros(0, bool))
    assert res["diff"] is None and res["ci"] is None


def test_sidecars_pair_by_id_in_first_models_order(tmp_path):
    (tmp_path / "predictions").mkdir()
    rows_a = [{"id": "1", "label": "pos", "predicted": "pos", "proba": [0.1, 0.9]},
              {"id": "2", "label": "neg", "predicted": "pos", "proba": [0.4, 0.6]},
              {"id": "3", "label": "neg", "predicted": "neg", "proba": [0.8, 0.2]}]
    rows_b = [{"id": 3, "label": "neg", "predicted": "pos", "proba": [0.3, 0.7]},
              {"id": "1", "label": "pos", "predicted": "pos", "proba": [0.2, 0.8]}]
    for name, rows in (("a", rows_a), ("b", rows_b)):
        (tmp_path / "predictions" / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    a = load_sidecar(tmp_path, {"predictions_file": "predictions/a.jsonl"})
    b = load_sidecar(tmp_path, {"predictions_file": "predictions/b.jsonl"})
    ids, ca, cb = paired_correctness(a, b)
    assert ids == ["1", "3"]
    assert ca.tolist() == [True, True] and cb.tolist() == [True, False]
    assert load_sidecar(tmp_path, {"status": "ok"}) is None
    assert load_sidecar(tmp_path, {"predictions_file": "predictions/missing.jsonl"}) is None


def test_chi_square_mcnemar_with_equal_discordant_counts_is_zero():
    # (|b - c| - 1)^2 would give 1/(b + c); the correction may not push the statistic past 0
    res = mcnemar(*pairs(10, 15, 15, 5))
    assert res["method"] == "chi2-continuity" and res["statistic"] == 0.0 and res["p_value"] == 1.0
    res = mcnemar(*pairs(10, 13, 14, 5))
    assert res["statistic"] == 0.0 and res["p_value"] == 1.0  # |b - c| - 1 = 0


def test_wilson_interval_matches_a_tabulated_value():
    # Newcombe (1998a) example: 81 of 263, Wilson 95% interval 0.2553 to 0.3662
    lo, hi = wilson_interval(81, 263, 1.959964)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)


def test_newcombe_interval_matches_published_example():
    # Fagerland, Lydersen & Laake (2017), "Statistical Analysis of Contingency Tables", ch. 8: Cavo et al.
    # (2012), table [[59, 6], [16, 80]]: difference -0.0621, Newcombe square-and-add 95% CI -0.1186 to -0.0046
    a, b = pairs(59, 6, 16, 80)
    res = paired_proportion_interval(a, b, 0.95)
    assert res["method"] == "newcombe-hybrid-score" and res["diff"] == pytest.approx(-10 / 161)
    assert [round(x, 4) for x in res["ci"]] == [-0.1186, -0.0046]
    # swapping the models mirrors the interval
    assert paired_proportion_interval(b, a)["ci"] == pytest.approx([0.0046, 0.1186], abs=1e-4)


def test_newcombe_interval_edge_cases():
    same = np.ones(50, bool)
    res = paired_proportion_interval(same, same.copy())  # every margin 0: phi = 0, still a proper interval
    assert res["diff"] == 0 and res["ci"][0] < 0 < res["ci"][1]
    assert paired_proportion_interval(np.zeros(0, bool), np.zeros(0, bool))["ci"] is None
    a, b = pairs(0, 30, 0, 0)  # a always right, b never: clipped to [-1, 1]
    lo, hi = paired_proportion_interval(a, b)["ci"]
    assert 0 < lo < 1 and hi == 1.0


def test_four_one_way_discordant_pairs_do_not_exclude_zero():
    # compare's case: 4 of 200 in the column's favour, McNemar exact p = 0.125; the percentile bootstrap
    # excluded 0 here, Newcombe's interval does not
    a, b = pairs(176, 4, 0, 20)
    assert mcnemar(a, b)["p_value"] == pytest.approx(0.125)
    assert paired_proportion_interval(a, b)["ci"][0] < 0 < paired_bootstrap(a, b, resamples=2000)["ci"][0]


def _simulated_tables(seed: int, reps: int, n: int, fix: float, brk: float) -> np.ndarray:
    """(both right, only candidate right, only baseline right, neither) per replication; baseline accuracy 0.88."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, [0.88 - brk, fix, brk, 1 - 0.88 - fix], size=reps)


@pytest.mark.parametrize("fix,brk", [(0.0, 0.01), (0.02, 0.03)])  # breaks only; breaks and fixes
def test_non_inferiority_error_rate_at_the_margin(fix, brk):
    # the candidate's true drop equals max_drop = 0.01: a valid one-sided 2.5% test passes it <= ~2.5% of the time
    # (the percentile bootstrap passed the breaks-only case 10-13% of the time)
    passes = 0
    tables = _simulated_tables(0, 2000, 500, fix, brk)
    for both, cand_only, base_only, neither in tables:
        base, cand = pairs(both, base_only, cand_only, neither)
        passes += paired_proportion_interval(base, cand, 0.95)["ci"][1] <= 0.01
    assert passes / len(tables) <= 0.035


def test_interval_covers_the_true_difference():
    covered = 0
    tables = _simulated_tables(1, 2000, 300, 0.04, 0.06)
    for both, cand_only, base_only, neither in tables:
        lo, hi = paired_proportion_interval(*pairs(both, base_only, cand_only, neither))["ci"]
        covered += lo <= 0.02 <= hi
    assert 0.93 <= covered / len(tables) <= 0.975


def _write(tmp_path, text: str):
    (tmp_path / "predictions").mkdir(exist_ok=True)
    (tmp_path / "predictions" / "a.jsonl").write_bytes(text.encode() if isinstance(text, str) else text)
    return load_sidecar(tmp_path, {"predictions_file": "predictions/a.jsonl"})


@pytest.mark.parametrize("text,expected", [
    ('{"id": 1, "label": "x", "predicted": "x"}\nnot json\n', r"a.jsonl:2: not a valid JSON line"),
    ('[1, 2]\n', r"a.jsonl:1: row lacks id, label, predicted"),
    ('{"id": 1, "predicted": "x"}\n', r"a.jsonl:1: row lacks label;"),
    ('{"id": 1, "label": "x", "predicted": "x", "proba": [Infinity]}\n', r"a.jsonl:1: .*Infinity"),
    (b'{"id": 1, "label": "\xff", "predicted": "x"}\n', r"a.jsonl:1: not a valid JSON line"),
])
def test_malformed_sidecar_names_file_and_line(tmp_path, text, expected):
    with pytest.raises(AuditError, match=expected):
        _write(tmp_path, text)


def test_sidecar_outside_results_dir_is_refused(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"id": 1, "label": "x", "predicted": "x"}\n')
    for rel in ("../x.jsonl", str(tmp_path / "x.jsonl")):
        with pytest.raises(AuditError, match="points outside the results directory"):
            load_sidecar(tmp_path / "run", {"predictions_file": rel})


def brute_force_sign_flip_p(d) -> float:
    """Two-sided p by listing every sign assignment of the non-zero differences with itertools (no numpy)."""
    values = [float(x) for x in d if x != 0]
    observed = abs(sum(values))
    hits = total = 0
    for signs in itertools.product((1, -1), repeat=len(values)):
        total += 1
        hits += abs(sum(s * v for s, v in zip(signs, values))) >= observed - 1e-12
    return hits / total


def test_sign_flip_four_one_way_differences_of_301_is_exact_p_one_eighth():
    # the reviewer's case: 297 examples with equal losses, 4 all favouring a; the bootstrap CI excludes 0 here
    d = np.zeros(301)
    d[:4] = -np.array([0.9, 1.3, 2.1, 0.7])
    res = sign_flip_test(d, resamples=10000, seed=1)
    assert res == {"p_value": pytest.approx(2 / 2**4, abs=1e-15), "n_nonzero": 4, "method": "exact-sign-flip",
                   "resamples": 16}
    assert paired_bootstrap(d, np.zeros(301), resamples=10000, seed=0)["ci"][1] < 0  # what the test guards


def test_sign_flip_nine_one_way_differences_is_exact_two_over_512():
    d = np.concatenate([np.linspace(0.1, 0.9, 9), np.zeros(391)])
    res = sign_flip_test(d, resamples=10000, seed=0)
    assert res["method"] == "exact-sign-flip" and res["n_nonzero"] == 9
    assert res["p_value"] == pytest.approx(2 / 512, abs=1e-15)
    assert res["p_value"] == pytest.approx(brute_force_sign_flip_p(d), abs=1e-15)


@pytest.mark.parametrize("seed,n", [(0, 1), (1, 5), (2, 8), (3, 12), (4, 16)])
def test_exact_sign_flip_equals_brute_force_enumeration(seed, n):
    rng = np.random.default_rng(seed)
    d = np.concatenate([rng.normal(0.05, 0.3, size=n), np.zeros(20)])
    d[:2] = [0.25, -0.25] if n >= 2 else d[:2]  # ties in |d|, as repeated per-example losses give
    res = sign_flip_test(d, resamples=10000, seed=0)
    assert res["method"] == "exact-sign-flip" and res["n_nonzero"] == n
    assert res["p_value"] == pytest.approx(brute_force_sign_flip_p(d), abs=1e-15)


def test_monte_carlo_sign_flip_above_sixteen_is_seeded_and_near_the_exact_p():
    rng = np.random.default_rng(5)
    d = rng.normal(0.15, 0.5, size=17)
    exact = brute_force_sign_flip_p(d)
    res = sign_flip_test(d, resamples=10000, seed=3)
    assert res["method"] == "monte-carlo-sign-flip" and res["n_nonzero"] == 17 and res["resamples"] == 10000
    assert res == sign_flip_test(d, resamples=10000, seed=3)  # the same seed, the same p
    se = math.sqrt(exact * (1 - exact) / 10000)
    assert abs(res["p_value"] - exact) < 4 * se + 1e-4
    assert 0 < sign_flip_test(np.full(40, 0.3), resamples=2000, seed=0)["p_value"] == pytest.approx(1 / 2001)


def test_sign_flip_without_differences_is_p_one():
    assert sign_flip_test(np.zeros(50), resamples=100, seed=0) == {"p_value": 1.0, "n_nonzero": 0, "method": "none",
                                                                  "resamples": 0}
    with pytest.raises(ValueError):
        sign_flip_test(np.array([0.1, np.nan]))


@pytest.mark.parametrize("shift,expect_difference", [(0.08, True), (0.0, False)])
def test_sign_flip_agrees_with_the_bootstrap_at_large_n(shift, expect_difference):
    # many examples differ, both ways: the bootstrap is fine here and the permutation test reaches the same verdict
    rng = np.random.default_rng(11)
    loss_b = rng.uniform(0.1, 1.0, size=2000)
    loss_a = loss_b + rng.normal(-shift, 0.5, size=2000)
    boot = paired_bootstrap(loss_a, loss_b, resamples=4000, seed=0)
    flip = sign_flip_test(loss_a - loss_b, resamples=10000, seed=0)
    assert flip["method"] == "monte-carlo-sign-flip" and flip["n_nonzero"] == 2000
    assert (boot["ci"][1] < 0 or boot["ci"][0] > 0) is expect_difference
    assert (flip["p_value"] < 0.05) is expect_difference
