"""``reader config``: where the settings file is, a default one, and a check of it."""

from __future__ import annotations

import click

from reader.cli.base import (
    main,
)


@main.command("config")
@click.option("--path", "show_path", is_flag=True, help="Print where the settings file is.")
@click.option("--init", is_flag=True, help="Write the commented default settings file there.")
@click.pass_context
def config_command(ctx: click.Context, show_path: bool, init: bool) -> None:
    """The settings file (TOML): where it is, a commented default, or what is wrong in it.

    Without an option, says where it is and checks it (exits 1 if anything in
    it is wrong; the app then uses the defaults for that).
    """
    from reader.core.config import config_path, init_config, load_config

    path = config_path()
    if show_path:
        click.echo(str(path))
        return
    if init:
        try:
            init_config(path)
        except FileExistsError:
            raise click.ClickException(
                f"{path} exists already: edit it, or remove it first"
            ) from None
        except OSError as error:
            raise click.ClickException(f"{path}: {error.strerror or error}") from None
        click.echo(str(path))
        return
    _, problems = load_config(path)
    for problem in problems:
        click.echo(f"reader: {problem}", err=True)
    if not path.exists():
        click.echo(
            f"reader: no settings file at {path}: the defaults (reader config --init)", err=True
        )
    elif not problems:
        click.echo(f"reader: {path}: all settings read", err=True)
    ctx.exit(1 if problems else 0)
