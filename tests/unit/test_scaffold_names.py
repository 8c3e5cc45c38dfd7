"""`vgi-host new`: name validation, rendering and refusal, without installing anything."""

import ast
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from vgi_host.cli.app import app
from vgi_host.cli.host_source import LocalHost
from vgi_host.cli.scaffold import InvalidPackNameError, host_range, pack_names, render, scaffold_pack


def test_names_are_derived_from_the_pack_name():
    names = pack_names("weather_data")
    assert (names.name, names.distribution, names.package) == (
        "weather_data",
        "vgi-pack-weather-data",
        "vgi_pack_weather_data",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My-Pack", "try 'my_pack'"),
        ("9lives", "starting with a letter"),
        ("", "not a valid pack name"),
        ("main", "reserved"),
        ("temp", "reserved"),
        ("evil\n", "not a valid pack name"),
        ("ok\nrm -rf", "not a valid pack name"),
    ],
)
def test_invalid_names_are_refused(name, message):
    with pytest.raises(InvalidPackNameError, match=message):
        pack_names(name)


def test_host_range_is_the_current_minor_while_0x():
    assert host_range("0.1.0") == ">=0.1,<0.2"
    assert host_range("0.12.3") == ">=0.12,<0.13"
    assert host_range("1.4.0") == ">=1.4,<2"


def test_rendered_pack_is_complete_and_valid():
    files = {str(path): text for path, text in render(pack_names("weather")).items()}
    assert set(files) == {
        ".gitignore",
        ".python-version",
        "README.md",
        "pyproject.toml",
        "src/vgi_pack_weather/__init__.py",
        "src/vgi_pack_weather/functions.py",
        "src/vgi_pack_weather/py.typed",
        "tests/test_weather_pack.py",
    }
    assert not any("{{" in text for text in files.values())
    assert "[tool.uv.sources]" not in files["pyproject.toml"]  # no local vgi-host given: the index
    local = render(pack_names("weather"), LocalHost(Path("/src/vgi-host"), editable=True))
    sources = tomllib.loads(local[PurePosixPath("pyproject.toml")])["tool"]["uv"]["sources"]
    assert sources == {"vgi-host": {"path": "/src/vgi-host", "editable": True}}
    for path, text in files.items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)
    project = tomllib.loads(files["pyproject.toml"])
    assert project["project"]["name"] == "vgi-pack-weather"
    assert f"vgi-host{host_range()}" in project["project"]["dependencies"]
    assert project["project"]["entry-points"]["vgi.functions"] == {"weather": "vgi_pack_weather"}
    assert project["build-system"]["build-backend"] == "hatchling.build"
    assert project["tool"]["pytest"]["ini_options"]["vgi_host_packs"] == ["weather"]
    for kind in ("ScalarFunction", "TableFunctionGenerator", "TableInOutFunction", "AggregateFunction"):
        assert f"({kind}" in files["src/vgi_pack_weather/functions.py"]


def test_scaffold_writes_the_files_and_never_overwrites(tmp_path):
    target, files, steps = scaffold_pack("weather", tmp_path)
    assert steps[0] == f"cd {target}"
    assert target == tmp_path / "vgi-pack-weather"
    assert all(target.joinpath(*f.parts).is_file() for f in files)
    runner = CliRunner()
    again = runner.invoke(app, ["new", "weather", "--path", str(tmp_path)])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    created = runner.invoke(app, ["new", "shop", "--path", str(tmp_path)])
    assert created.exit_code == 0, created.output
    assert "vgi-pack-shop" in created.output
    assert (tmp_path / "vgi-pack-shop" / "src" / "vgi_pack_shop" / "functions.py").is_file()
    assert runner.invoke(app, ["new", "Bad-Name", "--path", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["new"]).exit_code == 2
