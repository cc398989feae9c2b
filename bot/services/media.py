"""A campaign's pictures: which ones a slot gets, their alt texts, the copies fitted to each
platform of the campaign's accounts, the checks a reviewer sees, and the trial ``bot config
check`` and ``bot campaigns sync`` run (a missing file, an unreadable picture or a missing alt
text is a config error naming the campaign and the file).

Pictures are read and fitted through a :class:`~bot.domain.ports.MediaFitter` (Pillow in
production); nothing here touches a file's bytes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from bot import plugins
from bot.config import Settings
from bot.config.campaigns import CampaignSettings, MediaFolder
from bot.domain import CheckResult
from bot.domain.errors import MediaError, NotConfigured, TemplateError
from bot.domain.media import DraftMedia, MediaItem, MediaLimits, shown_size
from bot.domain.ports import MediaFitter
from bot.services.drafting import catalog, prompts

#: File names a folder's pictures may have.
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
#: The trial stops after this many problems.
MAX_PROBLEMS = 5
#: What the check says of a missing alt text.
_ALT_NEEDED = 'alt text missing: describe the picture for people who cannot see it (alt = "...")'


@dataclass(frozen=True)
class Pick:
    """One picture a slot takes: the file, its alt template and where the config names it."""

    path: Path
    alt: str | None
    key: str


class MediaService:
    """Chooses, fits and checks a campaign's pictures."""

    def __init__(self, settings: Settings, fitter: MediaFitter) -> None:
        self.settings = settings
        self.fitter = fitter

    # -- choosing -------------------------------------------------------------------------

    def picks(self, campaign: CampaignSettings, *, holiday: str, seed: int, ordinal: int) -> list[Pick]:
        """The pictures of one slot (``ordinal``: how many slots of the campaign came before)."""
        media = campaign.media
        if isinstance(media, MediaFolder):
            return self._from_folder(campaign, media, holiday, seed, ordinal)
        return [
            Pick(self.settings.config_relative(m.path), m.alt, f"media[{i}]") for i, m in enumerate(media)
        ]

    def _from_folder(
        self, campaign: CampaignSettings, media: MediaFolder, holiday: str, seed: int, ordinal: int
    ) -> list[Pick]:
        files = self.folder_files(campaign, media)
        if media.pick == "by-holiday":
            files = holiday_files(files, holiday)
            if not files:
                raise MediaError(
                    f"campaign {campaign.name!r}: media.folder {media.folder}: no picture named after "
                    f"the holiday {holiday or '(none: the trigger is not a holiday)'!r}"
                )
            chosen = files[: media.count]
        elif media.pick == "random":
            chosen = random.Random(seed).sample(files, min(media.count, len(files)))
        else:
            start = ordinal * media.count
            chosen = [files[(start + k) % len(files)] for k in range(min(media.count, len(files)))]
        return [Pick(path, media.alt, "media") for path in chosen]

    def folder_files(self, campaign: CampaignSettings, media: MediaFolder) -> list[Path]:
        """The folder's pictures by name. Raises MediaError if there are none."""
        folder = self.settings.config_relative(media.folder)
        where = f"campaign {campaign.name!r}: media.folder {folder}"
        if not folder.is_dir():
            raise MediaError(f"{where}: no such folder")
        files = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            raise MediaError(f"{where}: no pictures in it ({', '.join(PICTURE_SUFFIXES)})")
        return files

    # -- building -------------------------------------------------------------------------

    def prepare(
        self, campaign: CampaignSettings, context: dict[str, Any], *, seed: int, ordinal: int
    ) -> tuple[DraftMedia, ...]:
        """The pictures of one slot, alt texts rendered, fitted to every platform of the
        campaign's accounts. Raises MediaError naming the campaign and the file."""
        if not campaign.media:
            return ()
        picks = self.picks(campaign, holiday=str(context.get("holiday", "")), seed=seed, ordinal=ordinal)
        pairs = [(str(p.path), self.render_alt(campaign, p, context)) for p in picks]
        return self.build(campaign, pairs)

    def render_alt(self, campaign: CampaignSettings, pick: Pick, context: dict[str, Any]) -> str:
        """The alt text of a picture (its template rendered; ``{{ picture }}`` is its name)."""
        where = f"campaign {campaign.name!r}: {pick.key} {pick.path.name}"
        if pick.alt is None or not pick.alt.strip():
            raise MediaError(f"{where}: {_ALT_NEEDED}")
        text = prompts.render_template(pick.alt, {**context, "picture": pick.path.stem}, f"{where}: alt")
        text = " ".join(text.split())
        if not text:
            raise MediaError(f"{where}: the alt text renders to nothing; {_ALT_NEEDED}")
        return text

    def build(self, campaign: CampaignSettings, pairs: Sequence[tuple[str, str]]) -> tuple[DraftMedia, ...]:
        """Pictures (path, alt text) read and fitted to each platform of the campaign."""
        limits = self.platform_limits(campaign)
        return tuple(self._one(path, alt, limits) for path, alt in pairs)

    def _one(self, path: str, alt: str, limits: dict[str, MediaLimits | None]) -> DraftMedia:
        original = replace(self.fitter.probe(path), alt=alt)
        fitted: dict[str, MediaItem] = {}
        for platform, lim in limits.items():
            if lim is None:
                continue
            try:
                fitted[platform] = replace(self.fitter.fit(path, lim), alt=alt)
            except MediaError:
                continue  # the platform's check says why (the original is over its limits)
        return DraftMedia(str(path), original.sha256, alt, fitted, original)

    def platform_limits(self, campaign: CampaignSettings) -> dict[str, MediaLimits | None]:
        """Each platform of the campaign's accounts -> its picture limits (None: no pictures)."""
        out: dict[str, MediaLimits | None] = {}
        for name in campaign.accounts:
            try:
                platform = self.settings.account(name).platform
            except NotConfigured:
                continue
            out.setdefault(platform, plugins.platform(platform).media)
        return out

    # -- publishing ---------------------------------------------------------------------

    def restore(self, draft_id: int, media: Sequence[DraftMedia], platform: str) -> tuple[MediaItem, ...]:
        """The draft's pictures as they go to ``platform``, any fitted copy missing from the
        data directory (someone cleaned ``DATA_DIR/media``) fitted again from the user's file.
        Fitting is deterministic, so the copy is the one approved; it is checked by its hash.

        Raises:
            MediaError: a copy cannot be made again, or the user's file changed since it was
                approved (names the file and says how to swap the picture).
        """
        limits = plugins.platform(platform).media
        out: list[MediaItem] = []
        for number, picture in enumerate(media, 1):
            item = picture.for_platform(platform)
            if item is None:
                continue
            if limits is None or platform not in picture.fitted or Path(item.path).is_file():
                out.append(item)
                continue
            swap = f"swap the picture with `bot queue edit {draft_id} --swap-media {number} FILE ALT`"
            where = f"draft {draft_id}: picture {number}: the fitted copy {item.path} is missing"
            try:
                again = self.fitter.fit(picture.source, limits)
            except MediaError as exc:
                raise MediaError(f"{where} and cannot be made again ({exc}); {swap}") from None
            if again.sha256 != item.sha256:
                raise MediaError(
                    f"{where} and {picture.source} no longer gives the approved picture (the file "
                    f"changed since it was approved); {swap}"
                )
            out.append(replace(again, alt=item.alt))
        return tuple(out)

    # -- checking -------------------------------------------------------------------------

    def checks(self, campaign: CampaignSettings, media: Sequence[DraftMedia]) -> list[CheckResult]:
        """One ``media:PLATFORM`` check per platform of the campaign's accounts (none without
        pictures): count, format, bytes, pixels and alt-text length against its limits."""
        if not media:
            return []
        return [
            _platform_check(platform, lim, media) for platform, lim in self.platform_limits(campaign).items()
        ]


def _platform_check(platform: str, lim: MediaLimits | None, media: Sequence[DraftMedia]) -> CheckResult:
    name = f"media:{platform}"
    if lim is None:
        return CheckResult(name, False, f"{platform} takes no pictures; drop them with bot queue edit")
    problems, shown = [], []
    if len(media) > lim.max_count:
        problems.append(f"{len(media)} pictures > {lim.max_count}")
    for m in media:
        file = Path(m.source).name
        item = m.fitted.get(platform)
        if item is None:
            over = (
                lim.problems(m.original.mime, m.original.size, m.original.width, m.original.height)
                if m.original
                else []
            )
            problems.append(f"{file}: cannot be fitted ({'; '.join(over) or 'unreadable'})")
            continue
        problems += [f"{file}: {p}" for p in lim.problems(item.mime, item.size, item.width, item.height)]
        if not m.alt.strip():
            problems.append(f"{file}: {_ALT_NEEDED}")
        elif len(m.alt) > lim.max_alt:
            problems.append(f"{file}: alt text {len(m.alt):,} characters > {lim.max_alt:,}")
        size = shown_size(item.size)
        shown.append(f"{file} {item.width}x{item.height} {size}, alt {len(m.alt)}/{lim.max_alt}")
    return CheckResult(name, not problems, "; ".join(problems or shown))


def holiday_files(files: Sequence[Path], holiday: str) -> list[Path]:
    """The files whose names match the holiday (``mid-autumn.jpg`` for "Mid-Autumn Festival",
    any of the festival's names; a name shorter than 3 letters matches nothing)."""
    if not holiday:
        return []
    festival = catalog.find_festival(holiday)
    names = {_slug(holiday), *(_slug(n) for n in (festival.names if festival else ()))}
    if festival is not None:
        names.add(_slug(festival.key))
    names = {n.removesuffix("-festival") for n in names if len(n) >= 3} | {n for n in names if len(n) >= 3}
    found = []
    for path in files:
        stem = _slug(path.stem)
        if len(stem) >= 3 and any(stem.startswith(n) or n.startswith(stem) for n in names):
            found.append(path)
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


# -- the config trial ---------------------------------------------------------------------


#: A campaign's template variables at an instant (``DraftingService.context``).
ContextOf = Callable[[CampaignSettings, datetime], dict[str, Any]]


def media_problems(
    settings: Settings, fitter: MediaFitter, now: datetime, context_of: ContextOf
) -> list[str]:
    """One message per picture problem of the configured campaigns (missing file, unreadable
    picture, missing alt text, empty folder, no picture for the holiday), at most
    :data:`MAX_PROBLEMS` (then a line saying the trial stopped)."""
    problems = list(islice(_problems(settings, fitter, now, context_of), MAX_PROBLEMS + 1))
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"(stopped after {MAX_PROBLEMS} problems: fix these, then check again)"]
    return problems


def _problems(settings: Settings, fitter: MediaFitter, now: datetime, context_of: ContextOf) -> Iterator[str]:
    service = MediaService(settings, fitter)
    for campaign in settings.campaigns:
        if not campaign.media:
            continue
        try:
            picks = _all_picks(service, campaign)
        except MediaError as exc:
            yield str(exc)
            continue
        context = context_of(campaign, now)
        for pick in picks:
            yield from _pick_problems(service, campaign, pick, context)


def _all_picks(service: MediaService, campaign: CampaignSettings) -> list[Pick]:
    """Every picture the campaign may take (a folder: all of it, or the holiday's)."""
    media = campaign.media
    if isinstance(media, MediaFolder) and media.pick != "by-holiday":
        return [Pick(p, media.alt, "media") for p in service.folder_files(campaign, media)]
    return service.picks(campaign, holiday=campaign.when.holiday_name or "", seed=0, ordinal=0)


def _pick_problems(
    service: MediaService, campaign: CampaignSettings, pick: Pick, context: dict[str, Any]
) -> Iterator[str]:
    where = f"campaign {campaign.name!r}: {pick.key}"
    try:
        service.fitter.probe(str(pick.path))
    except MediaError as exc:
        yield f"{where}: {exc}"
        return
    try:
        service.render_alt(campaign, pick, context)
    except (MediaError, TemplateError) as exc:
        yield str(exc)
