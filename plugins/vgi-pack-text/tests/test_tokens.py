"""tokenize (table-in-out) and top_k_tokens (aggregate), driven the way the host drives them."""

from __future__ import annotations

import collections
import pickle
import random
import re

import pyarrow as pa
import pytest
from vgi_pack_text.tokens import TOP_K_RESULT, TokenCounts, Tokenize, TopKTokens, word_tokens

from vgi_host import ProcessParams
from vgi_host.errors import BindError
from vgi_host.sdk.context import Args

SCHEMA = pa.schema([pa.field("id", pa.int32()), pa.field("body", pa.string())])


def python_tokens(text: str) -> list[str]:
    """The oracle for texts without combining marks: Python's Unicode \\w+ on the lower-cased text."""
    return re.findall(r"\w+", text.lower())


# --- the shared kernel --------------------------------------------------------


def test_word_tokens_and_their_rows():
    tokens, rows = word_tokens(pa.array(["Hello, hello World!", None, "", "  ...  ", "x_1 2nd"]))
    assert tokens.type == pa.string()
    assert tokens.to_pylist() == ["hello", "hello", "world", "x_1", "2nd"]
    assert rows.tolist() == [0, 0, 0, 4, 4]


def test_word_tokens_match_python_word_regex():
    rng = random.Random(4)
    # no capital sigma: Python lower-cases it by context (final form), pyarrow per character
    alphabet = "aBz09_ -,.!?'\téÉüßÄ\u03c3東京🙂\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    tokens, rows = word_tokens(pa.array(texts))
    expected = [(i, t) for i, text in enumerate(texts) for t in python_tokens(text)]
    assert list(zip(rows.tolist(), tokens.to_pylist(), strict=True)) == expected


def test_combining_marks_stay_inside_their_word():
    tokens, _ = word_tokens(pa.array(["cafe\u0301 e\u0301te\u0301"]))
    assert tokens.to_pylist() == ["cafe\u0301", "e\u0301te\u0301"]


def test_word_tokens_accept_large_strings():
    tokens, rows = word_tokens(pa.array(["A b", None, "c"], type=pa.large_string()))
    assert tokens.type == pa.string()
    assert tokens.to_pylist() == ["a", "b", "c"]
    assert rows.tolist() == [0, 0, 2]


# --- tokenize -----------------------------------------------------------------


def instance(schema: pa.Schema = SCHEMA, key: str = "id", text: str = "body") -> Tokenize:
    bound = Tokenize.definition().bind(schema, [pa.scalar(key), pa.scalar(text)], {})
    created = bound.instantiate(b"x")
    assert isinstance(created, Tokenize)
    assert created.output_schema == bound.output_schema
    return created


def batch(ids, bodies, schema: pa.Schema = SCHEMA) -> pa.RecordBatch:
    return pa.record_batch(
        [pa.array(ids, schema.field(0).type), pa.array(bodies, schema.field(1).type)], schema=schema
    )


def test_tokenize_output_schema_carries_the_key_type():
    assert instance().output_schema == pa.schema(
        [
            pa.field("key", pa.int32()),
            pa.field("position", pa.int64(), nullable=False),
            pa.field("token", pa.string(), nullable=False),
        ]
    )
    keyed_by_text = pa.schema([pa.field("slug", pa.string()), pa.field("body", pa.large_string())])
    assert instance(keyed_by_text, key="slug").output_schema.field("key").type == pa.string()


def test_tokenize_one_row_per_token():
    tokenize = instance()
    result = tokenize.transform(batch([7, 8, 9, 10], ["Hello, hello World!", None, "?!", "The END."]))
    assert result is not None
    assert result.schema == tokenize.output_schema
    assert result.to_pylist() == [
        {"key": 7, "position": 1, "token": "hello"},
        {"key": 7, "position": 2, "token": "hello"},
        {"key": 7, "position": 3, "token": "world"},
        {"key": 10, "position": 1, "token": "the"},
        {"key": 10, "position": 2, "token": "end"},
    ]


def test_tokenize_null_keys_and_batches_without_tokens():
    tokenize = instance()
    result = tokenize.transform(batch([None, 2], ["a b", "c"]))
    assert result is not None
    assert result.column("key").to_pylist() == [None, None, 2]
    assert tokenize.transform(batch([1, 2], [None, "  "])) is None
    assert tokenize.transform(batch([], [])) is None


def test_tokenize_is_per_batch_and_matches_python():
    rng = random.Random(5)
    words = ["alpha", "Beta", "GAMMA", "δέλτα", "x1", "_u", "東京"]
    bodies = [
        rng.choice(["", " ", ", "]).join(
            rng.choice(words) + rng.choice([" ", "! ", "-"]) for _ in range(rng.randint(0, 8))
        )
        for _ in range(500)
    ]
    tokenize = instance()
    rows = []
    for start in range(0, 500, 128):
        result = tokenize.transform(
            batch(
                list(range(start, start + 128))[: len(bodies[start : start + 128])],
                bodies[start : start + 128],
            )
        )
        rows += [] if result is None else result.to_pylist()
    expected = [
        {"key": i, "position": p, "token": t}
        for i, body in enumerate(bodies)
        for p, t in enumerate(python_tokens(body), 1)
    ]
    assert rows == expected


def test_tokenize_finds_columns_case_insensitively():
    schema = pa.schema([pa.field("ID", pa.int64()), pa.field("Body", pa.string()), pa.field("x", pa.int8())])
    tokenize = instance(schema, key="id", text="body")
    result = tokenize.transform(
        pa.record_batch([pa.array([1]), pa.array(["Hi there"]), pa.array([0], pa.int8())], schema=schema)
    )
    assert result is not None
    assert result.column("token").to_pylist() == ["hi", "there"]


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("idd", "body", "key_column 'idd' is not a column of the input table; its columns are 'id', 'body'"),
        ("id", "text", "text_column 'text' is not a column of the input table; its columns are 'id', 'body'"),
        ("id", "id", "text_column 'id' has type int32; tokenize needs a VARCHAR column"),
    ],
)
def test_tokenize_refuses_missing_or_unusable_columns_at_bind(key, text, message):
    with pytest.raises(BindError, match=f"^{re.escape(message)}"):
        Tokenize.definition().bind(SCHEMA, [pa.scalar(key), pa.scalar(text)], {})


def test_tokenize_refuses_ambiguous_case_insensitive_names():
    schema = pa.schema(
        [pa.field("Id", pa.int64()), pa.field("ID", pa.int64()), pa.field("body", pa.string())]
    )
    with pytest.raises(BindError, match="matches several input columns"):
        Tokenize.definition().bind(schema, [pa.scalar("id"), pa.scalar("body")], {})


def test_tokenize_bind_needs_both_column_names():
    with pytest.raises(BindError, match="text_column"):
        Tokenize.definition().bind(SCHEMA, [pa.scalar("id")], {})


# --- top_k_tokens -------------------------------------------------------------


def params(k: int | None = 10) -> ProcessParams:
    return ProcessParams(args=Args({"k": k}), output_schema=TopKTokens.definition().output_schema)


def update(states: dict[int, TokenCounts | None], gids: list[int], texts: list[str | None]) -> None:
    for gid in set(gids):
        if states.get(gid) is None:
            states[gid] = TopKTokens.initial_state(params())  # the host pre-fills every id
    TopKTokens.update(states, pa.array(gids, type=pa.int64()), text=pa.array(texts, type=pa.string()), k=10)  # type: ignore[arg-type]


def finalize(states: dict[int, TokenCounts | None], gids: list[int], k: int | None = 10) -> list:
    result = TopKTokens.finalize(pa.array(gids, type=pa.int64()), {g: states.get(g) for g in gids}, params(k))
    assert result.schema == pa.schema([pa.field("result", TOP_K_RESULT)])
    assert result.num_rows == len(gids)
    return [
        None if row is None else [(d["token"], d["count"]) for d in row]
        for row in result.column(0).to_pylist()
    ]


def test_top_k_counts_and_breaks_ties_alphabetically():
    states: dict[int, TokenCounts | None] = {}
    update(states, [1, 1, 1], ["the cat", "The dog", "a cat"])
    assert finalize(states, [1], k=2) == [[("cat", 2), ("the", 2)]]
    assert finalize(states, [1], k=10) == [[("cat", 2), ("the", 2), ("a", 1), ("dog", 1)]]
    assert finalize(states, [1], k=1) == [[("cat", 2)]]


def test_top_k_groups_nulls_and_empty_texts():
    states: dict[int, TokenCounts | None] = {}
    update(states, [1, 2, 1, 3, 2, 4], ["b a b", None, "A", "!!!", None, ""])
    assert finalize(states, [1, 2, 3, 4, 5]) == [
        [("a", 2), ("b", 2)],
        None,  # only NULL texts
        [],  # a text, but no token in it
        [],
        None,  # never updated
    ]


def test_top_k_batches_and_combine_match_a_counter():
    rng = random.Random(6)
    vocabulary = ["w" + str(i) for i in range(40)]
    gids = [rng.randrange(6) for _ in range(3000)]
    texts = [
        " ".join(rng.choice(vocabulary[: rng.randint(1, 40)]) for _ in range(rng.randint(0, 6))) for _ in gids
    ]
    left: dict[int, TokenCounts | None] = {}
    right: dict[int, TokenCounts | None] = {}
    update(left, gids[:1000], texts[:1000])
    update(left, gids[1000:2000], texts[1000:2000])
    update(right, gids[2000:], texts[2000:])
    merged: dict[int, TokenCounts | None] = {}
    for gid in range(6):
        target = left.get(gid) or TopKTokens.initial_state(params())
        source = right.get(gid) or TopKTokens.initial_state(params())
        before = pickle.dumps(source)
        merged[gid] = TopKTokens.combine(source, target, params())
        assert pickle.dumps(source) == before, "combine leaves the source alone"
    results = finalize(merged, list(range(6)), k=5)
    for gid, result in zip(range(6), results, strict=True):
        counter = collections.Counter(
            t for g, text in zip(gids, texts, strict=True) if g == gid for t in text.split()
        )
        expected = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert result == expected


def test_top_k_state_pickles():
    state = TokenCounts({"a": 2, "é": 1}, 3)
    assert pickle.loads(pickle.dumps(state)) == state


def test_top_k_constant_is_bound_and_checked():
    definition = TopKTokens.definition()
    bound = definition.bind(pa.schema([("t", pa.string())]), [], {})
    assert bound.params.args.k == 10
    assert definition.bind(pa.schema([("t", pa.string())]), [pa.scalar(3)], {}).params.args.k == 3
    with pytest.raises(BindError, match="'k' must be >= 1; got 0"):
        definition.bind(pa.schema([("t", pa.string())]), [pa.scalar(0)], {})


def test_top_k_null_k_is_an_error():
    states: dict[int, TokenCounts | None] = {}
    update(states, [1], ["a"])
    with pytest.raises(ValueError, match="k must not be NULL"):
        finalize(states, [1], k=None)
