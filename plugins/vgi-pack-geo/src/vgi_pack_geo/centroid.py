"""``centroid``: the spherical mean of the points of a group, as an aggregate.

Averaging latitudes and longitudes directly goes wrong across the
antimeridian (the mean of longitudes 179 and -179 is 0, on the far side of the
Earth) and near the poles.  Instead every point becomes a unit vector on the
sphere, the vectors are summed, and the direction of the sum is converted back
to a latitude and longitude: the point on the sphere nearest, on average, to
all of them (the normalised extrinsic mean).

The state is the running vector sum and the number of points, so combining
two partial states is one addition.  When the sum is (nearly) the zero vector
the points balance out, e.g. two antipodal points or points evenly spread
around a great circle, and no direction is meaningful: the result is NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

import numpy as np
import pyarrow as pa

from vgi_host import AggregateFunction, FunctionExample, FunctionStability, Param, ProcessParams, Returns
from vgi_pack_geo._validate import LATITUDE, LONGITUDE, combine_nulls, coordinate_column, require_same_length

CENTROID_POINT: Final = pa.struct([pa.field("lat", pa.float64()), pa.field("lon", pa.float64())])
"""Result type of ``centroid``."""

DEGENERATE: Final = 1e-9
"""Below this mean vector length (the sum's length divided by the point count) the result is NULL.

Rounding leaves about 1e-16 per point in a sum that should cancel exactly, so
a genuinely balanced set of points lands far below this, while any set with a
real preferred direction lands far above it.
"""


@dataclass
class CentroidState:
    """The sum of the unit vectors of the points seen so far, and how many there were."""

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    n: int = 0


class Centroid(AggregateFunction[CentroidState]):
    """Spherical mean of a group's points, as STRUCT(lat DOUBLE, lon DOUBLE) in degrees."""

    class Meta:
        """Catalog entry for ``geo.centroid``."""

        name = "centroid"
        description = (
            "Spherical mean of the points (lat, lon) of each group, in degrees, as STRUCT(lat DOUBLE, "
            "lon DOUBLE): every point becomes a unit vector, the vectors are averaged and the direction "
            "of the mean is converted back, so groups straddling the antimeridian or a pole come out "
            "right. Rows where lat or lon is NULL are ignored; a group with no other rows gives NULL. "
            "When the points balance out (the mean vector is shorter than 1e-9, e.g. two antipodal "
            "points) there is no centroid and the result is NULL. Latitudes outside [-90, 90] and "
            "longitudes outside [-180, 180] raise an error naming the argument and row; NaN gives NaN."
        )
        comment = "mean of unit vectors; antimeridian- and pole-safe"
        examples = (
            FunctionExample(
                sql=(
                    "SELECT round(c.lat, 2), round(c.lon, 2) FROM (SELECT packs.geo.centroid(lat, lon) AS c "
                    "FROM (VALUES (48.8566, 2.3522), (51.5074, -0.1278)) AS t(lat, lon))"
                ),
                description="Half-way between Paris and London, along the great circle",
                expected_output="50.19, 1.15",
            ),
            FunctionExample(
                sql="SELECT city, packs.geo.centroid(lat, lon) FROM pings GROUP BY city",
                description="Centre of the pings of each city",
            ),
        )
        categories = ("geo", "aggregate")
        stability = FunctionStability.CONSISTENT

    @classmethod
    def initial_state(cls, params: ProcessParams) -> CentroidState:
        """No points yet."""
        return CentroidState()

    @classmethod
    def update(
        cls,
        states: dict[int, CentroidState],
        group_ids: pa.Int64Array,
        lat: Annotated[pa.DoubleArray, Param(doc="Latitude, degrees in [-90, 90]")],
        lon: Annotated[pa.DoubleArray, Param(doc="Longitude, degrees in [-180, 180]")],
    ) -> None:
        """Fold a batch in: unit vectors for the whole batch, one ``bincount`` per component.

        Each group touched by the batch is then updated once, whatever its
        number of rows.
        """
        require_same_length(group_ids=group_ids, lat=lat, lon=lon)
        lat_values = coordinate_column("lat", lat, LATITUDE, allow_nan=True)
        lon_values = coordinate_column("lon", lon, LONGITUDE, allow_nan=True)
        null = combine_nulls(lat_values.null, lon_values.null)
        gids = group_ids.to_numpy(zero_copy_only=False)
        phi, lam = np.radians(lat_values.values), np.radians(lon_values.values)
        if null is not None:
            keep = ~null
            gids, phi, lam = gids[keep], phi[keep], lam[keep]
        if gids.size == 0:
            return
        cos_phi = np.cos(phi)
        groups, inverse = np.unique(gids, return_inverse=True)
        size = len(groups)
        sums = [
            np.bincount(inverse, weights=component, minlength=size)
            for component in (cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi))
        ]
        counts = np.bincount(inverse, minlength=size)
        for gid, x, y, z, n in zip(
            groups.tolist(), *(s.tolist() for s in sums), counts.tolist(), strict=True
        ):
            state = states[gid]
            state.x += x
            state.y += y
            state.z += z
            state.n += n

    @classmethod
    def combine(cls, source: CentroidState, target: CentroidState, params: ProcessParams) -> CentroidState:
        """Add the sums and counts."""
        target.x += source.x
        target.y += source.y
        target.z += source.z
        target.n += source.n
        return target

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, CentroidState | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(CENTROID_POINT, doc="Spherical mean {lat, lon}, degrees")]:
        """Turn each group's vector sum back into degrees; NULL for empty or balanced groups."""
        ordered = [states.get(gid) for gid in group_ids.to_numpy(zero_copy_only=False).tolist()]
        x, y, z, n = (
            np.array([0.0 if s is None else getattr(s, c) for s in ordered], dtype=np.float64)
            for c in ("x", "y", "z", "n")
        )
        length = np.sqrt(x * x + y * y + z * z)
        with np.errstate(invalid="ignore", divide="ignore"):
            # NaN (from a NaN input) is kept as NaN, not mistaken for a zero vector.
            null = (n == 0) | (length < DEGENERATE * n)
        lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
        lon = np.degrees(np.arctan2(y, x))
        children: list[pa.Array[Any]] = [
            pa.array(lat + 0.0, type=pa.float64(), mask=null),
            pa.array(lon + 0.0, type=pa.float64(), mask=null),
        ]
        mask = pa.array(null, type=pa.bool_())
        result = pa.StructArray.from_arrays(children, fields=list(CENTROID_POINT), mask=mask)
        return pa.RecordBatch.from_arrays([result], names=["result"])
