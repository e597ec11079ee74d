"""The ``explain`` probe's examples: one text explained by every model, as token heatmaps.

Examples are grouped by (id, why, recipe) so the models' explanations of the same text sit one
under the other; an attacked text keeps its dataset id, so the reason and the recipe keep it
apart from the clean text of the same id and from another recipe's attack on it. Groups
explained for the most models come first (the random sample is shared by all).
"""

from __future__ import annotations

from audit.reports.blocks import ColorScale, HeatGroup, HeatRow, KeyValues, TokenHeatmap
from audit.core.fmt import fmt_num, is_number, truncate
from audit.core.document import as_dict, as_list, model_result

MAX_IDS = 6  # texts drawn; the rest stay in results.json
MAX_METHODS = 3  # best-ranked methods drawn per model (plus attention, for comparison)
MAX_ORIGINAL = 160  # characters of an attacked text's original shown in the header
ATTENTION = ("attention", "rollout")
RANDOM = "random"


def details_of(probe: dict, model: str) -> dict:
    return as_dict((model_result(probe, model) or {}).get("details"))


def examples_of(probe: dict, model: str) -> list[dict]:
    return [e for e in as_list((model_result(probe, model) or {}).get("examples"))
            if isinstance(e, dict) and e.get("id") is not None]


Key = tuple  # (id, why, recipe): one explained text


def example_key(ex: dict) -> Key:
    """Random and misclassified texts of an id are the dataset's text (one group across models);
    an attacked one is a different text per recipe."""
    why = ex.get("why")
    if why != "attacked":
        return (str(ex["id"]), None, None)
    return (str(ex["id"]), "attacked", None if ex.get("recipe") is None else str(ex.get("recipe")))


def grouped(probe: dict, models: list[str]) -> dict[Key, dict[str, dict]]:
    """{(id, why, recipe): {model: example}}, keys in first-seen order (a model's first example per key wins)."""
    out: dict[Key, dict[str, dict]] = {}
    for model in models:
        for ex in examples_of(probe, model):
            out.setdefault(example_key(ex), {}).setdefault(model, ex)
    return out


def ordered_ids(groups: dict[Key, dict[str, dict]]) -> list[Key]:
    """Keys explained for the most models first; ties keep their first-seen order."""
    ids = list(groups)
    return sorted(ids, key=lambda i: (-len(groups[i]), ids.index(i)))


def shown_methods(example: dict, ranked: list[str]) -> list[str]:
    """The best-ranked methods this example has scores for, and attention when it ranks lower."""
    available = [str(m) for m in as_dict(example.get("attributions")) if str(m) != RANDOM]
    order = [m for m in ranked if m in available] + [m for m in available if m not in ranked]
    chosen = order[:MAX_METHODS]
    attention = next((m for m in order if m in ATTENTION), None)
    return chosen + [attention] if attention and attention not in chosen else chosen


SEPARATOR = "‖"  # drawn between the two texts of a sentence pair; it carries no score


def _side(example: dict, method: str, words_key: str, scores_key: str, text_key: str) -> tuple[list[str], list]:
    words = as_list(example.get(words_key)) or str(example.get(text_key) or "").split()
    raw = as_list(as_dict(example.get(scores_key)).get(method))
    scores = [float(v) if is_number(v) else None for v in raw[: len(words)]]
    return [str(w) for w in words], scores + [None] * (len(words) - len(scores))


def heat_row(example: dict, method: str) -> HeatRow:
    """One method's scores over the text's words; on a sentence pair, over the first text's words,
    a separator, then the second text's."""
    words, scores = _side(example, method, "words", "attributions", "text")
    if "words_pair" in example or "text_pair" in example:
        second, more = _side(example, method, "words_pair", "attributions_pair", "text_pair")
        words, scores = words + [SEPARATOR] + second, scores + [None] + more
    return HeatRow(method, words, scores)


def note(example: dict) -> str:
    """What the model did with this text and why it was picked."""
    conf = example.get("confidence")
    parts = [f"predicted {example.get('predicted', '?')}" + (f" ({fmt_num(conf, 2)})" if is_number(conf) else ""),
             f"explains {example.get('target', example.get('predicted', '?'))}"]
    why = example.get("why")
    if why:
        parts.append(str(why))
    if why == "attacked" and example.get("original"):
        before = truncate(str(example['original']), MAX_ORIGINAL)
        if example.get("original_pair") is not None:
            before += f" {SEPARATOR} {truncate(str(example['original_pair']), MAX_ORIGINAL)}"
        parts.append(f"before the attack: “{before}”")
    return " · ".join(parts)


def example_heatmap(key: Key, by_model: dict[str, dict], ranked: dict[str, list[str]]) -> TokenHeatmap:
    groups = []
    for model, ex in by_model.items():
        rows = [heat_row(ex, m) for m in shown_methods(ex, ranked.get(model, []))]
        groups.append(HeatGroup(model, rows or [heat_row(ex, "no scores")], note(ex)))
    gold = next((str(e.get("label")) for e in by_model.values() if e.get("label") is not None), "?")
    ex_id, why, recipe = key
    attack = f" · attacked{f' ({recipe})' if recipe else ''}" if why == "attacked" else ""
    return TokenHeatmap(title=f"id {ex_id}{attack} · gold {gold}{pair_title(by_model)}", groups=groups)


def pair_title(by_model: dict[str, dict]) -> str:
    """For a sentence pair, both texts (so Markdown, which draws no heatmap, shows the pair)."""
    first = next(iter(by_model.values()), {})
    if first.get("text_pair") is None:
        return ""
    a, b = (truncate(str(first.get(k) or ""), MAX_ORIGINAL) for k in ("text", "text_pair"))
    return f" · “{a}” {SEPARATOR} “{b}”"


def selection_block(probe: dict, models: list[str]) -> KeyValues | None:
    pairs = []
    for model in models:
        sel = as_dict(details_of(probe, model).get("selection"))
        if sel:
            pairs.append((model, ", ".join(f"{fmt_num(n)} {why}" for why, n in sel.items())))
    return KeyValues(pairs, caption="Texts explained per model") if pairs else None


def example_blocks(probe: dict, models: list[str], ranked: dict[str, list[str]]) -> list:
    """The colour legend (saying what was cut), then one heatmap per shown id."""
    groups = grouped(probe, models)
    if not groups:
        return []
    ids = ordered_ids(groups)
    shown = ids[:MAX_IDS]
    cut = f"Showing {len(shown)} of {len(ids)} explained texts" + (
        ", those explained for the most models first" if len(ids) > len(shown) else "")
    caption = (f"{cut}. Per model: its {MAX_METHODS} best-ranked methods, plus attention when it ranks lower. "
               "Each row is scaled by its own largest |score|; hover a word for its raw score.")
    blocks: list = [selection_block(probe, models),
                    ColorScale("against the explained label", "supports it", caption=caption)]
    blocks += [example_heatmap(i, groups[i], ranked) for i in shown]
    return [b for b in blocks if b is not None]
