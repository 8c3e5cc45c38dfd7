"""Per-execution state shared by every host process: the store and the codec for pack states.

DuckDB sends one aggregate's calls (and a table-in-out's FINALIZE) to any
pooled process or replica, so whatever must survive between calls lives here,
keyed by execution id.  Sits low in the layering: it knows nothing of packs,
kinds or the service.
"""
