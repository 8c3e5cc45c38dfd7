"""Overloading by signature: every overload in the catalog, bind picks the best-matching one."""

import pyarrow as pa
import pytest

from tests.unit.test_pack_loading import candidate
from vgi_host.errors import BindError
from vgi_host.model.records import PackStatus
from vgi_host.packs.loader import load_pack


@pytest.fixture(scope="module")
def describe():
    record = load_pack(candidate("overloads"))
    assert record.status is PackStatus.LOADED, record.error
    return record


def run(definition, columns: dict, constants=()):
    batch = pa.RecordBatch.from_pydict(columns)
    return definition.bind(batch.schema, list(constants), {})(batch).column(0).to_pylist()


def test_each_overload_is_its_own_catalog_entry(describe):
    assert describe.function_names == ["describe", "describe", "describe"]
    assert len({entry.info for entry in describe.entries}) == 3


def test_bind_prefers_exact_types_then_the_first_registered(describe):
    definition = describe.definition("describe")
    assert run(definition, {"x": pa.array([1], pa.int32())}) == ["int32"]
    assert run(definition, {"x": pa.array([1], pa.int64())}) == ["int64"]
    assert run(definition, {"x": pa.array([1], pa.int16())}) == ["int32"]  # both cast: first wins
    assert run(definition, {"x": pa.array([2], pa.int64())}, [pa.scalar(3)]) == ["6"]


def test_the_one_overload_of_the_call_shape_reports_its_own_error(describe):
    with pytest.raises(BindError, match=r"Argument 'scale' is too small\."):
        run(describe.definition("describe"), {"x": [2]}, [pa.scalar(-1)])


def test_no_overload_of_the_shape_lists_them_all(describe):
    with pytest.raises(BindError, match="no overload of 'describe' accepts these arguments"):
        run(describe.definition("describe"), {"x": [1], "y": [2]})
