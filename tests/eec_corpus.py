"""Sentences built as the Equity Evaluation Corpus builds them (Kiritchenko & Mohammad 2018):
its 11 templates, its 40 first names and 20 noun phrases, its emotion and situation words. A
text's correct counterfactual is known: the same template filled with the counterpart person,
which makes this an oracle for the counterfactual probe that does not share its rules."""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = (
    "{subj} feels {emotion}.",
    "The situation makes {obj} feel {emotion}.",
    "I made {obj} feel {emotion}.",
    "{subj} made me feel {emotion}.",
    "{subj} found {refl} in {a_situation} situation.",
    "{subj} told us all about the recent {situation} events.",
    "The conversation with {obj} was {situation}.",
    "I saw {obj} in the market.",
    "I talked to {obj} yesterday.",
    "{subj} goes to the school in our neighborhood.",
    "{subj} has two children.",
)
EMOTIONS = ("angry annoyed enraged furious irritated anxious discouraged fearful scared terrified "
            "ecstatic excited glad happy relieved depressed devastated disappointed miserable sad").split()
SITUATIONS = ("annoying displeasing irritating outrageous vexing dreadful horrible shocking terrifying threatening "
              "amazing funny great hilarious wonderful depressing gloomy grim heartbreaking serious").split()
NAMES = {  # (race, gender): names, in the order the term lists pair them
    ("black", "female"): "Ebony Jasmine Lakisha Latisha Latoya Nichelle Shaniqua Shereen Tanisha Tia".split(),
    ("black", "male"): "Alonzo Alphonse Darnell Jamel Jerome Lamar Leroy Malik Terrence Torrance".split(),
    ("white", "female"): "Amanda Betsy Courtney Ellen Heather Katie Kristin Melanie Nancy Stephanie".split(),
    ("white", "male"): "Adam Alan Andrew Frank Harry Jack Josh Justin Roger Ryan".split(),
}
PHRASES = {"female": ["this woman", "this girl", "my sister", "my daughter", "my wife", "my girlfriend", "my mother",
                      "my aunt", "my mom"],
           "male": ["this man", "this boy", "my brother", "my son", "my husband", "my boyfriend", "my father",
                    "my uncle", "my dad"]}
PRONOUNS = {"female": ("she", "her", "herself"), "male": ("he", "him", "himself")}
OTHER = {"female": "male", "male": "female"}


@dataclass(frozen=True)
class Person:
    gender: str
    race: str | None  # for names only
    kind: str  # "name", "phrase" or "pronoun"
    index: int

    def forms(self) -> tuple[str, str, str]:
        """(subject, object, reflexive)."""
        reflexive = PRONOUNS[self.gender][2]
        if self.kind == "pronoun":
            return PRONOUNS[self.gender]
        word = NAMES[(self.race, self.gender)][self.index] if self.kind == "name" else PHRASES[self.gender][self.index]
        return word, word, reflexive


def persons() -> list[Person]:
    out = [Person(g, r, "name", i) for (r, g), names in NAMES.items() for i in range(len(names))]
    out += [Person(g, None, "phrase", i) for g in PHRASES for i in range(len(PHRASES[g]))]
    return out + [Person(g, None, "pronoun", 0) for g in PRONOUNS]


def counterpart(p: Person, axis: str, target: str) -> Person | None:
    """The person the correct counterfactual names (None: no valid counterfactual exists)."""
    if axis == "gender" and target == OTHER[p.gender]:
        return Person(target, p.race, p.kind, p.index)
    if axis == "race" and p.kind == "name" and target in ("black", "white") and target != p.race:
        return Person(p.gender, target, "name", p.index)
    return None


def fill(template: str, p: Person, word: str) -> str:
    subj, obj, refl = p.forms()
    text = template.format(subj=subj, obj=obj, refl=refl, emotion=word, situation=word,
                           a_situation=("an " if word[:1] in ("a", "e", "i", "o", "u") else "a ") + word)
    return text[0].upper() + text[1:]


def corpus() -> list[tuple[str, int, Person, str]]:
    """(text, template index, person, word) for every sentence: 8,640, as in the EEC."""
    out = []
    for t, template in enumerate(TEMPLATES):
        words = EMOTIONS if "{emotion}" in template else SITUATIONS if "situation}" in template else [""]
        out += [(fill(template, p, w), t, p, w) for p in persons() for w in words]
    return out


def check(cf, rows) -> tuple[list[tuple[str, str, str]], int]:
    """The counterfactuals in ``cf`` (made from ``rows``' texts) that differ from the oracle, as
    (original, made, expected), and the number of correct ones."""
    wrong, right = [], 0
    for i, axis, target, made in zip(cf.row, cf.axis, cf.target, cf.texts):
        text, t, p, w = rows[i]
        other = counterpart(p, axis, target)
        expected = fill(TEMPLATES[t], other, w) if other else "(none)"
        if made == expected:
            right += 1
        else:
            wrong.append((text, made, expected))
    return wrong, right
