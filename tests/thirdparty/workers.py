"""The real third-party VGI workers the suite ports, and how each is started and addressed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThirdParty:
    """One published worker: its distribution, its modules, its Worker class and its catalog."""

    distribution: str
    pack: str
    """The entry-point name the port is installed under (a schema name in the merged catalog)."""
    catalog: str
    """The catalog name the worker declares: ``ATTACH '<catalog>'`` addresses it."""
    worker: str
    """``module:Class`` of its ``Worker`` subclass."""
    main: str
    """``module:function`` its console script runs (stdio serving)."""
    modules: tuple[str, ...]
    """Top-level modules and packages ported by the rule."""


WORKERS: tuple[ThirdParty, ...] = (
    ThirdParty(
        distribution="vgi-easter",
        pack="easter",
        catalog="easter",
        worker="easter_worker:EasterWorker",
        main="easter_worker:main",
        modules=("easter_worker",),
    ),
    ThirdParty(
        distribution="vgi-scikit-bio",
        pack="skbio",
        catalog="skbio",
        worker="vgi_scikit_bio.worker:ScikitBioWorker",
        main="vgi_scikit_bio.worker:main",
        modules=("vgi_scikit_bio",),
    ),
)
