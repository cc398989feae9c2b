"""``bot holidays``: the public-holiday calendar that holiday-relative campaigns use."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from bot.cli.output import json_option, print_json, print_table
from bot.cli.params import YEAR


@click.group("holidays")
def command() -> None:
    """Public holidays (the `holidays` package) that `when = { holiday = ... }` can name."""


@command.command("list")
@click.option("--country", required=True, help="ISO country code, e.g. CN, US, SG.")
@click.option("--year", type=YEAR, default=None, help="Year (default: this year).")
@json_option
def list_(country: str, year: int | None, as_json: bool) -> None:
    """List the holidays of COUNTRY in YEAR, with the days a campaign would fire on.

    Observed and substitute days are shown but never fire; a multi-day festival fires on its
    first day only; a day with two merged names counts for both.
    """
    from bot.festivals import calendar, holiday_occurrences, validate_country

    try:
        code = validate_country(country)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    year = year or date.today().year
    entries = calendar(code, year)
    names = {name for entry in entries for name in entry.names if not entry.substitute}
    firsts = {name: set(holiday_occurrences(name, code, year, year)) for name in names}
    rows: list[dict[str, Any]] = [
        {
            "date": entry.day.isoformat(),
            "weekday": entry.day.strftime("%a"),
            "names": list(entry.names),
            "substitute": entry.substitute,
            "fires_for": [n for n in entry.names if entry.day in firsts.get(n, set())],
        }
        for entry in entries
    ]
    if as_json:
        print_json({"country": code, "year": year, "holidays": rows})
        return
    print_table(
        f"Holidays {code} {year}",
        ["date", "day", "name", "fires"],
        [
            [
                r["date"],
                r["weekday"],
                "; ".join(r["names"]),
                "substitute (never fires)"
                if r["substitute"]
                else ("yes" if r["fires_for"] else "no (not first day)"),
            ]
            for r in rows
        ],
    )
