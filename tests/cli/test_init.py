"""``bot init``: all or nothing. A failure leaves no config, folder or picture behind, and an
existing config is replaced in one step (kept whole until the new one is written)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli.main import cli


def _init(config: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "init", *extra])


def test_a_data_dir_in_the_way_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    result = _init(tmp_path / "bot.toml")
    assert result.exit_code == 1
    assert "bot.data_dir = 'data': names a file, not a directory" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_data_dir_that_cannot_be_made_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "data").symlink_to("/proc/bot-test/data")  # nothing can be made under /proc
    result = _init(tmp_path / "deep" / "bot.toml")
    assert result.exit_code == 0, result.output  # another folder: its own data dir
    result = _init(tmp_path / "bot.toml")
    assert result.exit_code == 1
    assert "cannot write the starter config:" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "deep"]
    assert not (tmp_path / "media").exists() and not (tmp_path / "bot.toml").exists()


def test_folders_are_made_and_force_replaces_the_config_whole(tmp_path: Path) -> None:
    config = tmp_path / "a" / "b" / "bot.toml"
    assert _init(config).exit_code == 0
    assert (config.parent / "data").is_dir() and (
        config.parent / "media" / "mid-autumn-lantern.png"
    ).is_file()
    config.write_text("# mine\n", encoding="utf-8")
    refused = _init(config)
    assert refused.exit_code == 1 and "already exists (use --force to overwrite)" in refused.output
    assert config.read_text(encoding="utf-8") == "# mine\n"
    assert _init(config, "--force").exit_code == 0
    assert "[brand]" in config.read_text(encoding="utf-8")
    assert not [p for p in config.parent.iterdir() if p.name.startswith(".bot.toml.")]


def test_an_empty_config_option_is_refused_not_read_as_the_default(tmp_path: Path) -> None:
    """`bot -c "$UNSET" queue` read ./bot.toml behind the user's back."""
    result = CliRunner().invoke(cli, ["--config", "", "queue"])
    assert result.exit_code == 2 and "'--config': is empty" in result.output
