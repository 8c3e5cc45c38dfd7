"""Functions reading the call's settings and secrets, for the in-process session tests."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    Arg,
    BindParams,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    Secret,
    Setting,
    TableFunctionGenerator,
    hookimpl,
)


class Scaled(ScalarFunction):
    """x times the ``factor`` setting, plus the ``port`` of the ``db`` secret."""

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="x")],
        factor: Annotated[pa.Scalar[Any] | None, Setting()],
        db: Annotated[dict[str, pa.Scalar[Any]], Secret("db")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(pc.multiply(x, factor.as_py()), db["port"].as_py())


class Keys(TableFunctionGenerator):
    """The secret of type ``s3`` whose scope fits ``path``: its key, and the ``greeting`` setting."""

    path: Annotated[str, Arg(0, doc="path")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("key", pa.string()), ("greeting", pa.string())])

    class Meta:
        required_settings: ClassVar[list[str]] = ["greeting"]

    @classmethod
    def on_bind(cls, params: BindParams) -> pa.Schema:
        params.secrets.get("s3", scope=params.args.path)
        return cls.FIXED_SCHEMA

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        secret = params.secrets.for_scope_of_type(params.args.path, "s3") or {}
        key = secret.get("key")
        out.emit_pydict(
            {
                "key": [key.as_py() if key is not None else None],
                "greeting": [params.settings["greeting"].as_py()],
            }
        )
        out.finish()


@hookimpl
def register_functions(register):
    register(Scaled)
    register(Keys)
