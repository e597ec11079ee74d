"""The `explain` probe's rules for a model: attention and rollout share one pass, all-zero
attributions are an error, no usable method is "not applicable", truncated texts are explained
on the words the model saw."""

from __future__ import annotations

import numpy as np
import pytest
from test_explain_probe import Keywords, NoMaps, data, probe, wrap  # noqa: F401  (data: fixture)
from tiny_bert import build_tiny_bert

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.probes.base import ProbeContext


class Rows(Keywords):
    """Attention rows from a rule, counting the forward passes it was asked for."""

    def __init__(self, zero=False):
        super().__init__()
        self.zero, self.passes = zero, 0

    def attention_rows(self, texts, batch_size=None):
        self.passes += 1
        out = []
        for text in texts:
            spans, pos = [], 0
            for w in text.split():
                pos = text.index(w, pos)
                spans.append((pos, pos + len(w)))
                pos += len(w)
            n = len(spans) + 1
            row = np.zeros(n) if self.zero else np.linspace(1, 2, n) / np.linspace(1, 2, n).sum()
            out.append({"tokens": ["[CLS]"] + text.split(), "offsets": [(0, 0)] + spans,
                        "special": [True] + [False] * len(spans), "pooled_index": 0,
                        "last_layer_row": row, "rollout_row": row[::-1].copy()})
        return out


def test_attention_and_rollout_share_one_pass_per_text_list(data):
    clf = Rows()
    res = probe(methods=["attention", "rollout", "occlusion"], global_examples=0).run(wrap(clf), data, ProbeContext(seed=0))
    assert res.details["methods"]["attention"]["status"] == res.details["methods"]["rollout"]["status"] == "ok"
    assert clf.passes == 2  # the explained texts and their noisy copies, each once for both methods


def test_all_zero_attributions_are_an_error_and_not_ranked(data):
    res = probe(methods=["attention", "rollout", "occlusion"]).run(wrap(Rows(zero=True)), data, ProbeContext(seed=0))
    methods = res.details["methods"]
    assert methods["attention"]["status"] == "error" and "every attribution is 0" in methods["attention"]["reason"]
    assert [r["method"] for r in res.details["ranking"]] == ["occlusion"]


def test_model_without_any_usable_method_is_not_applicable(data):
    only_attention = probe(methods=["attention", "integrated_gradients"])
    reason = only_attention.not_applicable(wrap(Keywords()))
    assert reason.startswith("No configured explanation method applies: attention needs attention maps")
    assert "integrated_gradients needs input gradients" in reason
    assert probe().not_applicable(wrap(Keywords())) is None  # occlusion runs on every model
    res = probe(methods=["attention", "rollout"]).run(wrap(NoMaps()), data, ProbeContext(seed=0))
    assert res.status == "not_applicable" and "no attention maps" in res.reason


def test_truncated_texts_are_explained_and_erased_on_the_words_the_model_saw(tmp_path):
    from audit.models.huggingface import load_hf_model

    model = PredictionCache().wrap(load_hf_model(str(build_tiny_bert(tmp_path / "b")), name="b", device="cpu",
                                                 max_length=8))
    long = "the movie was great , the plot was dull and the acting was boring"
    data = Dataset(["long", "short"], [long, "the  movie was great"], ["positive", "positive"], "t")
    seen = model.classifier.visible_characters([long, "the movie was great"])
    assert seen[1] is None and long[: seen[0]].split() == long.split()[:6]  # [CLS] + 6 words + [SEP]
    res = probe(random=2, misclassified=0, global_examples=0).run(model, data, ProbeContext(seed=0))
    assert res.status == "ok" and res.details["truncated"] == 1
    by_id = {e["id"]: e for e in res.examples}
    assert by_id["long"]["words"] == long.split()[:6] and by_id["long"]["truncated"] is True
    assert by_id["short"]["words"] == ["the", "movie", "was", "great"] and "truncated" not in by_id["short"]
    for ex in res.examples:
        for method, scores in ex["attributions"].items():
            assert len(scores) == len(ex["words"]), method
    p_cut = model.predict_proba([" ".join(long.split()[:6])])[0]
    assert by_id["long"]["confidence"] == pytest.approx(p_cut.max())  # the explained text is the one seen
