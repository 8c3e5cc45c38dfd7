"""Issue 13: tags from distribution metadata, the lint rules with stable codes, escaped rendering."""

import json
from email.message import Message

from rich.console import Console

from vgi_host.catalog.lint import Severity, function_lints, schema_lints
from vgi_host.cli.render import plain_registry, render_function, render_registry
from vgi_host.host.checks import run_check
from vgi_host.host.registry import PackRegistry
from vgi_host.model import tags
from vgi_host.model.about import PackAbout, read_about
from vgi_host.packs.discovery import Discovery, PackCandidate
from vgi_host.packs.loader import load_pack
from vgi_host.protocol.functions import FunctionInfo

README = (
    "# vgi-pack-weather\n\nWeather functions for DuckDB: dew point, heat index and wind chill, "
    "vectorised over Arrow arrays.\n\nInstall it next to vgi-host and every function appears in the "
    "`weather` schema of the one ATTACH."
)


def metadata(**fields: str | list[str]) -> Message:
    message = Message()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            message[key.replace("_", "-")] = item
    return message


def about() -> PackAbout:
    return read_about(
        metadata(
            Name="vgi-pack-weather",
            Summary="Weather functions for DuckDB: dew point and friends.",
            Description=README,
            Keywords="duckdb,weather,meteorology",
            Project_URL=["Documentation, https://example.org/docs", "Source, https://example.org/src"],
            License_Expression="MIT",
            Author_email="Ada Lovelace <ada@example.org>",
        )
    )


def test_distribution_metadata_is_read_without_import():
    info = about()
    assert info.summary == "Weather functions for DuckDB: dew point and friends."
    assert info.keywords == ("duckdb", "weather", "meteorology")
    assert info.source_url == "https://example.org/src"
    assert info.license == "MIT"
    assert info.author == "Ada Lovelace"
    assert info.support_contact == "ada@example.org"
    space_separated = read_about(metadata(Keywords="a b  c"))
    assert space_separated.keywords == ("a", "b", "c")


def test_schema_tags_come_from_the_distribution_and_pass_the_schema_rules():
    schema = tags.schema_tags("weather", about(), ["meteorology", "meteorology", "units"])
    assert schema[tags.TITLE] == "Weather functions for DuckDB"
    assert schema[tags.DOC_MD] == README
    assert json.loads(schema[tags.KEYWORDS]) == ["duckdb", "weather", "meteorology"]
    assert json.loads(schema[tags.CATEGORIES]) == ["meteorology", "units"]
    assert schema[tags.LICENSE] == "MIT"
    assert schema[tags.SOURCE_URL] == "https://example.org/src"
    assert schema_lints("weather", schema) == []


def test_an_undescribed_distribution_gets_every_schema_finding():
    schema = tags.schema_tags("weather", PackAbout())
    codes = [lint.code for lint in schema_lints("weather", schema)]
    assert codes == ["VH201", "VH202", "VH204", "VH205", "VH206", "VH207"]
    one_paragraph = tags.schema_tags("weather", PackAbout(summary="Weather data.", description="x" * 200))
    assert [lint.code for lint in schema_lints("weather", one_paragraph)][:1] == ["VH203"]


def test_catalog_tags_describe_every_pack_at_length():
    catalog = tags.catalog_tags(about(), [("weather", about()), ("geo", PackAbout(summary="Geo."))])
    assert len(catalog[tags.DOC_MD]) >= 300
    assert "- `weather`: Weather functions" in catalog[tags.DOC_MD]
    assert catalog[tags.DOC_MD].count("\n\n") >= 2
    assert json.loads(catalog[tags.KEYWORDS]) == ["duckdb", "weather", "meteorology"]


def test_function_tags_come_from_meta_and_explicit_tags_win():
    examples = [
        tags.Example("SELECT packs.w.f(1)", "one", "2"),
        tags.Example("SELECT packs.w.f(x) FROM t", "many"),
    ]
    computed = tags.function_tags("Doubles.", ["math"], examples, {tags.CATEGORY: "arithmetic"})
    assert computed[tags.DOC_MD] == "Doubles."
    assert computed[tags.CATEGORY] == "arithmetic"
    assert [q["sql"] for q in json.loads(computed[tags.EXAMPLE_QUERIES])] == [e.sql for e in examples]
    assert json.loads(computed[tags.EXECUTABLE_EXAMPLES]) == [
        {"sql": "SELECT packs.w.f(1)", "expected_output": "2"}
    ]


def rules_record():
    record = load_pack(
        PackCandidate("rules", "tests.unit.fake_packs.metadata_rules", "vgi-pack-rules", "1.0")
    )
    assert record.error is None, record.error
    return record


def lints_of(record, name):
    return function_lints(FunctionInfo.deserialize_from_bytes(record.entry(name).info))


def test_each_function_rule_fires_with_its_code():
    record = rules_record()
    assert [lint.code for lint in lints_of(record, "bracketed")] == []
    assert [lint.code for lint in lints_of(record, "type_only")] == ["VH303", "VH306"]
    get_thing = {lint.code: lint for lint in lints_of(record, "get_thing")}
    assert sorted(get_thing) == ["VH308", "VH309", "VH311"]
    assert "'level'" in get_thing["VH308"].message
    assert "20" in get_thing["VH309"].message
    assert all(lint.severity is Severity.WARNING for lint in get_thing.values())


def test_check_reports_the_rules_and_strict_makes_them_errors():
    discovery = Discovery(
        (PackCandidate("rules", "tests.unit.fake_packs.metadata_rules", "vgi-pack-rules", "1.0"),), ()
    )
    registry = PackRegistry.load(discovery, use_cache=False)
    lenient = run_check(registry)
    assert not lenient.errors
    assert {"VH101", "VH201", "VH303", "VH311"} <= {f.code for f in lenient.findings}
    assert run_check(registry, strict=True).errors


def test_pack_text_is_rendered_verbatim_never_as_markup():
    record = rules_record()
    console = Console(record=True, width=400, color_system=None)
    render_registry([record], console)
    render_function(record, record.entry("bracketed").description.as_json(), console)
    shown = console.export_text()
    assert "[min_lat, max_lat] x [min_lon, max_lon]" in shown
    assert "[red]x[/red]" in shown
    assert "Celsius [default unit]" in shown
    assert "[bold]one[/bold]" in shown
    plain = "\n".join(plain_registry([record]))
    assert "[red]x[/red]" in plain


def test_tables_and_views_get_a_title_and_their_description():
    described = tags.object_tags("large_cities", "Cities of ten million or more. From geo.cities.")
    assert described == {
        tags.TITLE: "Cities of ten million or more",
        tags.DOC_MD: "Cities of ten million or more. From geo.cities.",
    }
    assert tags.object_tags("raw_rows", "") == {tags.TITLE: "Raw rows"}


def test_a_table_function_with_a_fixed_schema_declares_its_result_columns():
    computed = tags.function_tags("Rows.", [], [], None, [("lat", "DOUBLE"), ("lon", "DOUBLE")])
    assert json.loads(computed[tags.RESULT_COLUMNS_SCHEMA]) == [
        {"name": "lat", "type": "DOUBLE"},
        {"name": "lon", "type": "DOUBLE"},
    ]
    assert tags.RESULT_COLUMNS_SCHEMA not in tags.function_tags("Scalar.", [], [])
