"""vgi-pack-geo: geospatial functions for vgi-host, served as the ``geo`` schema.

Scalar functions ``haversine_km`` and ``bearing_deg`` (:mod:`vgi_pack_geo.distance`),
``geohash_encode`` and ``geohash_decode`` (:mod:`vgi_pack_geo.geohash`); the
table function ``geo_grid`` (:mod:`vgi_pack_geo.grid`); the aggregate
``centroid`` (:mod:`vgi_pack_geo.centroid`); the reference table ``cities``
(backed by the table function ``world_cities``) and the view ``large_cities``
(:mod:`vgi_pack_geo.cities`).

This module is what the ``vgi.functions`` entry point names, so the host
imports it just to find the hook.  It therefore imports nothing but the hook
marker; numpy and the function modules load only when the host actually asks
for the functions.
"""

from __future__ import annotations

from typing import Any

from vgi_host import RegisterFunction, hookimpl

__all__ = ["register_functions", "register_tables", "register_views"]


@hookimpl
def register_functions(register: RegisterFunction) -> None:
    """Register the pack's seven functions with the host."""
    from vgi_pack_geo.centroid import Centroid
    from vgi_pack_geo.cities import WorldCities
    from vgi_pack_geo.distance import BearingDeg, HaversineKm
    from vgi_pack_geo.geohash import GeohashDecode, GeohashEncode
    from vgi_pack_geo.grid import GeoGrid

    for function in (HaversineKm, BearingDeg, GeohashEncode, GeohashDecode, GeoGrid, Centroid, WorldCities):
        register(function)


@hookimpl
def register_tables(register: Any) -> None:
    """The ``cities`` reference table."""
    from vgi_pack_geo.cities import TABLES

    for table in TABLES:
        register(table)


@hookimpl
def register_views(register: Any) -> None:
    """The ``large_cities`` view."""
    from vgi_pack_geo.cities import VIEWS

    for view in VIEWS:
        register(view)
