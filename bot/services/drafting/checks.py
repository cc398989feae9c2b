"""Strict checks on a candidate post, and a ranking score among those that pass.

Every check is recorded on the draft (:class:`bot.domain.CheckResult`) so a reviewer sees why
a candidate was kept or dropped. The rules come from the campaign (:class:`CheckSpec`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from bot.domain import CheckResult
from bot.domain.platforms import PlatformLimit
from bot.domain.text import unpostable
from bot.services.drafting import additions, bindings, catalog, facts, prose
from bot.services.drafting.cleaning import has_placeholder

_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
_HAN = regex.compile(r"\p{Han}")
_LATIN_WORD = regex.compile(r"\p{Latin}+")
_ECHO = regex.compile(
    r"^\W*(?:write|mention|mentioning|announce|invite|wish|include|use)\b", regex.IGNORECASE
)
_JUNK = regex.compile(
    r"\b(?:as an ai|language model|here is|here's a|i cannot|i can't|sure,|post:|tweet:|hashtag)\b",
    regex.IGNORECASE,
)
#: Words no brand wants in a greeting or a promotion (small models pick odd adjectives).
_GLOOM = regex.compile(
    r"\b(?:mournful|sad|sorrow\w*|grief|griev\w*|tragic|death|died|dead|funeral|RIP|condolences|"
    r"miserable|depress\w*|hate|awful|terrible|lonely)\b",
    regex.IGNORECASE,
)
DUPLICATE_THRESHOLD = 0.7
#: A run of words this similar to the brand's name (but not it) is a wrong business name.
LOOKALIKE = 0.65
#: How close a word must be to a name of the backing texts to count as its misspelling.
MISSPELLED = 0.8
#: A word of a name: letters, not Chinese characters ("来Moonrise" in a Chinese post is 来 + Moonrise).
_NAME_WORD = regex.compile(r"(?:(?!\p{Han})\p{L})(?:(?!\p{Han})[\p{L}'’-])*")
#: Endings that make another form of a word ("celebrat|e", "celebrat|ion"); a name cut short
#: ("Tieguan" for "Tieguanyin") or changed inside is a misspelling.
_ENDINGS = frozenset(
    (
        *("", "s", "es", "e", "ed", "d", "ing", "er", "ers", "ion", "ions", "ation", "ations"),
        *("ly", "y", "ies", "ied", "al", "ness", "ment", "ments", "ful", "ive", "ity", "ic", "'s"),
    )
)


@dataclass(frozen=True)
class CheckSpec:
    """Everything the checks need to know about one campaign's slot."""

    brand: str
    language: str
    required_words: tuple[str, ...] = ()
    forbidden_words: tuple[str, ...] = ()
    #: Festival keys the post may name (the campaign's own holiday, any named in the brief).
    allowed_festivals: frozenset[str] = frozenset()
    #: Names blanked out before looking for festivals (e.g. "New Year" for Spring Festival).
    festival_ok_names: tuple[str, ...] = ()
    max_emoji: int = 4
    #: (account name, its limit) for every account the campaign posts to.
    limits: tuple[tuple[str, PlatformLimit], ...] = ()
    #: Texts of the campaign's recent drafts and posts.
    recent: tuple[str, ...] = ()
    #: The campaign's holiday by all its English names ("Labor Day", "Labour Day", ...).
    holiday_names: tuple[str, ...] = ()
    #: Words that make a candidate better (product, holiday), used only for ranking.
    nice_words: tuple[str, ...] = ()
    #: Names from the prompt's worked examples: a post using them copied the example.
    example_words: tuple[str, ...] = ()
    #: Strings that do not count for the language check (brand, product, link, hashtags).
    neutral: tuple[str, ...] = field(default=())
    #: The campaign's facts (rendered): every one must be stated.
    facts: tuple[str, ...] = ()
    #: Facts that come from "Mention our X" in the brief (model-written posts must state them).
    mentions: tuple[str, ...] = ()
    #: Texts whose claims a post may repeat (facts, brief, holiday names, brand, products, ...).
    backing: tuple[str, ...] = ()
    #: The rendered brief (a post must not echo its instructions).
    brief: str = ""
    #: greeting / promo / announcement ("" skips the kind check).
    kind: str = ""
    #: Whether the wording is the model's own (curated templates are not judged for the words
    #: they add: a person wrote them for any campaign).
    model_wording: bool = True


def run_checks(text: str, body: str, spec: CheckSpec) -> tuple[CheckResult, ...]:
    """All checks on the composed post ``text`` (``body`` is it without link and hashtags).
    A curly apostrophe (phones insert it) is read as the straight one: "Mabel’s" is the brand."""
    text, body = _straight(text), _straight(body)
    spec = replace(spec, brand=_straight(spec.brand))
    return (
        _not_empty(body, spec.language),
        _characters(text),
        _clean(body),
        _brand(text, spec.brand),
        *(_required(text, w) for w in spec.required_words),
        *(_forbidden(text, w) for w in spec.forbidden_words),
        _not_example(body, spec.example_words),
        _festival(body, spec),
        _emoji(text, spec.max_emoji),
        _language(body, spec),
        *(_limit(text, body, account, lim) for account, lim in spec.limits),
        _duplicate(body, spec.recent, (*spec.facts, spec.brand)),
        *_reader_checks(body, spec),
    )


def _straight(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _brand_lookalike(body: str, brand: str, backing: Sequence[str] = ()) -> CheckResult:
    """Fails a name that looks like the brand but is not it ("Palm & Stem" for "Petal & Stem");
    words the campaign itself wrote ("September and kayaks") are no such name."""
    words = brand.split()
    if len(words) < 2:
        return CheckResult("brand_lookalike", True)
    flat = body.replace(brand, " ")
    own = (" ".join(t.replace(brand, " ").split()) for t in backing if t)
    for text in sorted((t for t in own if len(t.split()) >= 2), key=len, reverse=True):
        flat = regex.sub(regex.escape(text), " ", flat, flags=regex.IGNORECASE)
    tokens = regex.findall(r"[\p{L}\p{N}&'’-]+", flat)
    size = len(words)
    for i in range(len(tokens) - size + 1):
        window = " ".join(tokens[i : i + size])
        if window.casefold() == brand.casefold():
            continue
        ratio = difflib.SequenceMatcher(None, window.casefold(), brand.casefold()).ratio()
        if ratio >= LOOKALIKE:
            return CheckResult("brand_lookalike", False, f"{window!r} looks like {brand!r}")
    return CheckResult("brand_lookalike", True)


def _names_spelled(body: str, backing: Sequence[str]) -> CheckResult:
    """Fails a word that is a near miss of a name in the backing texts ("Tieguoyin" for
    "Tieguanyin", "FRIDYTEA" for "FRIDAYTEA"): a capitalised word of seven letters or more
    there (not a weekday or month: the fact check handles those), with a word in the post
    close to it that is neither it nor another form of it."""
    known = {w.casefold() for text in backing for w in _NAME_WORD.findall(text)}
    names = {
        w
        for text in backing
        for w in _NAME_WORD.findall(text)
        if len(w) >= 7 and w[0].isupper() and w.casefold() not in facts.CALENDAR_WORDS
    }
    for word in dict.fromkeys(_NAME_WORD.findall(body)):
        folded = word.casefold()
        if len(word) < 6 or folded in known or folded in facts.CALENDAR_WORDS:
            continue
        for name in names:
            other = name.casefold()
            shorter = min(len(folded), len(other))
            stem = next((i for i in range(shorter) if folded[i] != other[i]), shorter)
            if folded[stem:] in _ENDINGS and other[stem:] in _ENDINGS:
                continue  # another form of the same word ("Celebrate", "Celebration")
            if difflib.SequenceMatcher(None, folded, other).ratio() >= MISSPELLED:
                return CheckResult("names", False, f"{word!r} looks like a misspelling of {name!r}")
    return CheckResult("names", True)


def _reader_checks(body: str, spec: CheckSpec) -> tuple[CheckResult, ...]:
    """Facts stated, nothing invented, and the prose checks of :mod:`prose`."""
    missing = facts.missing_facts(body, spec.facts)
    stated = CheckResult(
        "facts", not missing, f"leaves out: {'; '.join(missing)}" if missing else f"{len(spec.facts)} stated"
    )
    invented = facts.unbacked(body, spec.backing) if spec.backing else []
    backed = CheckResult(
        "invented",
        not invented,
        "not in the facts or the brief: " + ", ".join(facts.describe(c) for c in invented)
        if invented
        else "",
    )
    names = (spec.brand, *spec.nice_words, *spec.neutral)
    return (
        stated,
        backed,
        bindings.meaning(body, spec.facts),
        # what the post must tell, as said to the readers ("remember to ...", "please don't
        # ...", "thank you to ..."), is the campaign's too
        additions.adds(body, (*spec.backing, *spec.facts))
        if spec.backing and spec.model_wording
        else CheckResult("adds", True),
        additions.unknown_names(body, spec.backing)
        if spec.backing and spec.model_wording
        else CheckResult("unknown_name", True),
        prose.echo(body, spec.brief, spec.facts),
        prose.voice(body, spec.brand),
        prose.articles(body, (*spec.nice_words, *spec.mentions)),
        _brand_lookalike(body, spec.brand, (*spec.facts, *spec.backing)),
        _names_spelled(body, spec.backing),
        prose.loop(body, names, spec.facts),
        prose.sentences(body),
        prose.spelling(body, (*spec.neutral, *spec.required_words)),
        prose.kind(body, spec.kind, spec.backing, spec.brand),
    )


def _not_empty(body: str, language: str) -> CheckResult:
    least = 8 if language == "zh" else 30
    size = len(body.strip())
    return CheckResult("length", size >= least, f"{size} chars (at least {least})")


def _characters(text: str) -> CheckResult:
    """No control or invisible character (a zero-width space hides a word from the reviewer,
    the word lists and the duplicate check; ``bot queue edit`` refuses the same ones)."""
    problem = unpostable(text)
    return CheckResult("characters", problem is None, problem or "")


def _clean(body: str) -> CheckResult:
    junk = _JUNK.search(body)
    if junk:
        return CheckResult("clean", False, f"stray {junk.group(0)!r}")
    if _ECHO.search(body):
        return CheckResult("clean", False, "starts like the instructions, not like a post")
    gloom = _GLOOM.search(body)
    if gloom:
        return CheckResult("clean", False, f"gloomy word {gloom.group(0)!r}")
    if has_placeholder(body):
        return CheckResult("clean", False, "a placeholder is left in the text")
    return CheckResult("clean", True)


def _brand(text: str, brand: str) -> CheckResult:
    if not brand:
        return CheckResult("brand", True, "no brand configured")
    if brand in text:
        # "The Spoke & Chain Cycles: ..." opening a sentence ("the ... team", "to the ... Gym:" are English)
        article = regex.search(
            rf"(?:^|[.!?]\s+)(?:the|a|an)\s+{regex.escape(brand)}"
            rf"(?=\s*(?:[:,.!?]|$)|\s+(?:is|are|has|have|wishes|will)\b)",
            text,
            regex.IGNORECASE,
        )
        if article and not brand.casefold().startswith(("the ", "a ", "an ")):
            return CheckResult(
                "brand", False, f"an article before the name: {article.group(0).strip(' .!?')!r}"
            )
        twice = next((s for s in regex.findall(r"[^.!?]+", text) if s.count(brand) >= 2), None)
        if twice:  # "Good news from <brand>: dental cleaning at <brand> is 15% off"
            return CheckResult("brand", False, f"the name twice in one sentence: {twice.strip()[:60]!r}")
        return CheckResult("brand", True)
    if brand.casefold() in text.casefold():
        return CheckResult("brand", False, f"brand name not written exactly as {brand!r}")
    return CheckResult("brand", False, f"{brand!r} is missing")


def contains_word(text: str, word: str) -> bool:
    """Case-insensitive; whole words for Latin script, substring for Chinese."""
    if _HAN.search(word):
        return word in text
    pattern = rf"(?<![\p{{L}}\p{{N}}]){regex.escape(word)}(?![\p{{L}}\p{{N}}])"
    return regex.search(pattern, text, regex.IGNORECASE) is not None


#: Endings that make another form of a required word ("Saturdays", "microchipping", "booked").
_FORMS = ("", "s", "es", "'s", "’s", "ing", "ed", "er", "ers")


def _required(text: str, word: str) -> CheckResult:
    # a code (capitals or digits: "PARTY10") is held only as written
    forms = ("",) if not word.islower() and word.upper() == word else _FORMS
    doubled = tuple(word[-1] + end for end in ("ing", "ed")) if word[-1:].isalpha() else ()
    ok = any(contains_word(text, word + end) for end in (*forms, *doubled))
    return CheckResult(f"required:{word}", ok, "" if ok else "missing")


def _forbidden(text: str, word: str) -> CheckResult:
    bad = word.casefold() in text.casefold()
    return CheckResult(f"forbidden:{word}", not bad, "present" if bad else "")


def _not_example(body: str, words: Sequence[str]) -> CheckResult:
    copied = [w for w in words if contains_word(body, w)]
    if copied:
        return CheckResult("not_example", False, f"copied from the example: {', '.join(copied)}")
    return CheckResult("not_example", True)


_CHEERFUL = regex.compile(r"\b(?:happy|merry|celebrat\w*|party|cheers)\b", regex.IGNORECASE)


def _festival(body: str, spec: CheckSpec) -> CheckResult:
    solemn = spec.allowed_festivals & catalog.SOLEMN
    cheerful = _CHEERFUL.search(body.replace(spec.brand, " ") if spec.brand else body)
    if solemn and cheerful and spec.kind == "greeting":
        return CheckResult("festival", False, f"{cheerful.group(0)!r} on a day of remembrance")
    plain = body.replace(spec.brand, " ") if spec.brand else body
    misnamed = catalog.misnamed(plain, spec.holiday_names, (*spec.backing, *spec.facts))
    if misnamed:
        return CheckResult("festival", False, f"the holiday's name written wrong: {misnamed!r}")
    named = catalog.mentioned_festivals(body, ignore=spec.festival_ok_names)
    wrong = sorted(name for key, name in named.items() if key not in spec.allowed_festivals)
    if wrong:
        return CheckResult("festival", False, f"names another festival: {', '.join(wrong)}")
    return CheckResult("festival", True)


def _emoji(text: str, cap: int) -> CheckResult:
    count = len(_EMOJI.findall(text))
    return CheckResult("emoji", count <= cap, f"{count} (at most {cap})")


def language_of(text: str, neutral: Sequence[str] = ()) -> str:
    """``zh`` or ``en`` (or ``unknown``), ignoring brand names and links."""
    for item in sorted(neutral, key=len, reverse=True):
        if item:
            text = text.replace(item, " ")
    han = len(_HAN.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if han == 0 and latin == 0:
        return "unknown"
    if han >= 2 * latin:
        return "zh"
    return "en" if han == 0 else "mixed"


def _language(body: str, spec: CheckSpec) -> CheckResult:
    found = language_of(body, spec.neutral)
    return CheckResult("language", found == spec.language, f"{found} (want {spec.language})")


def _limit(text: str, body: str, account: str, limit: PlatformLimit) -> CheckResult:
    """The post within the account's limit. Too long, the detail says how long the text (the
    body) may be there: the link and hashtags added after it take their share."""
    size = limit.measure(text)
    if limit.maximum is None:
        return CheckResult(f"limit:{account}", True, f"{size} {limit.unit}, no limit")
    detail = f"{size}/{limit.maximum} {limit.unit} ({limit.platform})"
    if size <= limit.maximum:
        return CheckResult(f"limit:{account}", True, detail)
    tail = max(0, size - limit.measure(body))
    room = limit.maximum - tail
    if tail == 0:
        detail += f": the text may have at most {room} characters on {account}; it has {size}"
    elif room > 0:
        detail += (
            f": the text may have at most {room} characters on {account} (the link and hashtags "
            f"added after it take {tail}); it has {size - tail}"
        )
    else:
        detail += f": the link and hashtags alone take {tail} on {account}: shorten them in the config"
    return CheckResult(f"limit:{account}", False, detail)


def too_long(text: str, body: str, account: str, limit: PlatformLimit) -> dict[str, Any] | None:
    """When ``text`` (a composed ``body`` with every statement, then the link and hashtags) is
    over the account's limit, how: ``account``, ``platform``, ``maximum``, ``needs`` (the body's
    length), ``room`` (what is left for it after the link and hashtags) and ``tail``. None when
    it fits. :func:`too_long_message` says it."""
    if limit.maximum is None or limit.fits(text):
        return None
    needs = limit.measure(body)
    tail = max(0, limit.measure(text) - needs)
    return {
        "account": account,
        "platform": limit.platform,
        "maximum": limit.maximum,
        "unit": limit.unit,
        "needs": needs,
        "room": max(0, limit.maximum - tail),
        "tail": tail,
    }


def too_long_message(over: dict[str, Any], *, least: bool = False) -> str:
    """Why statements were left out (see :func:`too_long`), with the ways out; ``least``: the
    length is the shortest of several drafts'."""
    account, tail = over["account"], over["tail"]
    after = f" once the link and hashtags ({tail}) are added" if tail else ""
    return (
        f"the facts need {'at least ' if least else ''}{over['needs']} characters as written, and "
        f"{account} ({over['platform']}, {over['maximum']} {over['unit']}) has room for {over['room']}"
        f"{after}, so statements were left out to fit: shorten the brief or the facts, take {account} "
        "off the campaign's accounts, or post a thread (edit the draft into parts split by lines "
        "holding only ---, each part within the limit)"
    )


def shingles(text: str, size: int = 3) -> frozenset[str]:
    """Character n-grams of the text's letters and digits, lower-cased."""
    flat = "".join(regex.findall(r"[\p{L}\p{N}]+", text.casefold()))
    return frozenset(flat[i : i + size] for i in range(max(1, len(flat) - size + 1)))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character trigrams, 0 to 1."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def own_words(body: str, facts: Sequence[str]) -> str:
    """A post's body without the campaign's facts as written: what its own wording is (a weekly
    promo states the same facts every week; two drafts of a slot state the same facts)."""
    return _without(body, facts)


def _without(text: str, phrases: Sequence[str]) -> str:
    for phrase in sorted((p for p in phrases if p.strip()), key=len, reverse=True):
        text = regex.sub(regex.escape(phrase.strip()), " ", text, flags=regex.IGNORECASE)
    return text


def _duplicate(body: str, recent: Sequence[str], facts: Sequence[str] = ()) -> CheckResult:
    """Near-duplicates of the campaign's recent drafts, compared without the campaign's facts as
    written and its brand (a weekly promo states the same facts every week; its wording must
    change, and "From <brand>:" is not "<brand> offer:")."""
    mine = own_words(body, facts)
    best = max((similarity(mine, own_words(r, facts)) for r in recent), default=0.0)
    return CheckResult("not_duplicate", best < DUPLICATE_THRESHOLD, f"closest recent {best:.2f}")


def soft_score(body: str, checks: Sequence[CheckResult], spec: CheckSpec) -> float:
    """Ranking score in [0, 1]: checks passed, nice words present, a comfortable length, and
    less of the model's own words (each word the campaign did not give costs a little)."""
    passed = sum(c.passed for c in checks) / max(1, len(checks))
    given = (*spec.backing, *spec.facts)
    added = len(additions.additions(body, given)) if spec.backing and spec.model_wording else 0
    nice = [w for w in spec.nice_words if w]
    mentions = sum(contains_word(body, w) for w in nice) / len(nice) if nice else 1.0
    size = len(body)
    ideal = (40, 160) if spec.language == "zh" else (90, 220)
    shape = 1.0 if ideal[0] <= size <= ideal[1] else 0.6
    return round(max(0.0, 0.5 * passed + 0.3 * mentions + 0.2 * shape - 0.05 * added), 4)
