"""Integrated gradients refines texts that miss completeness, and says how many it refined."""

from types import SimpleNamespace

import numpy as np
import pytest

from audit.probes.explain.methods import IG_MAX_STEPS, integrated_gradients


class CoarseIG:
    """Fake IG whose completeness gap shrinks as 1/steps (like a coarse quadrature); records calls."""

    def __init__(self, hard: set[int]):
        self.hard, self.calls = hard, []

    def integrated_gradients(self, texts, targets, *, steps, score, rows_per_pass):
        self.calls.append((list(texts), steps))
        rows = []
        for text in texts:
            n = len(text.split())
            gap = 1.0 / steps if int(text.split()[0]) in self.hard else 0.0
            attributions = np.full(n + 2, (1.0 - gap) / n)
            attributions[0] = attributions[-1] = 0.0  # [CLS] / [SEP]
            offsets, pos = [(0, 0)], 0
            for word in text.split():
                offsets.append((pos, pos + len(word)))
                pos += len(word) + 1
            offsets.append((0, 0))
            rows.append({"attributions": attributions, "score": 1.0, "baseline_score": 0.0, "offsets": offsets,
                         "special": [True] + [False] * n + [True]})
        return rows


def test_only_unconverged_texts_are_refined_until_they_converge():
    fake = CoarseIG(hard={1})
    model = SimpleNamespace(classifier=fake)
    texts = ["0 good film", "1 bad film", "2 fine"]
    words, info = integrated_gradients(model, texts, [0, 0, 0], "proba", steps=4, rows_per_pass=8)
    # gap 1/4 and 1/16 exceed 0.05 * 1 + 0.005; 1/64 does not
    assert fake.calls == [(texts, 4), (["1 bad film"], 16), (["1 bad film"], 64)]
    assert info["refined"] == {"64": 1} and info["unconverged"] == 0
    assert info["completeness_gap_max"] == 1 / 64
    assert np.isclose(words[1].sum(), 1 - 1 / 64)


def test_refinement_stops_at_the_cap_and_reports_unconverged():
    class Stubborn(CoarseIG):
        def integrated_gradients(self, texts, targets, *, steps, score, rows_per_pass):
            rows = super().integrated_gradients(texts, targets, steps=1, score=score, rows_per_pass=rows_per_pass)
            self.calls[-1] = (list(texts), steps)
            return rows

    fake = Stubborn(hard={0})
    _, info = integrated_gradients(SimpleNamespace(classifier=fake), ["0 a b"], [1], "proba", steps=32, rows_per_pass=8)
    assert fake.calls[-1][1] == IG_MAX_STEPS
    assert info["unconverged"] == 1 and info["refined"] == {str(IG_MAX_STEPS): 1}


def test_a_failing_refinement_keeps_the_coarse_result_of_that_text_only():
    class Fragile(CoarseIG):
        def integrated_gradients(self, texts, targets, *, steps, score, rows_per_pass):
            self.passes = getattr(self, "passes", []) + [rows_per_pass]
            if steps > 4 and any(t.startswith("1 ") for t in texts):
                raise MemoryError("out of memory")
            return super().integrated_gradients(texts, targets, steps=steps, score=score, rows_per_pass=rows_per_pass)

    fake = Fragile(hard={1, 2})
    words, info = integrated_gradients(SimpleNamespace(classifier=fake), ["0 good film", "1 bad film", "2 fine"],
                                       [0, 0, 0], "proba", steps=4, rows_per_pass=8)
    assert info["refine_failed"] == 1 and info["refined"] == {"64": 1}  # text 2 refined, text 1 kept at 4 steps
    assert np.isclose(words[1].sum(), 1 - 1 / 4) and np.isclose(words[2].sum(), 1 - 1 / 64)
    assert set(fake.passes) == {8}  # rows per pass never grow with the steps


@pytest.fixture(scope="module")
def bert_clf(tmp_path_factory):
    from tiny_bert import build_tiny_bert

    from audit.models.huggingface import load_hf_model

    return load_hf_model(str(build_tiny_bert(tmp_path_factory.mktemp("ig_bert"))), name="b", device="cpu").classifier


def test_long_paths_are_split_over_passes_of_at_most_rows_per_pass(bert_clf):
    texts, targets = ["the movie was great", "dull", "honestly , the plot felt boring"], [1, 0, 1]
    sizes = []
    hook = bert_clf.model.register_forward_pre_hook(lambda m, a, kw: sizes.append(kw["inputs_embeds"].shape[0]),
                                                    with_kwargs=True)
    try:
        chunked = bert_clf.integrated_gradients(texts, targets, steps=64, rows_per_pass=16)
    finally:
        hook.remove()
    assert max(sizes) <= 16 and sum(sizes) == 3 * 65
    whole = bert_clf.integrated_gradients(texts, targets, steps=64, rows_per_pass=3 * 65)
    for a, b in zip(chunked, whole):
        np.testing.assert_allclose(a["attributions"], b["attributions"], rtol=1e-5, atol=1e-8)
        assert a["score"] == pytest.approx(b["score"], abs=1e-7)
        delta = a["score"] - a["baseline_score"]
        assert abs(a["attributions"].sum() - delta) <= 0.01 * abs(delta) + 1e-5  # completeness still holds
