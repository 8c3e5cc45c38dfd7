"""Loading packs in isolation: every failure is recorded, nothing escapes."""

import pytest

from vgi_host.errors import RoutingError
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.model.records import PackStatus
from vgi_host.packs.discovery import Discovery, NameClash, PackCandidate
from vgi_host.packs.loader import load_pack


def candidate(module: str, name: str | None = None) -> PackCandidate:
    return PackCandidate(name or module, f"tests.unit.fake_packs.{module}", f"vgi-pack-{module}", "1.0")


def test_good_pack_loads_functions_sorted_by_name():
    record = load_pack(candidate("good"))
    assert record.status is PackStatus.LOADED, record.error
    assert record.function_names == ["double", "shout"]
    assert [e.kind for e in record.entries] == ["scalar", "scalar"]
    assert record.error is None


class _Clock:
    """A ``time`` stand-in whose ``perf_counter`` reads from a script, to check what is timed."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)

    def perf_counter(self) -> float:
        return self.readings.pop(0)


@pytest.mark.parametrize("module", ["good", "import_error"])
def test_load_seconds_is_the_time_from_start_to_end_of_the_load(monkeypatch, module):
    clock = _Clock(100.0, 102.5)
    monkeypatch.setattr("vgi_host.packs.loader.time", clock)
    record = load_pack(candidate(module))
    assert record.load_seconds == 2.5  # loaded or failed, the record says how long the attempt took
    assert clock.readings == []  # read once at the start and once at the end


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            "import_error",
            "import of 'tests.unit.fake_packs.import_error' failed: RuntimeError: boom at import",
        ),
        ("raising_hook", "its register_functions hook raised: KeyError: 'hook exploded'"),
        ("no_hook", "does not implement the required hook register_functions"),
        ("unknown_hook", "invalid hook implementation"),
        ("exits", "import of 'tests.unit.fake_packs.exits' failed: SystemExit: 3"),
    ],
)
def test_broken_pack_is_recorded_not_raised(module, expected):
    record = load_pack(candidate(module))
    assert record.status is PackStatus.FAILED
    assert expected in (record.error or "")
    assert record.remedy


def test_import_failure_keeps_traceback():
    record = load_pack(candidate("import_error"))
    assert record.traceback is not None
    assert "boom at import" in record.traceback


def test_invalid_functions_fail_the_pack_with_every_problem_listed():
    record = load_pack(candidate("bad_function"))
    assert record.status is PackStatus.FAILED
    assert "Unannotated.compute: parameter 'x' needs Annotated" in (record.error or "")
    assert "register() expects a subclass of one of" in (record.error or "")


def test_duplicate_sql_names_in_one_pack_are_reported():
    record = load_pack(candidate("duplicate_names"))
    assert record.status is PackStatus.FAILED
    assert "function name 'Same' is registered twice (First and Second)" in (record.error or "")


def test_pack_output_to_stdout_is_diverted_to_stderr(capsys):
    record = load_pack(candidate("prints"))
    captured = capsys.readouterr()
    assert record.status is PackStatus.LOADED
    assert record.entries == ()
    assert captured.out == ""
    assert "import-time noise" in captured.err
    assert "hook-time noise" in captured.err


def test_registry_loads_every_pack_and_reports_clashes():
    clash = NameClash("geo", (candidate("good", "geo"), candidate("good", "geo")))
    discovery = Discovery(
        candidates=(candidate("import_error", "zzz_broken"), candidate("good", "alpha")),
        clashes=(clash,),
    )
    registry = PackRegistry.load(discovery)
    assert [r.name for r in registry.records] == ["alpha", "geo", "geo", "zzz_broken"]
    assert [r.name for r in registry.loaded] == ["alpha"]
    assert all(
        "claimed by several distributions" in (r.error or "") for r in registry.records if r.name == "geo"
    )


def test_registry_lookup_errors_say_what_exists():
    discovery = Discovery(
        candidates=(candidate("good", "alpha"), candidate("import_error", "broken")), clashes=()
    )
    registry = PackRegistry.load(discovery)
    pack, definition = Router(registry).find("ALPHA", "Double")
    assert (pack.name, definition.name) == ("alpha", "double")
    with pytest.raises(RoutingError, match=r"no pack named 'nope' \(packs served: alpha\)"):
        Router(registry).find("nope", "double")
    with pytest.raises(
        RoutingError, match=r"pack 'alpha' has no function 'triple' \(it has: double, shout\)"
    ):
        Router(registry).find("alpha", "triple")
    with pytest.raises(RoutingError, match=r"pack 'broken' is installed but failed to load: import of"):
        Router(registry).find("broken", "anything")


@pytest.mark.parametrize(
    ("name", "problem"), [("main", "is reserved"), ("geo-tools", "not a valid SQL identifier")]
)
def test_unusable_pack_names_fail_before_import(name, problem):
    record = load_pack(PackCandidate(name, "tests.unit.fake_packs.import_error", "vgi-pack-x", "1.0"))
    assert record.status is PackStatus.FAILED
    assert problem in (record.error or "")
    assert record.traceback is None  # never imported


def test_a_worker_class_with_one_schema_is_a_pack():
    for target in ("worker_pack:MathWorker", "worker_pack:LegacyWorker"):
        module, _, attribute = target.partition(":")
        record = load_pack(
            PackCandidate("math", f"tests.unit.fake_packs.{module}:{attribute}", "vgi-pack-math", "1.0")
        )
        assert record.status is PackStatus.LOADED, record.error
        assert set(record.function_names) <= {"negate", "twice"}
        assert "negate" in record.function_names


def test_a_worker_with_several_schemas_serves_each_under_its_own_name():
    from vgi_host.packs.loader import load_pack_schemas

    records = load_pack_schemas(
        PackCandidate("two", "tests.unit.fake_packs.worker_pack:TwoSchemaWorker", "vgi-pack-two", "1.0")
    )
    assert {r.name: r.function_names for r in records} == {"a": ["negate"], "b": ["twice"]}
    assert {r.pack for r in records} == {"two"}


def test_schema_takes_either_spelling():
    from vgi_host import Schema

    assert Schema(name="geo").path == ["geo"]
    assert Schema(path=["geo"]).name == "geo"
    with pytest.raises(ValueError, match="exactly one of"):
        Schema(name="geo", path=["geo"])
