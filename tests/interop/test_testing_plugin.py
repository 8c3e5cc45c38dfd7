# ruff: noqa: E501  (the inner test modules are written as they would be in a pack)
"""The pytest plugin of vgi_host.testing, run the way pack authors run it (pytester).

Each test writes a small test module, runs pytest on it with the plugin loaded
from its `pytest11` entry point, and checks the outcome.  The inner tests call
the installed geo, text and testkit packs through a real `vgi-host serve`.
"""

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.interop


def run(pytester: pytest.Pytester, source: str, *args: str, packs: str | None = None) -> pytest.RunResult:
    if packs is not None:
        pytester.makeini(f"[pytest]\nvgi_host_packs = {packs}\n")
    pytester.makepyfile(source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_geo_through_every_kind(pytester):
    result = run(
        pytester,
        """
        import pytest
        from vgi_host.testing import HostClient, VgiCallError

        def test_served(vgi):
            assert isinstance(vgi, HostClient)
            assert vgi.served_packs() == ["geo"]

        def test_scalar(vgi):
            [km] = vgi.scalar("geo", "haversine_km", [48.85], [2.35], [51.5], [-0.12])
            assert round(km, 1) == 343.1

        def test_scalar_with_a_constant_over_several_batches(vgi):
            hashes = vgi.scalar("geo", "geohash_encode", [48.8566, 57.64911], [2.3522, 10.40744], 5, batch_size=1)
            assert hashes == ["u09tv", "u4pru"]

        def test_scalar_nulls(vgi):
            assert vgi.scalar("geo", "haversine_km", [None], [0.0], [0.0], [0.0]) == [None]

        def test_scalar_error_names_pack_function_and_row(vgi):
            with pytest.raises(VgiCallError, match=r"geo\\.haversine_km: .*lat1 must be within \\[-90, 90\\]; row 0 is 91\\.0"):
                vgi.scalar("geo", "haversine_km", [91.0], [0.0], [0.0], [0.0])

        def test_table(vgi):
            points = vgi.table("geo", "geo_grid", 0, 0, 1, 1, 0.5)
            assert len(points) == 9
            assert points[:2] == [{"lat": 0.0, "lon": 0.0}, {"lat": 0.0, "lon": 0.5}]

        def test_table_projection(vgi):
            assert vgi.table("geo", "geo_grid", 0, 0, 0, 1, 1, columns=["lon"]) == [{"lon": 0.0}, {"lon": 1.0}]

        def test_table_bind_error(vgi):
            with pytest.raises(VgiCallError, match="step_deg' must be > 0"):
                vgi.table("geo", "geo_grid", 0, 0, 1, 1, 0)

        def test_aggregate_groups(vgi):
            centres = vgi.aggregate(
                "geo", "centroid",
                columns=[[48.8566, 51.5074, 10.0], [2.3522, -0.1278, 20.0]],
                groups=["paris-london", "paris-london", "alone"],
            )
            assert list(centres) == ["paris-london", "alone"]
            assert round(centres["paris-london"]["lat"], 2) == 50.19
            assert centres["alone"] == {"lat": 10.0, "lon": 20.0}

        def test_aggregate_partitions_combine(vgi):
            columns = {"lat": [48.8566, 51.5074], "lon": [2.3522, -0.1278]}
            one = vgi.aggregate("geo", "centroid", columns=columns)
            split = vgi.aggregate("geo", "centroid", columns=columns, partitions=2)
            assert split == pytest.approx(one)

        def test_aggregate_without_rows_is_null(vgi):
            assert vgi.aggregate("geo", "centroid", columns=[[], []]) is None

        def test_catalog(vgi):
            names = {f.name for f in vgi.functions("geo")}
            assert {"haversine_km", "bearing_deg", "geohash_encode", "geohash_decode", "geo_grid", "centroid"} <= names
            assert vgi.function("geo", "centroid").function_type.name == "AGGREGATE"
            with pytest.raises(LookupError, match="no function 'nope'"):
                vgi.function("geo", "nope")
            with pytest.raises(LookupError, match="does not serve a pack named 'testkit'"):
                vgi.functions("testkit")

        def test_geo_is_documented(vgi):
            vgi.assert_documented("geo")
            vgi.assert_examples_present("geo")
        """,
        packs="geo",
    )
    result.assert_outcomes(passed=13)


def test_testkit_kinds_failures_and_documentation(pytester):
    result = run(
        pytester,
        """
        import pytest
        from vgi_host.testing import VgiCallError

        def test_table_named_arguments_and_batches(vgi):
            rows = vgi.table("testkit", "count_to", 2500, named={"label": "L", "batch": 1000})
            assert [r["i"] for r in rows] == list(range(2500))
            assert {r["label"] for r in rows} == {"L"}

        def test_table_projection_pushdown(vgi):
            assert vgi.table("testkit", "count_to", 3, columns=["square"]) == [{"square": 0}, {"square": 1}, {"square": 4}]

        def test_table_in_out_echo(vgi):
            rows = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
            assert vgi.table_in_out("testkit", "echo", rows=rows) == rows

        def test_table_in_out_finalize(vgi):
            rows = [{"v": v} for v in (1, 2, 3, 1, 2, 3)]
            out = vgi.table_in_out("testkit", "running_total", rows=rows, args=("v",), batch_size=3)
            assert [r["total"] for r in out] == [1, 3, 6, 7, 9, 12, 12]

        def test_aggregate_groups_and_nulls(vgi):
            result = vgi.aggregate("testkit", "sum_int", columns=[[1, 2, 3, None]], groups=["a", "b", "a", "c"])
            assert result == {"a": 4, "b": 2, "c": None}

        def test_aggregate_constant_and_partitions(vgi):
            values = [[2, 4, 10, 6, 8]]
            assert vgi.aggregate("testkit", "scaled_mean", columns=values, args=(10,)) == 60.0
            assert vgi.aggregate("testkit", "scaled_mean", columns=values, args=(10,), partitions=3, batch_size=1) == 60.0

        def test_failures_do_not_take_the_host_down(vgi):
            with pytest.raises(VgiCallError, match="testkit.always_fails: ValueError: this function always fails") as info:
                vgi.scalar("testkit", "always_fails", [1])
            assert info.value.error_type
            with pytest.raises(VgiCallError, match="testkit.wrong_length"):
                vgi.scalar("testkit", "wrong_length", [1, 2])
            assert vgi.scalar("testkit", "noisy", [1, 2]) == [1, 2]
            assert vgi.scalar("testkit", "add_k", [1, 2], 10) == [11, 12]

        def test_undocumented_pack_fails_the_check(vgi):
            with pytest.raises(AssertionError) as info:
                vgi.assert_documented("testkit")
            assert "testkit.always_fails: no example" in str(info.value)
            assert "testkit.add_k" not in str(info.value)
            with pytest.raises(AssertionError, match="testkit.echo: no example"):
                vgi.assert_examples_present("testkit")
        """,
        packs="testkit",
    )
    result.assert_outcomes(passed=8)


def test_text_pack_table_in_out(pytester):
    result = run(
        pytester,
        """
        def test_tokenize(vgi):
            rows = [{"id": 7, "body": "Hello big World"}, {"id": 8, "body": None}]
            out = vgi.table_in_out("text", "tokenize", rows=rows, args=("id", "body"))
            assert [(r["key"], r["position"], r["token"]) for r in out] == [(7, 1, "hello"), (7, 2, "big"), (7, 3, "world")]
        """,
        packs="text",
    )
    result.assert_outcomes(passed=1)


def test_ini_option_restricts_and_command_line_overrides(pytester):
    source = """
        def test_served(vgi, request):
            assert vgi.served_packs() == [request.config.getoption("expected")]
        """
    pytester.makeconftest("def pytest_addoption(parser):\n    parser.addoption('--expected')\n")
    run(pytester, source, "--expected=geo", packs="geo").assert_outcomes(passed=1)
    run(pytester, source, "--expected=testkit", "--vgi-host-packs=testkit").assert_outcomes(passed=1)


def test_factory_gives_one_host_per_pack_set(pytester):
    result = run(
        pytester,
        """
        def test_factory(vgi_host_factory):
            text = vgi_host_factory("text")
            assert text.served_packs() == ["text"]
            assert vgi_host_factory("TEXT") is text
            both = vgi_host_factory("testkit", "geo")
            assert both.served_packs() == ["geo", "testkit"]
            [pid_a] = both.scalar("testkit", "worker_pid", [1])
            [pid_b] = vgi_host_factory("testkit").scalar("testkit", "worker_pid", [1])
            assert pid_a != pid_b
        """,
    )
    result.assert_outcomes(passed=1)


def test_every_installed_pack_without_a_selection(pytester):
    result = run(
        pytester,
        """
        def test_all(vgi):
            assert {"geo", "text", "testkit"} <= set(vgi.served_packs())
        """,
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("pack", "expected"),
    [("nosuchpack", "does not serve the pack(s) nosuchpack"), ("broken", "vgi-host list")],
)
def test_a_pack_that_is_not_served_is_a_setup_error(pytester, pack, expected):
    result = run(pytester, "def test_x(vgi):\n    pass\n", packs=pack)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{expected}*"])


def test_the_plugin_loads_from_its_entry_point_in_a_fresh_process(pytester):
    pytester.makepyfile("def test_x(vgi):\n    assert vgi.scalar('testkit', 'add_k', [1], 1) == [2]\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--vgi-host-packs=testkit")
    result.assert_outcomes(passed=1)


def test_the_plugin_never_imports_the_reference_client():
    code = (
        "import sys, importlib.metadata as m\n"
        "eps = {e.name: e.value for e in m.entry_points(group='pytest11')}\n"
        "assert eps.get('vgi_host') == 'vgi_host.testing.plugin', eps\n"
        "import vgi_host.testing.plugin, vgi_host.testing.client\n"
        "leaked = sorted(n for n in sys.modules if n == 'vgi' or n.startswith('vgi.'))\n"
        "assert not leaked, leaked\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
