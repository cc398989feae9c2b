"""The media endpoints of the fake, as each client calls them, and what it keeps of an upload.

- Mastodon: ``POST /api/v2/media`` (multipart ``file``, ``description``) answers 202 with
  ``url: null``; ``GET /api/v1/media/:id`` answers 206 until it is processed (after
  ``FakeState.media_polls`` polls), then 200 with its ``url``; a status names ``media_ids[]``.
- Bluesky: ``POST /xrpc/com.atproto.repo.uploadBlob`` (raw bytes) answers a blob ref with a
  real CIDv1 (raw, sha-256); a post record's ``app.bsky.embed.images`` names each blob with its
  ``alt`` and ``aspectRatio``; a blob not referenced within ``FakeState.blob_ttl`` is gone.
- Reddit (praw's flow): ``POST /api/media/asset.json`` leases an upload to the S3-like
  ``/_s3/reddit`` (``action`` is scheme-relative: praw prefixes ``https:``); the S3 POST answers
  XML like S3 (too large: ``EntityTooLarge`` with ``ProposedSize`` / ``MaxSizeAllowed``); then a
  gallery (``/api/submit_gallery_post.json``, ``items[].media_id`` = asset ids, captions) or an
  image post (``/api/submit`` ``kind=image``, ``url`` = the uploaded key) whose answer names a
  websocket that sends the post's URL once (``/_ws/reddit/:asset``).
- X: ``POST /2/media/upload`` (multipart ``media``, OAuth 1.0a) answers ``data.id``;
  ``POST /2/media/metadata`` sets ``alt_text``; a post names ``media.media_ids``; ids expire
  after ``expires_after_secs``.

Each upload is kept in ``FakeState.media`` (platform, user, id, sha256, size, mime, alt, the
post it went to); posts record their ``media`` ids in order. ``GET /_admin/media`` lists them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any

from tests.fakeplatform.state import Reply, User

#: Byte limits per image, as the platforms document them.
LIMITS = {
    "x": 5 * 1024 * 1024,
    "bluesky": 1_000_000,
    "mastodon": 16 * 1024 * 1024,
    "reddit": 20 * 1024 * 1024,
}
#: Alt-text limits (X 1,000, Mastodon 1,500, Bluesky none enforced here, Reddit caption 180).
ALT_LIMITS = {"x": 1000, "mastodon": 1500, "bluesky": 10_000, "reddit": 180}
X_MEDIA_LIFETIME = 86400
_NOT_PROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"


def multipart(content_type: str, body: bytes) -> dict[str, list[tuple[bytes, str | None, str]]]:
    """The parts of a multipart/form-data body: name -> [(bytes, filename, content type)].

    Split on the boundary by hand: the stdlib email parser takes ~0.25 s for 2 MB."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if found is None:
        raise Reply(400, {"error": "multipart body without a boundary"})
    parts: dict[str, list[tuple[bytes, str | None, str]]] = {}
    for chunk in body.split(b"--" + found.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, payload = chunk.partition(b"\r\n\r\n")
        headers = head.decode("utf-8", "replace")
        name = re.search(r'[;\s]name="([^"]*)"', headers)
        filename = re.search(r'filename="([^"]*)"', headers)
        kind = re.search(r"(?i)content-type:\s*([^\r\n;]+)", headers)
        parts.setdefault(name.group(1) if name else "", []).append(
            (payload.removesuffix(b"\r\n"), filename.group(1) if filename else None,
             kind.group(1).strip() if kind else "text/plain")
        )  # fmt: skip
    return parts


def cid_for(data: bytes) -> str:
    """A CIDv1 (raw codec, sha2-256) in base32, as a PDS names a blob."""
    digest = hashlib.sha256(data).digest()
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def sniff(data: bytes) -> str:
    """The image type of ``data`` from its first bytes (what a platform trusts)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"GIF8"):
        return "image/gif"
    return "application/octet-stream"


class MediaRoutes:
    """Media handlers, mixed into the request handler beside :class:`PlatformRoutes`."""

    server: Any
    headers: Any
    params: dict[str, str]
    raw: bytes

    def _x_user(self) -> User:
        raise NotImplementedError

    def _reddit_user(self) -> User:
        raise NotImplementedError

    def _mastodon_user(self) -> User:
        raise NotImplementedError

    def _bluesky_user(self) -> User:
        raise NotImplementedError

    def _parts(self) -> dict[str, list[tuple[bytes, str | None, str]]]:
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise Reply(400, {"error": "expected multipart/form-data"})
        return multipart(content_type, self.raw)

    def _keep(self, user: User, data: bytes, mime: str, **extra: Any) -> dict[str, Any]:
        """Store an upload (its hash and size, not its bytes)."""
        state = self.server.state
        if len(data) > LIMITS[user.platform]:
            raise Reply(413, {"error": f"file too large: {len(data)} > {LIMITS[user.platform]} bytes"})
        with state.lock:
            item = {
                "platform": user.platform,
                "user": user.name,
                "id": state.next_id(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "mime": mime,
                "sniffed": sniff(data),
                "alt": "",
                "at": time.time(),
                "post": None,
                **extra,
            }
            state.media[item["id"]] = item
            return item

    def _attach(self, user: User, ids: list[str], alts: list[str] | None = None) -> list[dict[str, Any]]:
        """The uploads ``ids`` of ``user``, checked as the platform would, ready to attach."""
        state = self.server.state
        found = []
        with state.lock:
            for n, media_id in enumerate(ids):
                item = state.media.get(media_id)
                if item is None or item["user"] != user.name or item["platform"] != user.platform:
                    raise Reply(*_unknown_media(user.platform, media_id))
                if item["post"] is not None and user.platform != "mastodon":
                    raise Reply(*_unknown_media(user.platform, media_id))
                if item.get("expires") and item["expires"] < time.time():
                    raise Reply(*_unknown_media(user.platform, media_id))
                if alts is not None:
                    item["alt"] = alts[n]
                found.append(item)
        return found

    @staticmethod
    def _bind(post: dict[str, Any], items: list[dict[str, Any]]) -> None:
        post["media"] = [i["id"] for i in items]
        post["media_sha256"] = [i["sha256"] for i in items]
        post["media_alt"] = [i["alt"] for i in items]
        for item in items:
            item["post"] = post["id"]

    # -- Mastodon -------------------------------------------------------------------------

    def mastodon_media(self) -> tuple[int, Any, dict[str, str]]:
        user = self._mastodon_user()
        parts = self._parts()
        if "file" not in parts:
            raise Reply(422, {"error": "Validation failed: File can't be blank"})
        data, _, mime = parts["file"][0]
        alt = parts.get("description", [(b"", None, "")])[0][0].decode()
        if len(alt) > ALT_LIMITS["mastodon"]:
            raise Reply(
                422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"}
            )
        polls = self.server.state.media_polls
        item = self._keep(user, data, mime, alt=alt, polls_left=polls)
        return (202 if polls else 200), self._attachment(item), {}

    def mastodon_media_get(self) -> tuple[int, Any, dict[str, str]]:
        user = self._mastodon_user()
        state = self.server.state
        with state.lock:
            item = state.media.get(self.params["mid"])
            if item is None or item["user"] != user.name or item["platform"] != "mastodon":
                raise Reply(404, {"error": "Record not found"})
            if item["polls_left"] > 0:
                item["polls_left"] -= 1
                return 206, self._attachment(item), {}
        return 200, self._attachment(item), {}

    @staticmethod
    def _attachment(item: dict[str, Any]) -> dict[str, Any]:
        done = item.get("polls_left", 0) <= 0
        return {
            "id": item["id"],
            "type": "image",
            "url": f"https://files.fake.social/{item['id']}.bin" if done else None,
            "preview_url": f"https://files.fake.social/{item['id']}-small.bin",
            "remote_url": None,
            "description": item["alt"] or None,
            "blurhash": None,
            "meta": {},
        }

    def mastodon_status_media(self, user: User, ids: list[str]) -> list[dict[str, Any]]:
        """Called by the status route: the attachments, or 422 like Mastodon."""
        if len(ids) > 4:
            raise Reply(422, {"error": "Validation failed: Media attachments limit is 4"})
        items = self._attach(user, ids)
        for item in items:
            if item.get("polls_left", 0) > 0:
                raise Reply(422, {"error": _NOT_PROCESSED})
            if item["post"] is not None:
                raise Reply(422, {"error": "Validation failed: Media attachments already attached"})
        return items

    # -- Bluesky --------------------------------------------------------------------------

    def bluesky_blob(self) -> tuple[int, Any, dict[str, str]]:
        user = self._bluesky_user()
        mime = self.headers.get("Content-Type", "*/*")
        item = self._keep(user, self.raw, mime, cid=cid_for(self.raw))
        item["expires"] = item["at"] + self.server.state.blob_ttl
        blob = {"$type": "blob", "ref": {"$link": item["cid"]}, "mimeType": mime, "size": item["size"]}
        return 200, {"blob": blob}, {}

    def bluesky_record_media(self, user: User, record: dict[str, Any]) -> list[dict[str, Any]]:
        """Called by the post route: the images of the record's embed, checked like a PDS."""
        embed = record.get("embed") or {}
        if not embed:
            return []
        if embed.get("$type") != "app.bsky.embed.images":
            raise Reply(
                400, {"error": "InvalidRequest", "message": f"unsupported embed {embed.get('$type')}"}
            )
        images = embed.get("images") or []
        if not 1 <= len(images) <= 4:
            raise Reply(400, {"error": "InvalidRequest", "message": "embed/images must have 1-4 items"})
        state = self.server.state
        with state.lock:
            by_cid = {m["cid"]: m for m in state.media.values() if m.get("cid") and m["user"] == user.name}
        ids, alts = [], []
        for image in images:
            ref = ((image.get("image") or {}).get("ref") or {}).get("$link")
            item = by_cid.get(ref)
            if item is None or "alt" not in image:
                raise Reply(400, {"error": "InvalidRequest", "message": f"Could not find blob: {ref}"})
            if item["size"] > LIMITS["bluesky"]:
                raise Reply(400, {"error": "BlobTooLarge", "message": "This file is too large"})
            ratio = image.get("aspectRatio") or {}
            item["aspect"] = [ratio.get("width"), ratio.get("height")]
            ids.append(item["id"])
            alts.append(str(image["alt"]))
        return self._attach(user, ids, alts)

    # -- Reddit ---------------------------------------------------------------------------

    def reddit_lease(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
        form = dict(_pairs(self.raw.decode()))
        state = self.server.state
        asset = state.next_id()
        key = f"rte_images/{asset}/{form.get('filepath', 'image')}"
        host = self.headers.get("Host", "127.0.0.1")
        with state.lock:
            state.leases[asset] = {
                "user": user.name,
                "key": key,
                "mime": form.get("mimetype", ""),
                "item": None,
            }
        fields = [
            {"name": "acl", "value": "private"},
            {"name": "key", "value": key},
            {"name": "Content-Type", "value": form.get("mimetype", "")},
            {"name": "x-amz-meta-ext", "value": "png"},
            {"name": "policy", "value": "eyJmYWtlIjogdHJ1ZX0="},
        ]
        body = {
            "args": {"action": f"//{host}/_s3/reddit", "fields": fields},
            "asset": {
                "asset_id": asset,
                "processing_state": "incomplete",
                "payload": {"filepath": form.get("filepath", "")},
                "websocket_url": f"ws://{host}/_ws/reddit/{asset}",
            },
        }
        return 200, body, {}

    def reddit_s3(self) -> tuple[int, Any, dict[str, str]]:
        parts = self._parts()
        key = parts.get("key", [(b"", None, "")])[0][0].decode()
        state = self.server.state
        with state.lock:
            lease = next(((a, le) for a, le in state.leases.items() if le["key"] == key), None)
        if lease is None or "file" not in parts:
            return 403, _s3_error("AccessDenied", "Invalid according to Policy"), {}
        asset, found = lease
        data, _, mime = parts["file"][0]
        if len(data) > LIMITS["reddit"]:
            return 400, _s3_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                                  ProposedSize=len(data), MaxSizeAllowed=LIMITS["reddit"]), {}  # fmt: skip
        user = next(u for u in state.users if u.platform == "reddit" and u.name == found["user"])
        item = self._keep(user, data, mime, key=key)
        with state.lock:  # the asset id is what a gallery names
            state.media.pop(item["id"])
            item["id"] = asset
            state.media[asset] = item
            found["item"] = asset
        location = f"https://reddit-uploaded-media.s3-accelerate.amazonaws.com/{key}"
        xml = (
            f"<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>{location}</Location>"
            f'<Bucket>reddit-uploaded-media</Bucket><Key>{key}</Key><ETag>"{item["sha256"][:32]}"</ETag>'
            "</PostResponse>"
        )
        return 201, xml.encode(), {"Content-Type": "application/xml"}

    def reddit_gallery_media(self, user: User, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [str(i.get("media_id")) for i in items]
        captions = [str(i.get("caption") or "") for i in items]
        if not 2 <= len(ids) <= 20:
            raise Reply(200, {"json": {"errors": [["BAD_GALLERY", "a gallery needs 2-20 items", "items"]]}})
        if any(len(c) > ALT_LIMITS["reddit"] for c in captions):
            raise Reply(200, {"json": {"errors": [["TOO_LONG", "caption too long (max: 180)", "caption"]]}})
        return self._attach(user, ids, captions)

    def reddit_image_media(self, user: User, url: str) -> list[dict[str, Any]]:
        state = self.server.state
        with state.lock:
            asset = next(
                (a for a, le in state.leases.items() if url.endswith(le["key"]) and le["item"]), None
            )
        if asset is None:
            raise Reply(200, {"json": {"errors": [["NO_IMAGE", "no uploaded image at that URL", "url"]]}})
        return self._attach(user, [asset])

    def reddit_websocket(self) -> tuple[int, Any, dict[str, str]]:
        """Answered by the server's websocket plumbing: the post made with this asset."""
        state = self.server.state
        with state.lock:
            item = state.media.get(self.params["asset"])
            post = next((p for p in state.posts if item and p["id"] == item.get("post")), None)
        if post is None:
            return 200, {"type": "failed", "payload": {}}, {}
        redirect = f"https://www.reddit.com/r/{post['subreddit']}/comments/{post['id']}/post/"
        return 200, {"type": "success", "payload": {"redirect": redirect}}, {}

    # -- X --------------------------------------------------------------------------------

    def x_media(self) -> tuple[int, Any, dict[str, str]]:
        user = self._x_user()
        parts = self._parts()
        if "media" not in parts:
            raise Reply(400, {"errors": [{"message": "media is required"}], "title": "Invalid Request"})
        data, _, mime = parts["media"][0]
        declared = parts.get("media_type", [(mime.encode(), None, "")])[0][0].decode()
        item = self._keep(user, data, declared)
        item["expires"] = item["at"] + X_MEDIA_LIFETIME
        body = {
            "data": {
                "id": item["id"],
                "media_key": f"3_{item['id']}",
                "size": item["size"],
                "expires_after_secs": X_MEDIA_LIFETIME,
                "image": {"image_type": declared},
            }
        }
        return 200, body, {}

    def x_media_alt(self) -> tuple[int, Any, dict[str, str]]:
        user = self._x_user()
        data = json.loads(self.raw or b"{}")
        media_id = str(data.get("id", ""))
        alt = str(((data.get("metadata") or {}).get("alt_text") or {}).get("text", ""))
        if len(alt) > ALT_LIMITS["x"]:
            raise Reply(400, {"errors": [{"message": "alt_text too long"}], "title": "Invalid Request"})
        item = self._attach(user, [media_id])[0]
        item["alt"] = alt
        return 200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}, {}


def _unknown_media(platform: str, media_id: str) -> tuple[int, Any]:
    if platform == "x":
        return 400, {"errors": [{"message": f"Your media IDs are invalid: {media_id}"}],
                     "title": "Invalid Request",
                     "detail": "One or more parameters to your request was invalid."}  # fmt: skip
    if platform == "mastodon":
        return 422, {"error": "Validation failed: Media attachments is invalid"}
    if platform == "bluesky":
        return 400, {"error": "InvalidRequest", "message": f"Could not find blob: {media_id}"}
    return 200, {"json": {"errors": [["INVALID_MEDIA", f"unknown media {media_id}", "items"]]}}


def _s3_error(code: str, message: str, **more: Any) -> bytes:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in more.items())
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message>"
        f"{inner}<RequestId>FAKE</RequestId></Error>"
    ).encode()


def _pairs(body: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body, keep_blank_values=True)


ROUTES = [
    (r"/2/media/upload", "POST", "x.media", "x_media"),
    (r"/2/media/metadata", "POST", "x.media_alt", "x_media_alt"),
    (r"/api/media/asset.json", "POST", "reddit.lease", "reddit_lease"),
    (r"/_s3/reddit", "POST", "reddit.s3", "reddit_s3"),
    (r"/_ws/reddit/(?P<asset>\d+)", "GET", "reddit.websocket", "reddit_websocket"),
    (r"/api/v2/media", "POST", "mastodon.media", "mastodon_media"),
    (r"/api/v1/media/(?P<mid>\d+)", "GET", "mastodon.media_get", "mastodon_media_get"),
    (r"/xrpc/com.atproto.repo.uploadBlob", "POST", "bluesky.blob", "bluesky_blob"),
]
