"""A pack that cannot be imported: it needs a module that does not exist."""

import vgi_host_test_missing_dependency  # noqa: F401  (the point of this pack)
