r"""Word tokens: the ``tokenize`` table-in-out function and the ``top_k_tokens`` aggregate.

Both split text the same way, in :func:`word_tokens`: the text is lower-cased
(Unicode-aware) and a token is a maximal run of word characters — letters,
combining marks, digits and ``_`` (RE2 ``[\pL\pM\pN_]``), which is regex
``\w+`` with Python's Unicode semantics except that a combining accent stays
inside its word (``cafe`` + U+0301 is one token, not ``cafe``).  Everything else
(spaces, punctuation, symbols, emoji) separates tokens and is dropped.
Lower-casing is per character (Unicode simple case mapping), so a word-final
capital sigma (U+03A3) becomes the ordinary small sigma (U+03C3), not the
final form (U+03C2) Python's ``str.lower`` picks by context.

The split runs as pyarrow.compute kernels over the whole batch; no Python loop
touches individual rows or tokens, except that ``top_k_tokens`` updates each
group's dictionary once per distinct (group, token) pair of a batch.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    AggregateFunction,
    Arg,
    BindError,
    ConstParam,
    FunctionExample,
    FunctionStability,
    Param,
    ProcessParams,
    Returns,
    TableInOutFunction,
    TableInput,
)

SEPARATOR: Final = r"[^\pL\pM\pN_]+"
"""RE2 pattern for what lies between tokens: anything but letters, marks, digits and ``_``."""

TOKEN_COUNT: Final = pa.struct([pa.field("token", pa.string()), pa.field("count", pa.int64())])
TOP_K_RESULT: Final = pa.list_(TOKEN_COUNT)
"""Result type of ``top_k_tokens``: LIST<STRUCT(token VARCHAR, count BIGINT)>."""

Int64Vector = npt.NDArray[np.int64]


def _is_text(data_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
        or pa.types.is_null(data_type)
    )


def word_tokens(text: pa.Array[Any]) -> tuple[pa.Array[Any], Int64Vector]:
    """All tokens of all rows, in row order, and the index of the row each came from.

    NULL and token-less rows contribute nothing.  The tokens are utf8
    whatever the input's string type.
    """
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    pieces = pc.split_pattern_regex(pc.utf8_lower(text), SEPARATOR)
    flat: pa.Array[Any] = pc.list_flatten(pieces)
    parents = pc.list_parent_indices(pieces)
    # A separator at either end of a text leaves an empty piece there.
    nonempty = pc.not_equal(flat, pa.scalar("", type=pa.string()))
    tokens = flat.filter(nonempty)
    rows = parents.filter(nonempty).to_numpy(zero_copy_only=False).astype(np.int64)
    return tokens, rows


def positions_within_rows(rows: Int64Vector) -> Int64Vector:
    """1-based position of each token within its row, given the (sorted) row of each token."""
    count = len(rows)
    if count == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    run_lengths = np.diff(np.append(starts, count))
    return np.arange(count, dtype=np.int64) - np.repeat(starts, run_lengths) + 1


def _resolve_column(schema: pa.Schema, argument: str, name: Any) -> str:
    """The input column a ``*_column`` argument names: exactly, else the one case-insensitive match."""
    if not isinstance(name, str):
        raise BindError(f"{argument} must be a column name (VARCHAR); got {name!r}")
    if schema.get_field_index(name) >= 0:
        return name
    folded = [n for n in schema.names if n.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    columns = ", ".join(repr(n) for n in schema.names) or "none"
    if folded:
        raise BindError(
            f"{argument} {name!r} matches several input columns ({folded}) that differ only in case"
        )
    raise BindError(f"{argument} {name!r} is not a column of the input table; its columns are {columns}")


class Tokenize(TableInOutFunction):
    """One row (key, position, token) per lower-case word token of a text column."""

    key_column: Annotated[str, Arg(0, doc="Name of the input column copied to `key` on every token row")]
    text_column: Annotated[str, Arg(1, doc="Name of the VARCHAR input column to split into tokens")]
    data: Annotated[TableInput, Arg(2, doc="Input table; needs both named columns")]

    class Meta:
        """Catalog entry for ``text.tokenize``."""

        name = "tokenize"
        description = (
            "Splits the text column of every input row into lower-case word tokens and returns one row "
            "per token: key (the row's key_column value, of its type), position (BIGINT, 1 for the "
            "first token of the row) and token (VARCHAR). A token is a maximal run of letters, "
            "combining marks, digits and '_' (regex \\w+); everything else separates tokens. Rows "
            "whose text is NULL or has no token produce no rows. Column names match exactly, else "
            "case-insensitively; a missing column is an error listing the input's columns."
        )
        comment = "word tokens with their row key and 1-based position"
        examples = (
            FunctionExample(
                sql=(
                    "SELECT * FROM text.tokenize('id', 'body', "
                    "(SELECT 1 AS id, 'Hello, hello World!' AS body))"
                ),
                description="Three tokens of row 1",
                expected_output="(1, 1, 'hello'), (1, 2, 'hello'), (1, 3, 'world')",
            ),
            FunctionExample(
                sql=(
                    "SELECT token, count(*) AS n "
                    "FROM text.tokenize('id', 'body', (SELECT id, body FROM docs)) "
                    "GROUP BY token ORDER BY n DESC LIMIT 10"
                ),
                description="The ten most common words of a table",
            ),
        )
        categories = ("text", "tokenize")
        stability = FunctionStability.CONSISTENT
        # Stateless: every batch is tokenized on its own, so any process may take any batch.
        max_workers = 8

    @property
    def output_schema(self) -> pa.Schema:
        """``key`` (the key column's type), ``position`` BIGINT, ``token`` VARCHAR."""
        key, text = self._columns()
        key_field = self.input_schema.field(key)
        text_type = self.input_schema.field(text).type
        if not _is_text(text_type):
            raise BindError(
                f"text_column {text!r} has type {text_type}; tokenize needs a VARCHAR column "
                f"(cast it in the input query, e.g. CAST({text} AS VARCHAR))"
            )
        return pa.schema(
            [
                pa.field("key", key_field.type, nullable=key_field.nullable),
                pa.field("position", pa.int64(), nullable=False),
                pa.field("token", pa.string(), nullable=False),
            ]
        )

    def _columns(self) -> tuple[str, str]:
        schema = self.input_schema
        return (
            _resolve_column(schema, "key_column", self.args.key_column),
            _resolve_column(schema, "text_column", self.args.text_column),
        )

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """All token rows of one input batch, in input order."""
        key, text = self._columns()
        tokens, rows = word_tokens(batch.column(text))
        if len(tokens) == 0:
            return None
        keys = batch.column(key).take(pa.array(rows, type=pa.int64()))
        positions = pa.array(positions_within_rows(rows), type=pa.int64())
        return pa.RecordBatch.from_arrays([keys, positions, tokens], schema=self.output_schema)


@dataclass
class TokenCounts:
    """Per group: how often each token occurred, and how many non-NULL texts were seen."""

    counts: dict[str, int] = field(default_factory=dict)
    texts: int = 0


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    """Most frequent first; equal counts in alphabetical (code point) order."""
    token, count = item
    return -count, token


def top_k(counts: dict[str, int], k: int) -> list[dict[str, Any]]:
    """The ``k`` most frequent tokens, ties broken alphabetically, as result rows."""
    best = heapq.nsmallest(k, counts.items(), key=_rank)
    return [{"token": token, "count": count} for token, count in best]


class TopKTokens(AggregateFunction[TokenCounts]):
    """The k most frequent lower-case word tokens of a group's texts, with their counts."""

    class Meta:
        """Catalog entry for ``text.top_k_tokens``."""

        name = "top_k_tokens"
        description = (
            "The k (default 10, at least 1) most frequent word tokens of the group's texts, as "
            "LIST<STRUCT(token VARCHAR, count BIGINT)>, most frequent first; equal counts are ordered "
            "alphabetically (by code point). Tokens are split as by text.tokenize: lower-cased runs of "
            "letters, combining marks, digits and '_'. NULL texts are ignored; a group with no non-NULL "
            "text gives NULL, one whose texts hold no token gives an empty list. Keeps one counter per "
            "distinct token per group, so memory grows with the vocabulary."
        )
        comment = "most frequent word tokens per group; ties alphabetical"
        examples = (
            FunctionExample(
                sql=(
                    "SELECT text.top_k_tokens(t, 2) FROM (VALUES ('the cat'), ('The dog'), ('a cat')) AS v(t)"
                ),
                description="'cat' and 'the' both occur twice; 'cat' sorts first",
                expected_output="[{'token': cat, 'count': 2}, {'token': the, 'count': 2}]",
            ),
            FunctionExample(
                sql="SELECT author, text.top_k_tokens(body) FROM posts GROUP BY author",
                description="Each author's ten favourite words",
            ),
        )
        categories = ("text", "aggregate")
        stability = FunctionStability.CONSISTENT

    @classmethod
    def initial_state(cls, params: ProcessParams) -> TokenCounts:
        """No tokens yet."""
        return TokenCounts()

    @classmethod
    def update(
        cls,
        states: dict[int, TokenCounts],
        group_ids: pa.Int64Array,
        text: Annotated[pa.StringArray, Param(doc="Text to count the word tokens of")],
        k: Annotated[int, ConstParam(doc="How many tokens to return per group", ge=1)] = 10,
    ) -> None:
        """Count the batch's tokens per (group, token) with pyarrow, then add each pair once."""
        if len(group_ids) != len(text):
            raise ValueError(
                f"group_ids and text must have the same number of rows; got {len(group_ids)} and {len(text)}"
            )
        gids = group_ids.to_numpy(zero_copy_only=False)
        valid = text.is_valid().to_numpy(zero_copy_only=False)
        seen, texts = np.unique(gids[valid], return_counts=True)
        for gid, n in zip(seen.tolist(), texts.tolist(), strict=True):
            states[gid].texts += n
        tokens, rows = word_tokens(text)
        if len(tokens) == 0:
            return
        pairs = pa.table({"group": pa.array(gids[rows], type=pa.int64()), "token": tokens})
        tally = pairs.group_by(["group", "token"], use_threads=False).aggregate([("token", "count")])
        # Neither column holds NULLs: group ids never do, and NULL texts give no token.
        groups: list[int] = tally.column("group").to_numpy().tolist()
        names: list[str] = tally.column("token").to_pylist()  # type: ignore[assignment]
        tallies: list[int] = tally.column("token_count").to_numpy().tolist()
        for gid, token, count in zip(groups, names, tallies, strict=True):
            counts = states[gid].counts
            counts[token] = counts.get(token, 0) + count

    @classmethod
    def combine(cls, source: TokenCounts, target: TokenCounts, params: ProcessParams) -> TokenCounts:
        """Add the source's counts into the target (the source is left unchanged)."""
        counts = target.counts
        for token, count in source.counts.items():
            counts[token] = counts.get(token, 0) + count
        target.texts += source.texts
        return target

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, TokenCounts | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(TOP_K_RESULT, doc="Top k tokens with their counts")]:
        """Rank each group's counts; NULL for a group that saw no non-NULL text."""
        k = params.args.k
        if k is None:
            raise ValueError("k must not be NULL")
        if k < 1:
            raise ValueError(f"k must be >= 1; got {k}")
        results: list[list[dict[str, Any]] | None] = []
        for gid in group_ids.to_numpy(zero_copy_only=False).tolist():
            state = states.get(gid)
            results.append(None if state is None or state.texts == 0 else top_k(state.counts, k))
        return pa.RecordBatch.from_arrays([pa.array(results, type=TOP_K_RESULT)], names=["result"])
