"""The `explain` probe on sentence pairs: occlusion erases a word from its own text and re-predicts
the pair (checked against a direct leave-one-out computation), faithfulness and the random
baseline erase within each text and never a separator, records and selection carry both texts,
a callable pair model gets its own reason for the attention and gradient methods, and a Hugging
Face pair model's truncation cuts each text to the words the model saw (its attention and
gradient methods are checked in test_explain_pairs_hf.py)."""

from __future__ import annotations

import numpy as np
import pytest
from pair_fixtures import NLI, OverlapNLI, nli_pairs
from tiny_bert import build_tiny_bert

from audit.cache import PredictionCache
from audit.core.readonly import read_only
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.explain import ExplainProbe
from audit.probes.explain.faithfulness import erased, random_scores
from audit.probes.explain.methods import occlusion
from audit.probes.explain.probe import explained_texts
from audit.probes.explain.word_spans import n_top

FAST = {"bootstrap": 50, "ig_steps": 4, "global_examples": 12, "random_baselines": 2, "random": 5,
        "misclassified": 3}
GRADIENT_AND_ATTENTION = ("attention", "rollout", "grad_x_input", "integrated_gradients")


def wrap(clf, kind="callable", mid="m"):
    return PredictionCache().wrap(LoadedModel(mid, "test", kind, clf))


def direct_occlusion(clf, a: str, b: str, target: int) -> list[float]:
    """Leave-one-out written out: erase word i of the first text, then word j of the second."""
    wa, wb = a.split(), b.split()
    base = clf.predict_proba([(a, b)])[0, target]
    out = [base - clf.predict_proba([(" ".join(wa[:i] + wa[i + 1:]), b)])[0, target] for i in range(len(wa))]
    out += [base - clf.predict_proba([(a, " ".join(wb[:j] + wb[j + 1:]))])[0, target] for j in range(len(wb))]
    return out


def subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(w in it for w in part)


def test_occlusion_on_a_pair_equals_leave_one_out_by_hand():
    data = nli_pairs()
    pairs = data.inputs[:9]
    targets = [int(p.argmax()) for p in OverlapNLI().predict_proba(pairs)]
    clf = OverlapNLI()
    got = occlusion(wrap(clf), pairs, targets)
    reference = OverlapNLI()
    # each pair the model was asked about is an explained pair, or one with a single word gone
    # from one text while the other text stays whole
    for a, b in clf.seen:
        assert any((a, b) == (pa, pb)
                   or (b == pb and len(a.split()) == len(pa.split()) - 1 and subsequence(a.split(), pa.split()))
                   or (a == pa and len(b.split()) == len(pb.split()) - 1 and subsequence(b.split(), pb.split()))
                   for pa, pb in pairs), (a, b)
    for (a, b), t, scores in zip(pairs, targets, got):
        assert len(scores) == len(a.split()) + len(b.split())
        np.testing.assert_allclose(scores, direct_occlusion(reference, a, b, t), atol=1e-12)
    assert any(np.any(s[len(a.split()):]) for (a, _), s in zip(pairs, got))  # the second text's words count


def test_erasure_stays_within_each_text_and_never_makes_a_separator():
    pair = ("a man is playing a guitar on stage", "a man plays music")
    wa, wb = pair[0].split(), pair[1].split()
    ks = (0.1, 0.25, 0.5)
    for scores in random_scores(3, "p0", len(wa) + len(wb), 5):
        out = erased(pair, scores, ks)
        order = np.argsort(-scores, kind="stable")
        for k, (gone, kept) in zip(ks, zip(out[::2], out[1::2])):
            assert isinstance(gone, tuple) and isinstance(kept, tuple)
            top = set(order[: n_top(len(wa) + len(wb), k)].tolist())
            # side by side: the first text loses/keeps only its own words, the second likewise
            assert gone[0].split() == [w for i, w in enumerate(wa) if i not in top]
            assert gone[1].split() == [w for j, w in enumerate(wb) if len(wa) + j not in top]
            assert kept[0].split() == [w for i, w in enumerate(wa) if i in top]
            assert kept[1].split() == [w for j, w in enumerate(wb) if len(wa) + j in top]
            assert not any("[SEP]" in s or "‖" in s for s in gone + kept)


def test_probe_on_pairs_explains_both_texts_and_skips_gradient_methods():
    data = nli_pairs()
    clf = OverlapNLI()
    res = ExplainProbe.from_mapping(FAST).run(wrap(clf), data, ProbeContext(seed=0))
    methods = res.details["methods"]
    assert methods["occlusion"]["status"] == "ok"
    for name in GRADIENT_AND_ATTENTION:  # a callable lacks them anyway: its own reason, not the pair one
        assert methods[name]["status"] == "skipped" and "callable model does not expose" in methods[name]["reason"]
    assert "faithfulness/occlusion" in res.metrics and "stability/occlusion" in res.metrics
    second = dict(zip(data.ids, data.text_pairs))
    first = dict(zip(data.ids, data.texts))
    reference = OverlapNLI()
    assert res.examples
    for ex in res.examples:
        assert ex["text"] == first[ex["id"]] and ex["text_pair"] == second[ex["id"]]
        assert ex["words"] == ex["text"].split() and ex["words_pair"] == ex["text_pair"].split()
        target = NLI.index(ex["target"])
        scores = ex["attributions"]["occlusion"] + ex["attributions_pair"]["occlusion"]
        np.testing.assert_allclose(scores, direct_occlusion(reference, ex["text"], ex["text_pair"], target),
                                   atol=1e-12)


def test_same_seed_same_result_in_either_model_order():
    data = nli_pairs()
    probe = ExplainProbe.from_mapping(FAST)
    cache = PredictionCache()
    one = cache.wrap(LoadedModel("one", "test", "callable", OverlapNLI(0.5, "one")))
    two = cache.wrap(LoadedModel("two", "test", "callable", OverlapNLI(0.2, "two")))
    forward = [probe.run(m, data, ProbeContext(seed=7)) for m in (one, two)]
    other = PredictionCache()
    two_b = other.wrap(LoadedModel("two", "test", "callable", OverlapNLI(0.2, "two")))
    one_b = other.wrap(LoadedModel("one", "test", "callable", OverlapNLI(0.5, "one")))
    backward = [probe.run(m, data, ProbeContext(seed=7)) for m in (two_b, one_b)][::-1]
    for f, b in zip(forward, backward):
        assert f.examples == b.examples and f.details["faithfulness"] == b.details["faithfulness"]
        assert {k: v.value for k, v in f.metrics.items()} == {k: v.value for k, v in b.metrics.items()}


def test_attacked_pairs_explain_the_adversarial_pair():
    data = nli_pairs()
    adversarial = ("a man is playing a guitar on stage", "a man plays gutiar")
    success = {"recipe": "textfooler", "id": "p0", "label": "entailment", "text": data.texts[0],
               "text_pair": data.text_pairs[0], "adversarial": adversarial[0], "adversarial_pair": adversarial[1]}
    single = {"recipe": "textfooler", "id": "p1", "label": "entailment", "text": "x", "adversarial": "y z"}
    doc = {"probes": [{"name": "attack", "results": {"m": {"status": "ok", "details": {"successes": [success, single]}}}}]}
    res = ExplainProbe.from_mapping({**FAST, "random": 0, "misclassified": 0}).run(
        wrap(OverlapNLI()), data, ProbeContext(seed=0, results=read_only(doc)))
    (ex,) = res.examples  # the record without a second text is not a pair's attack: left out
    assert ex["why"] == "attacked" and (ex["text"], ex["text_pair"]) == adversarial
    assert (ex["original"], ex["original_pair"]) == (data.texts[0], data.text_pairs[0])
    assert ex["words_pair"] == adversarial[1].split()


@pytest.fixture(scope="module")
def pair_bert(tmp_path_factory):
    from audit.models.huggingface import load_hf_model

    data = nli_pairs()
    path = build_tiny_bert(tmp_path_factory.mktemp("explain_pair_bert"), labels=NLI,
                           texts=data.texts + data.text_pairs)
    return path, load_hf_model(str(path), name="pair-bert", max_length=32, batch_size=4, device="cpu")


def test_hf_pair_model_truncation_cuts_each_text_to_its_seen_words(pair_bert):
    from transformers import AutoTokenizer

    path, loaded = pair_bert
    tok = AutoTokenizer.from_pretrained(path)
    long_b = "someone is reading a very long and rather dull book about the history of trains"
    pairs = [("kids play", "children are outside"), ("a woman reads", long_b)]
    model = wrap(loaded.classifier, kind="huggingface")
    texts, cut = explained_texts(model, pairs)
    assert texts[0] == pairs[0] and cut == [False, True]
    a, b = texts[1]
    assert a == "a woman reads" and long_b.startswith(b) and b
    assert len(tok(a, b)["input_ids"]) <= 32  # what is kept fits
    more = " ".join(long_b.split()[: len(b.split()) + 1])
    assert len(tok(a, more)["input_ids"]) > 32  # one more word of the second text would not


def test_on_real_snli_pairs_occlusion_matches_leave_one_out(shared_data):
    from audit.data_loader import DataConfig, load_dataset

    data = load_dataset(DataConfig(str(shared_data / "pairs" / "snli" / "dev.jsonl")))
    assert data.is_pair
    res = ExplainProbe.from_mapping({**FAST, "random": 6, "misclassified": 4, "global_examples": 40}).run(
        wrap(OverlapNLI()), data, ProbeContext(seed=1))
    assert res.details["selection"] == {"misclassified": 4, "attacked": 0, "random": 6}
    reference = OverlapNLI()
    second = dict(zip(data.ids, data.text_pairs))
    for ex in res.examples:
        assert ex["text_pair"] == second[ex["id"]]
        a, b = " ".join(ex["words"]), " ".join(ex["words_pair"])  # explained on single-spaced texts
        scores = ex["attributions"]["occlusion"] + ex["attributions_pair"]["occlusion"]
        np.testing.assert_allclose(scores, direct_occlusion(reference, a, b, NLI.index(ex["target"])), atol=1e-12)
    assert res.details["global_method"] == "occlusion" and res.details["global_tokens"]
