"""A small reference dataset shipped with the pack: 32 world cities.

Served as the table function ``world_cities()`` and, through it, as the table
``geo.cities`` (and the view ``geo.large_cities``).  Coordinates are city
centres in degrees; populations are recent census or official estimates for
the city proper, rounded, meant for examples rather than analysis.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import pyarrow as pa

from vgi_host import (
    BindParams,
    FunctionStability,
    OutputCollector,
    PackTable,
    PackView,
    ProcessParams,
    TableFunctionGenerator,
)

_CITY_FIELDS: list[pa.Field[Any]] = [
    pa.field("name", pa.string()),
    pa.field("country", pa.string()),
    pa.field("lat", pa.float64()),
    pa.field("lon", pa.float64()),
    pa.field("population", pa.int64()),
]
CITIES_SCHEMA = pa.schema(_CITY_FIELDS)


@cache
def _cities() -> pa.Table:
    """Read the CSV once per process (pyarrow.csv is imported only here)."""
    import pyarrow.csv as csv

    data = resources.files("vgi_pack_geo").joinpath("cities.csv").read_bytes()
    convert = csv.ConvertOptions(column_types=CITIES_SCHEMA)
    return csv.read_csv(io.BytesIO(data), convert_options=convert).select(CITIES_SCHEMA.names)


class WorldCities(TableFunctionGenerator):
    """Thirty-two large or notable world cities: name, country, centre coordinates, population."""

    FIXED_SCHEMA: ClassVar[pa.Schema] = CITIES_SCHEMA

    class Meta:
        """Catalog metadata."""

        name = "world_cities"
        projection_pushdown = True
        examples = ("SELECT name, lat, lon FROM packs.geo.world_cities() WHERE country = 'Japan'",)
        categories = ("geo", "reference data")
        stability = FunctionStability.CONSISTENT  # a fixed dataset

    @classmethod
    def cardinality(cls, params: BindParams) -> int | None:
        """Exact: the dataset is fixed."""
        return _cities().num_rows

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        """The whole dataset in one batch, only the requested columns."""
        table = _cities().select(params.output_schema.names)
        out.emit(table.combine_chunks().to_batches()[0])
        out.finish()


TABLES = (
    PackTable(
        "cities",
        WorldCities,
        description="Thirty-two world cities with centre coordinates and population (from world_cities()).",
    ),
)

VIEWS = (
    PackView(
        "large_cities",
        "SELECT name, country, lat, lon, population FROM geo.cities WHERE population >= 10000000",
        description="Cities of geo.cities with at least ten million inhabitants.",
    ),
)
