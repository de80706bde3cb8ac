"""The settings file (issue 12): read, checked (a bad value is one line and its
default), written by ``reader config --init``, its theme line kept up to date by
the app; and what the app does with each setting."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reader.core.config import DEFAULT, Config, init_config, load_config, save_theme
from reader.tui.app import ReaderApp
from reader.tui.screens.help import HelpScreen
from tests.test_app_annotating import make_library, new_app, open_seed, settle


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_is_the_defaults_and_nothing_to_say(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == (Config(), [])


def test_the_commented_default_reads_as_the_defaults(tmp_path: Path) -> None:
    path = init_config(tmp_path / "sub" / "config.toml")
    assert path.read_text(encoding="utf-8") == DEFAULT
    assert load_config(path) == (Config(), [])
    with pytest.raises(FileExistsError):
        init_config(path)  # never over the user's file


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        'theme = "nord"\nexport_folder = "~/Vault/Reading"\nreading_width = 90\n'
        'panel_width = 45\n[keys]\n"app.help" = "f2"\n',
    )
    config, problems = load_config(path)
    assert problems == []
    assert config.theme == "nord" and config.reading_width == 90 and config.panel_width == 45
    assert config.export_folder == Path("~/Vault/Reading").expanduser()
    assert config.keys == {"app.help": "f2"}


def test_a_bad_value_is_one_line_and_its_default(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        'theme = 3\nreading_width = 5000\npanel_width = "wide"\ncolour = "red"\n'
        'export_folder = "/x"\n[keys]\n"app.help" = 1\n',
    )
    config, problems = load_config(path)
    assert config == Config(export_folder=Path("/x"))  # the good one kept
    assert len(problems) == 5, problems
    assert all(line.startswith(str(path)) and "\n" not in line for line in problems)
    assert any("reading_width" in line and "40 to 200" in line for line in problems)
    assert any("colour is no setting" in line for line in problems)


@pytest.mark.parametrize("content", [b"theme = \n", b"\xff\xfe", b"[keys\n"])
def test_a_file_that_does_not_read_is_one_line_and_the_defaults(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(content)
    config, (problem,) = load_config(path)
    assert config == Config() and problem.startswith(f"{path}: ")
    save_theme("nord", path)  # the user's to mend: never rewritten
    assert path.read_bytes() == content


def test_the_theme_line_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    path = init_config(tmp_path / "c.toml")
    save_theme("gruvbox", path)
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text)["theme"] == "gruvbox"
    assert text.replace('theme = "gruvbox"', '# theme = "textual-dark"') == DEFAULT
    save_theme("nord", path)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == "nord"
    own = write(tmp_path / "own.toml", 'reading_width = 80\n\n[keys]\n"app.help" = "f2"\n')
    save_theme("nord", own)
    assert tomllib.loads(own.read_text(encoding="utf-8")) == {
        "theme": "nord",
        "reading_width": 80,
        "keys": {"app.help": "f2"},
    }


def run_reader(tmp_path: Path, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), "config", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_the_config_command(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    shown = run_reader(tmp_path, "--path", config=path)
    assert (shown.returncode, shown.stdout.strip()) == (0, str(path))
    checked = run_reader(tmp_path, config=path)
    assert checked.returncode == 0 and "no settings file" in checked.stderr
    made = run_reader(tmp_path, "--init", config=path)
    assert made.returncode == 0 and path.read_text(encoding="utf-8") == DEFAULT
    again = run_reader(tmp_path, "--init", config=path)
    assert again.returncode == 1 and "exists already" in again.stderr
    write(path, "reading_width = 1\n")
    bad = run_reader(tmp_path, config=path)
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "reading_width" in bad.stderr


async def test_the_app_follows_the_settings(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    path = write(tmp_path / "c.toml", "")
    config = Config(
        theme="nord",
        export_folder=tmp_path / "vault",
        reading_width=60,
        panel_width=45,
        keys={"app.help": "f2", "no.such": "x"},
    )
    app = ReaderApp(
        library, new_app(library).entities, config=config, config_path=path, config_problems=[]
    )
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.theme == "nord"
        assert any("no.such" in n.message for n in app._notifications)  # said, not fatal
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        view = await open_seed(app, pilot)
        assert view.text_layout.width == 60
        assert app.screen.query_one("#side-panel").outer_size.width == 45
        await pilot.press("ctrl+e")
        await pilot.pause()
        output = app.screen.query_one("#export-output").value
        assert output.startswith(str(tmp_path / "vault") + "/")
        await pilot.press("escape")
        app.theme = "gruvbox"  # as the command palette sets it
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == "gruvbox"


async def test_an_app_without_a_settings_file_writes_none(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)  # as in tests: no file given
    async with app.run_test() as pilot:
        await settle(app, pilot)
        app.theme = "gruvbox"
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert not list(tmp_path.rglob("*.toml"))
