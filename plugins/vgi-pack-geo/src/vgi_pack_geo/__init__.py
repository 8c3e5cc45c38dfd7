"""vgi-pack-geo: geospatial functions for vgi-host, served as the ``geo`` schema.

Scalar functions ``haversine_km`` and ``bearing_deg`` (:mod:`vgi_pack_geo.distance`),
``geohash_encode`` and ``geohash_decode`` (:mod:`vgi_pack_geo.geohash`); the
table function ``geo_grid`` (:mod:`vgi_pack_geo.grid`); the aggregate
``centroid`` (:mod:`vgi_pack_geo.centroid`).

This module is what the ``vgi.functions`` entry point names, so the host
imports it just to find the hook.  It therefore imports nothing but the hook
marker; numpy and the function modules load only when the host actually asks
for the functions.
"""

from __future__ import annotations

from vgi_host import RegisterFunction, hookimpl

__all__ = ["register_functions"]


@hookimpl
def register_functions(register: RegisterFunction) -> None:
    """Register the pack's six functions with the host."""
    from vgi_pack_geo.centroid import Centroid
    from vgi_pack_geo.distance import BearingDeg, HaversineKm
    from vgi_pack_geo.geohash import GeohashDecode, GeohashEncode
    from vgi_pack_geo.grid import GeoGrid

    for function in (HaversineKm, BearingDeg, GeohashEncode, GeohashDecode, GeoGrid, Centroid):
        register(function)
