"""Field-metadata keys and values of the catalog's argument schemas (the reference's constants).

These are the facts DuckDB's extension reads from ``FunctionInfo.arguments``;
worker code that builds argument schemas by hand uses them.
"""

from __future__ import annotations

VGI_ARG_KEY = b"vgi_arg"
VGI_ARG_NAMED = b"named"
VGI_CONST_KEY = b"vgi_const"
VGI_CONST_TRUE = b"true"
VGI_TYPE_KEY = b"vgi_type"
VGI_TYPE_TABLE = b"table"
VGI_TYPE_ANY = b"any"
VGI_VARARGS_KEY = b"vgi_varargs"
VGI_VARARGS_TRUE = b"true"

SchemaPath = list[str]
"""A schema's identifier path, outermost first."""
