"""``slugify``: text to a lower-case ASCII slug for URLs, file names and keys.

The whole batch goes through five pyarrow.compute kernels, no Python loop:

1. Unicode NFKD normalisation splits accented letters into a base letter and
   combining marks (``é`` -> ``e`` + U+0301) and compatibility characters into
   their plain forms (``ﬁ`` -> ``fi``, ``²`` -> ``2``, full-width letters -> ASCII ones);
2. every character still outside ASCII is dropped: the combining marks, and
   letters with no ASCII decomposition (``ß``, ``ø``, ``ł``, CJK, emoji...);
3. ASCII letters are lower-cased;
4. every run of characters other than ``a-z`` and ``0-9`` becomes one ``-``;
5. ``-`` at either end is trimmed.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, cast

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import FunctionExample, FunctionStability, NullHandling, Param, Returns, ScalarFunction

_NON_ASCII: Final = r"[^\x00-\x7f]+"
_SEPARATORS: Final = r"[^a-z0-9]+"


def slugify(text: pa.Array[Any]) -> pa.StringArray:
    """The slug of every row (see the module docstring); NULL stays NULL, the result is utf8."""
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    # call_function: pyarrow-stubs do not declare pc.utf8_normalize.
    decomposed = pc.call_function("utf8_normalize", [text], pc.Utf8NormalizeOptions(form="NFKD"))
    ascii_only = pc.replace_substring_regex(decomposed, _NON_ASCII, "")
    lowered = pc.ascii_lower(ascii_only)
    dashed = pc.replace_substring_regex(lowered, _SEPARATORS, "-")
    return cast(pa.StringArray, pc.ascii_trim(dashed, characters="-"))


class Slugify(ScalarFunction):
    """Lower-case ASCII slug of a text: accents dropped, other characters folded to single dashes."""

    class Meta:
        """Catalog entry for ``text.slugify``."""

        name = "slugify"
        description = (
            "Lower-case ASCII slug of s, for URLs, file names and keys: the text is NFKD-normalised "
            "so accented letters lose their accents (é -> e) and compatibility forms become plain "
            "ones (ﬁ -> fi, ² -> 2); characters with no ASCII form (ß, ø, CJK, emoji) are dropped; "
            "every run of characters other than a-z and 0-9 becomes a single '-', and '-' is trimmed "
            "from both ends. A text with no letters or digits gives ''. NULL gives NULL."
        )
        comment = "NFKD, drop accents, non-alphanumerics to '-'"
        examples = (
            FunctionExample(
                sql="SELECT packs.text.slugify('Héllo, Wörld!')",
                description="Accents dropped, punctuation and spaces folded into one dash",
                expected_output="hello-world",
            ),
            FunctionExample(
                sql="SELECT packs.text.slugify('  Crème Brûlée -- Recipe #2  ')",
                description="Runs of separators become one dash; dashes at the ends are trimmed",
                expected_output="creme-brulee-recipe-2",
            ),
        )
        categories = ("text",)
        stability = FunctionStability.CONSISTENT
        null_handling = NullHandling.DEFAULT

    @classmethod
    def compute(
        cls, s: Annotated[pa.StringArray, Param(doc="Text to turn into a slug")]
    ) -> Annotated[pa.StringArray, Returns(doc="Slug: a-z, 0-9 and single inner dashes")]:
        """Slugify the batch with pyarrow.compute kernels."""
        return slugify(s)
