"""Great-circle distance and initial bearing between two points on a sphere.

Both functions treat the Earth as a sphere.  That is off by up to about 0.5 %
against the WGS 84 ellipsoid, which is the accepted price for a closed-form,
fully vectorised formula; callers who need millimetres want Vincenty or
Karney on the ellipsoid, not this pack.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import numpy as np
import pyarrow as pa

from vgi_host import FunctionExample, FunctionStability, NullHandling, Param, Returns, ScalarFunction
from vgi_pack_geo._validate import (
    LATITUDE,
    LONGITUDE,
    BoolVector,
    FloatVector,
    combine_nulls,
    coordinate_column,
    require_same_length,
)

EARTH_RADIUS_KM: Final = 6371.0088
"""IUGG mean Earth radius R1 = (2a + b) / 3 of WGS 84.

It minimises the mean error of the spherical model over the whole globe, which
is why it (rather than the equatorial 6378.137 km) is the customary haversine
radius.
"""

_POINTS_DOC: Final = (
    "Latitudes must lie in [-90, 90] and longitudes in [-180, 180] (degrees); "
    "anything else raises an error naming the argument and row. "
    "NULL in any argument gives NULL; NaN gives NaN."
)


def _points(
    lat1: pa.Array[Any], lon1: pa.Array[Any], lat2: pa.Array[Any], lon2: pa.Array[Any]
) -> tuple[FloatVector, FloatVector, FloatVector, FloatVector, BoolVector | None]:
    """Check both points; return them in degrees plus the combined NULL mask.

    NaN is allowed through: the trigonometry propagates it, matching DuckDB's
    own math functions, instead of failing a whole query on one bad float.
    """
    require_same_length(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)
    a_lat = coordinate_column("lat1", lat1, LATITUDE, allow_nan=True)
    a_lon = coordinate_column("lon1", lon1, LONGITUDE, allow_nan=True)
    b_lat = coordinate_column("lat2", lat2, LATITUDE, allow_nan=True)
    b_lon = coordinate_column("lon2", lon2, LONGITUDE, allow_nan=True)
    null = combine_nulls(a_lat.null, a_lon.null, b_lat.null, b_lon.null)
    return a_lat.values, a_lon.values, b_lat.values, b_lon.values, null


def _double_array(values: FloatVector, null: BoolVector | None) -> pa.DoubleArray:
    """Wrap a result vector, marking NULL rows (NaN stays a value, not a NULL)."""
    return pa.array(values, type=pa.float64(), mask=null)


class HaversineKm(ScalarFunction):
    """Great-circle distance between two points, in kilometres, on a sphere of radius 6371.0088 km."""

    class Meta:
        """Catalog entry for ``geo.haversine_km``."""

        name = "haversine_km"
        description = (
            "Great-circle (shortest surface) distance in kilometres between (lat1, lon1) and "
            "(lat2, lon2), given in degrees, using the haversine formula on a sphere of the mean "
            "Earth radius 6371.0088 km (within about 0.5 % of the ellipsoidal distance). " + _POINTS_DOC
        )
        comment = "spherical model; degrees in, kilometres out"
        examples = (
            FunctionExample(
                sql="SELECT round(packs.geo.haversine_km(48.8566, 2.3522, 51.5074, -0.1278), 1)",
                description="Paris to London",
                expected_output="343.6",
            ),
            FunctionExample(
                sql="SELECT round(packs.geo.haversine_km(0, 0, 0, 180), 1)",
                description="Antipodal points are half a circumference apart",
                expected_output="20015.1",
            ),
        )
        categories = ("geo", "distance")
        tags = {"unit": "km"}
        stability = FunctionStability.CONSISTENT
        # Strict: NULL in any argument means NULL out.  compute still masks NULL
        # rows itself, because the host hands it whole batches.
        null_handling = NullHandling.DEFAULT

    @classmethod
    def compute(
        cls,
        lat1: Annotated[pa.DoubleArray, Param(doc="Latitude of the first point, degrees in [-90, 90]")],
        lon1: Annotated[pa.DoubleArray, Param(doc="Longitude of the first point, degrees in [-180, 180]")],
        lat2: Annotated[pa.DoubleArray, Param(doc="Latitude of the second point, degrees in [-90, 90]")],
        lon2: Annotated[pa.DoubleArray, Param(doc="Longitude of the second point, degrees in [-180, 180]")],
    ) -> Annotated[pa.DoubleArray, Returns(doc="Distance in kilometres")]:
        """Haversine distance, vectorised over the batch.

        Rounding can push the haversine ``h`` a few ulps outside [0, 1], where
        ``sqrt(1 - h)`` or ``asin`` would turn a valid pair of points into NaN;
        it is clipped first.  Near antipodal points every haversine variant
        loses about ``sqrt(eps)`` of the angle (up to ~0.2 m here), negligible
        beside the spherical model's own 0.5 %.
        """
        lat_a, lon_a, lat_b, lon_b, null = _points(lat1, lon1, lat2, lon2)
        phi1, phi2 = np.radians(lat_a), np.radians(lat_b)
        half_dphi = np.sin((phi2 - phi1) / 2.0)
        half_dlambda = np.sin(np.radians(lon_b - lon_a) / 2.0)
        h = half_dphi * half_dphi + np.cos(phi1) * np.cos(phi2) * half_dlambda * half_dlambda
        h = np.clip(h, 0.0, 1.0)
        central_angle = 2.0 * np.arctan2(np.sqrt(h), np.sqrt(1.0 - h))
        return _double_array(EARTH_RADIUS_KM * central_angle, null)


class BearingDeg(ScalarFunction):
    """Initial great-circle bearing from point 1 to point 2, in degrees clockwise from north, in [0, 360)."""

    class Meta:
        """Catalog entry for ``geo.bearing_deg``."""

        name = "bearing_deg"
        description = (
            "Initial bearing (forward azimuth) of the great circle from (lat1, lon1) to (lat2, lon2), "
            "in degrees clockwise from true north, normalised to [0, 360). The bearing changes along "
            "a great circle, so this is the heading at the start only. Identical points give 0. "
            + _POINTS_DOC
        )
        comment = "heading at the start of the great circle; 0 = north, 90 = east"
        examples = (
            FunctionExample(
                sql="SELECT round(packs.geo.bearing_deg(48.8566, 2.3522, 51.5074, -0.1278), 1)",
                description="Leaving Paris for London, head north-north-west",
                expected_output="330.0",
            ),
            FunctionExample(
                sql="SELECT packs.geo.bearing_deg(0, 0, 0, 10)",
                description="Due east along the equator",
                expected_output="90.0",
            ),
        )
        categories = ("geo", "direction")
        tags = {"unit": "degrees"}
        stability = FunctionStability.CONSISTENT
        null_handling = NullHandling.DEFAULT

    @classmethod
    def compute(
        cls,
        lat1: Annotated[pa.DoubleArray, Param(doc="Latitude of the start point, degrees in [-90, 90]")],
        lon1: Annotated[pa.DoubleArray, Param(doc="Longitude of the start point, degrees in [-180, 180]")],
        lat2: Annotated[pa.DoubleArray, Param(doc="Latitude of the end point, degrees in [-90, 90]")],
        lon2: Annotated[pa.DoubleArray, Param(doc="Longitude of the end point, degrees in [-180, 180]")],
    ) -> Annotated[pa.DoubleArray, Returns(doc="Bearing in degrees, [0, 360)")]:
        """Forward azimuth, vectorised over the batch.

        Identical points have no direction; ``atan2(0, 0)`` happens to give 0,
        but only when both components round to exactly +0, which the other
        spellings of one point (lon -180 against lon 180, or one pole at two
        longitudes) do not, so those rows are set to 0 explicitly.  ``np.mod``
        can round a tiny negative angle up to exactly 360.0, which is folded
        back to 0 to keep the result in [0, 360).
        """
        lat_a, lon_a, lat_b, lon_b, null = _points(lat1, lon1, lat2, lon2)
        phi1, phi2 = np.radians(lat_a), np.radians(lat_b)
        dlambda = np.radians(lon_b - lon_a)
        cos_phi2 = np.cos(phi2)
        y = np.sin(dlambda) * cos_phi2
        x = np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * cos_phi2 * np.cos(dlambda)
        bearing = np.mod(np.degrees(np.arctan2(y, x)), 360.0)
        bearing[bearing >= 360.0] = 0.0
        same_meridian = (lon_a == lon_b) | (np.abs(lon_b - lon_a) == 360.0)
        same_point = (lat_a == lat_b) & (same_meridian | (np.abs(lat_a) == 90.0))
        bearing[same_point] = 0.0
        # -0.0 + 0.0 == +0.0: never show "-0" for a northward bearing.
        return _double_array(bearing + 0.0, null)
