"""slugify and levenshtein, called through their compute classmethods."""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pytest
from vgi_pack_text.levenshtein import Levenshtein, levenshtein
from vgi_pack_text.slugify import Slugify

# --- slugify ------------------------------------------------------------------


def slugify(*values: str | None) -> list[str | None]:
    result = Slugify.compute(pa.array(values, type=pa.string()))
    assert result.type == pa.string()
    return result.to_pylist()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Héllo, Wörld!", "hello-world"),
        ("  Crème Brûlée -- Recipe #2  ", "creme-brulee-recipe-2"),
        ("already-a-slug", "already-a-slug"),
        ("MiXeD CaSe 123", "mixed-case-123"),
        ("snake_case_name", "snake-case-name"),
        ("a...b___c   d", "a-b-c-d"),
        ("---", ""),
        ("", ""),
        ("!!! ???", ""),
        ("Ça va? Ñandú", "ca-va-nandu"),
        ("ﬁne ²", "fine-2"),  # compatibility forms (NFKD): ligature, superscript
        ("\uff26\uff55\uff4c\uff4c \uff57\uff49\uff44\uff54\uff48", "full-width"),  # full-width forms
        ("Straße", "strae"),  # no ASCII decomposition: dropped
        ("東京 Tokyo 🗼", "tokyo"),
        ("e\u0301te\u0301", "ete"),  # already decomposed
        ("tab\tnew\nline", "tab-new-line"),
    ],
)
def test_slugify_known_values(text, slug):
    assert slugify(text) == [slug]


def test_slugify_nulls_empty_batches_and_other_string_types():
    assert slugify("A B", None, "C") == ["a-b", None, "c"]
    assert slugify() == []
    large = Slugify.compute(pa.array(["Héllo", None], type=pa.large_string()))
    assert large.to_pylist() == ["hello", None]
    sliced = pa.array(["x", "Héllo, Wörld!", "y"]).slice(1, 1)
    assert Slugify.compute(sliced).to_pylist() == ["hello-world"]


def test_slugs_are_idempotent_and_well_formed():
    rng = random.Random(3)
    alphabet = "aZ09 -_.,!éüßÆ東\u0301\t"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(2000)]
    slugs = slugify(*texts)
    assert slugify(*slugs) == slugs
    for slug in slugs:
        assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug or ""), slug


# --- levenshtein --------------------------------------------------------------


def reference(a: str, b: str) -> int:
    """Textbook Wagner-Fischer dynamic program."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def distances(a: list[str | None], b: list[str | None]) -> list[int | None]:
    result = Levenshtein.compute(pa.array(a, type=pa.string()), pa.array(b, type=pa.string()))
    assert result.type == pa.int64()
    return result.to_pylist()


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("kitten", "sitting", 3),
        ("sitting", "kitten", 3),
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("abc", "abc", 0),
        ("flaw", "lawn", 2),
        ("intention", "execution", 5),
        ("Kitten", "kitten", 1),  # case-sensitive
        ("café", "cafe", 1),  # one code point
        ("cafe\u0301", "café", 2),  # decomposed: two code points against one
        ("🙂🙃", "🙃🙂", 2),
        ("a" * 200, "a" * 199 + "b", 1),
    ],
)
def test_levenshtein_known_values(a, b, distance):
    assert distances([a], [b]) == [distance]


def test_levenshtein_matches_the_dynamic_program():
    rng = random.Random(7)
    a, b = [], []
    for _ in range(3000):
        # small alphabets make many matches; lengths cross the 64-bit word boundary
        alphabet = rng.choice(["ab", "abc", "abcdefgh", "aé🙂"])
        a.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 140))))
        b.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 140))))
    assert distances(a, b) == [reference(x, y) for x, y in zip(a, b, strict=True)]
    assert distances(b, a) == distances(a, b)


def test_levenshtein_metric_bounds():
    rng = random.Random(8)
    for _ in range(500):
        x = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 30)))
        y = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 30)))
        d = levenshtein(x, y)
        assert abs(len(x) - len(y)) <= d <= max(len(x), len(y))


def test_levenshtein_long_texts():
    rng = random.Random(9)
    x = "".join(rng.choice("abcdefgh") for _ in range(3000))
    y = x[:1000] + "zz" + x[1200:]  # 200 deleted, 2 inserted
    assert levenshtein(x, y) == reference(x, y)


def test_levenshtein_nulls_give_null():
    assert distances(["a", None, "abc", None], ["b", "x", None, None]) == [1, None, None, None]
    assert distances([], []) == []


def test_levenshtein_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of rows; got a=2, b=1"):
        Levenshtein.compute(pa.array(["a", "b"]), pa.array(["a"]))
