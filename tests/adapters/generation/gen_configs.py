"""Config texts for the generation tests (moderation limited to the embedded profanity model)."""

from __future__ import annotations

from pathlib import Path

CONFIG = """
[bot]
timezone = "Asia/Shanghai"
data_dir = "data"

[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box"]
link = "https://lotusleaf.example/shop"
hashtags = ["#LotusLeafTea"]

[model]
{model}

[moderation]
scorers = ["profanity"]

[[accounts]]
name = "outbox"
platform = "dryrun"

[[accounts]]
name = "teahouse-x"
platform = "x"

[[campaigns]]
name = "mid-autumn"
kind = "greeting"
when = {{ holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d", at = "09:00" }}
accounts = ["outbox", "teahouse-x"]
brief = "Write a warm Mid-Autumn Festival greeting from {{{{ brand }}}}. Mention our {{{{ product }}}}."
hashtags = ["#MidAutumnFestival"]
{extra}

[[campaigns]]
name = "spring-zh"
kind = "greeting"
when = {{ holiday = "Chinese New Year (Spring Festival)", country = "CN", at = "08:00" }}
accounts = ["outbox"]
language = "zh"
brief = "为{{{{ brand }}}}写一条春节祝福。"

[[campaigns]]
name = "broken"
kind = "promo"
when = {{ cron = "0 10 * * FRI" }}
accounts = ["outbox"]
brief = "Promo for {{{{ brand }}}}\\nwith {{{{ promo_code | nosuchfilter }}}}"
"""


def write(tmp_path: Path, model: str = 'backend = "canned"', extra: str = "") -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG.format(model=model, extra=extra), encoding="utf-8")
    return path
