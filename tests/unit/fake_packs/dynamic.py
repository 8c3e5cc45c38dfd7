"""Opts out of manifest caching: its catalog is computed at run time."""

from tests.unit.fake_packs.good import Double
from vgi_host import hookimpl

VGI_HOST_DYNAMIC_CATALOG = True


@hookimpl
def register_functions(register):
    register(Double)
