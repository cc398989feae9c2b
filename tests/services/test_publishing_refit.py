"""A fitted picture copy cleaned out of ``DATA_DIR/media`` before publishing: fitted again from
the user's file with the real Pillow fitter (the approved picture, checked by its hash) and
posted to the fake platform; a user's file that changed since fails the publication naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain import PublicationState
from tests.fakeplatform import FakeServer
from tests.fakeplatform.images import png

TEXT = "Happy Mid-Autumn from Lotus Leaf: mooncakes and oolong all week"


def _approved(world: Any, source: Path) -> tuple[int, Path, str]:
    """A draft with the real fitted copy of ``source``, approved; (publication, copy, its sha)."""
    [picture] = world.app.media.build(world.settings.campaign("promo"), [(str(source), "A full moon")])
    copy = picture.fitted["mastodon"]
    [pub_id] = world.approve(TEXT, media=(picture,))
    path = Path(copy.path)
    assert path.is_file() and path.parent.name == "media"
    return pub_id, path, copy.sha256


def test_a_cleaned_fitted_copy_is_fitted_again_and_posted(
    world_factory: Any, fake: FakeServer, tmp_path: Path
) -> None:
    world = world_factory(["mastodon"])
    source = tmp_path / "pics" / "moon.png"
    source.parent.mkdir()
    source.write_bytes(png(3000, 2000, seed=3, noisy=True))  # over Mastodon's limits: a real fit
    pub_id, copy, sha = _approved(world, source)
    for leftover in copy.parent.iterdir():
        leftover.unlink()  # the user cleaned the folder
    report = world.app.publishing.run_once()
    assert report.published == [pub_id], world.store.get_publication(pub_id).last_error
    assert copy.is_file()
    media = fake.media()
    [post] = fake.posts("mastodon")
    assert [media[m]["sha256"] for m in post["media"]] == [sha]


def test_a_changed_source_fails_naming_the_file_and_the_swap(world_factory: Any, tmp_path: Path) -> None:
    world = world_factory(["mastodon"])
    source = tmp_path / "pics" / "moon.png"
    source.parent.mkdir()
    source.write_bytes(png(3000, 2000, seed=3, noisy=True))
    pub_id, copy, _ = _approved(world, source)
    copy.unlink()
    source.write_bytes(png(3000, 2000, seed=4, noisy=True))  # another picture under the same name
    report = world.app.publishing.run_once()
    assert report.failed == [pub_id]
    pub = world.store.get_publication(pub_id)
    assert pub.state is PublicationState.FAILED
    error = pub.last_error or ""
    assert str(copy) in error and str(source) in error, error
    assert "--swap-media 1 FILE ALT" in error and "changed since it was approved" in error
