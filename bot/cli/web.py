"""``bot web``: serve the review page; ``bot web passwd NAME`` sets a reviewer's password."""

from __future__ import annotations

import sys

import click

from bot.cli.context import Context, pass_ctx

#: Shortest password ``bot web passwd`` accepts.
MIN_PASSWORD = 10
MAX_PASSWORD = 1000

host_option = click.option(
    "--host", default=None, help="Address to listen on (default: [web] host, 127.0.0.1)."
)
port_option = click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: [web] port, 8080).",
)


@click.group("web", invoke_without_command=True)
@host_option
@port_option
@click.pass_context
def command(click_ctx: click.Context, host: str | None, port: int | None) -> None:
    """The review page: a small web server for approving drafts from a phone.

    Without a subcommand it serves (as `bot web serve`). Put it behind a reverse proxy for
    https; reviewers are listed in [[web.reviewers]] and set their password with
    `bot web passwd NAME`.
    """
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(serve, host=host, port=port)


@command.command("serve")
@host_option
@port_option
@pass_ctx
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the review page until stopped (SIGINT or SIGTERM). Never loads the model."""
    from bot.web.server import check_listen
    from bot.web.server import serve as run
    from bot.wiring import loose_secret_files

    settings = ctx.settings
    loose = loose_secret_files(settings, web=True)  # before reading them (a read names them too)
    ctx.app.web_secrets.session_secret()  # a bad secrets file is a message here, not a traceback
    listen = host or settings.web.host
    if settings.web.exposed_without_https(listen):
        click.echo(
            f"warning: serving on {listen}, reachable from other machines, while [web] url is not "
            "https: passwords and session cookies cross the network in clear text (put an https "
            'reverse proxy in front and set [web] url = "https://...", or serve on 127.0.0.1)',
            err=True,
        )
    for line in loose:
        click.echo(f"warning: {line}", err=True)
    check_listen(listen, port or settings.web.port)  # a port in use: one line, exit 1
    click.echo(f"bot web: serving on http://{listen}:{port or settings.web.port}", err=True)
    run(settings, host, port)


@command.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@pass_ctx
def passwd(ctx: Context, name: str, password_stdin: bool) -> None:
    """Set reviewer NAME's password (an argon2 hash in the secrets file, never the config)."""
    settings = ctx.settings
    if settings.web.reviewer(name) is None:
        known = ", ".join(r.name for r in settings.web.reviewers) or "none"
        raise click.ClickException(
            f"no reviewer named {name!r} in [[web.reviewers]] of {ctx.config_path} (reviewers: {known})"
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password is too short: use {MIN_PASSWORD} characters or more")
    if len(password) > MAX_PASSWORD:
        raise click.ClickException(f"the password is too long: at most {MAX_PASSWORD} characters")
    where = ctx.app.web_secrets.set_password(name, password)
    click.echo(f"password of {name} set (argon2 hash in {where})")
