"""Checks a careful reviewer makes on the prose of an English draft.

- ``echo``: the draft repeats the instructions instead of following them ("Remind them
  that ...", "Mention our mooncakes", "invite our members to ...");
- ``loop``: the small model repeats itself ("Hi there, Hi there", a sentence twice, the same
  word again and again, an emoji run);
- ``sentences``: a sentence cut off by the token limit or one that runs on and on;
- ``kind``: the wrong kind of post (a greeting or an announcement turned into a sale).

Each function returns a :class:`CheckResult`; Chinese bodies pass (these are English rules).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

import regex

from bot.domain import CheckResult
from bot.services.drafting import facts, words

#: Verbs that start an instruction, never a post.
_ORDER_VERBS = (
    r"write|mention|mentioning|announce|remind|include|describe|highlight|emphasi[sz]e|promote|"
    r"keep it|make sure|be sure|don't forget to mention|do not|add|note that|state|say that|tell|"
    r"explain|invite|encourage|ask|let|thank|wish|use|share"
)
#: Who the brief talks about; a post talks *to* them.
_AUDIENCE = (
    r"them|people|customers|our customers|members|our members|followers|our followers|readers|"
    r"guests|our guests|everyone|the community|clients|our clients|subscribers|parents|families|"
    r"riders|students|regulars"
)
_ECHO_START = regex.compile(
    r"^\W*(?:write|mention|mentioning|announce|remind|include|describe|highlight|emphasi[sz]e|promote|"
    r"keep it|make sure to|be sure to|note that|state that|say that|explain)\b",
    regex.IGNORECASE,
)
_ECHO_AUDIENCE = regex.compile(
    rf"\b(?:{_ORDER_VERBS})\s+(?:{_AUDIENCE})\s+(?:that|to|of|about|know)\b", regex.IGNORECASE
)
#: An order of the brief carried on after "and" with no one to do it: "Happy Christmas from
#: <brand>, and wish everyone a cozy Christmas" ("We thank you and wish everyone ..." has "we").
_ASK_WITHOUT_SUBJECT = regex.compile(
    r"(?:,\s*|\s)and\s+(?:wish|say|tell|remind|thank|mention|let|invite|inform|encourage|ask)\s+"
    r"(?:everyone|everybody|them|people|customers|all|our|that|we|the|those)\b",
    regex.IGNORECASE,
)
_SUBJECT = regex.compile(r"\b(?:we|I|they|you)\b", regex.IGNORECASE)
#: "A great spring promotion for ...": the brief's words describing the post, not a post.
_META = regex.compile(
    r"^\W*(?:this is\s+)?(?:(?:a|an|the|our)\s+)?(?:\w+\s+){0,3}?"
    r"(?:promotion|announcement|greeting|message|post|tweet)\s+(?:for|from|about)\b",
    regex.IGNORECASE,
)
#: A greeting addressed to the readers: "Happy Thanksgiving from <brand> to our neighbors".
_GREETS = regex.compile(
    r"\b(?:happy|merry|wishing|greetings|best wishes|thank you|thanks)\b[^.!?]*\bto\s+our\s+\w+$",
    regex.IGNORECASE,
)
_THIRD_PERSON = regex.compile(
    r"\b(?:our members|our customers|our followers|our subscribers)\b", regex.IGNORECASE
)
_SENTENCE = regex.compile(r"[^.!?。！？…]+(?:[.!?。！？…]+|$)")
_WORD = regex.compile(r"[\p{L}\p{N}'’]+")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
_END = regex.compile(r"[.!?。！？…)）\"'”’]\s*$|\p{Extended_Pictographic}\uFE0F?\s*$")
_DANGLING = regex.compile(
    r"\b(?:and|or|but|the|a|an|of|with|our|your|my|their|its|if|when|while)\s*[.!?…]*\s*$",
    regex.IGNORECASE,
)
_SALE = regex.compile(
    r"\b(?:use (?:the |our )?code|promo code|discount code|coupon|shop now|order now|buy now|buy one|"
    r"checkout|check out now|limited time|special offer|on sale|% off|percent off)\b",
    regex.IGNORECASE,
)
_COMMON = facts.STOP_WORDS
#: What a name of the campaign (brand, product, holiday) becomes before words are compared.
_NAME = "qqname"


def _same_ending(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two sentences ending on the same words: three of them, or two that say something
    ("... with love. ... with love."; not "... this year. ... this year.", nor a name)."""
    if _NAME in a[-2:] or len(a) < 2 or a[-2:] != b[-2:]:
        return False
    return (len(a) >= 3 and a == b) or bool(set(a[-2:]) - _COMMON - _TIME_WORDS)


#: Words of time a post may end two sentences on ("this year", "this week").
_TIME_WORDS = frozenset(["year", "week", "weekend", "month", "day", "today", "tonight", "morning", "evening"])
#: Words in one sentence beyond which it reads as a run-on.
RUN_ON_WORDS = 45


def _english(body: str) -> bool:
    return not regex.search(r"\p{Han}", body)


_LETTER = regex.compile(
    r"^\W*dear\b|\bi hope this (?:message|greeting|note|post) finds you|\bi(?:'m| am) writing\b",
    regex.IGNORECASE,
)
_FIRST_PERSON = regex.compile(r"\b(?:I|I'm|I’m|I've|I'll|I'd|my|My)\b")


def voice(body: str, brand: str) -> CheckResult:
    """Fails a letter, a post in the first person singular, or one addressed to the brand."""
    if not _english(body):
        return CheckResult("voice", True)
    if _LETTER.search(body):
        return CheckResult("voice", False, "written as a letter")
    if _FIRST_PERSON.search(body):
        return CheckResult("voice", False, "speaks as 'I', not as the business")
    if brand:
        name = regex.escape(brand)
        to_brand = regex.search(
            rf"\b(?:happy|merry|warm\w*|wishing|greetings)\b[^.!?]{{0,40}}\bto\s+"
            rf"(?:(?:all of you|you all|everyone|everybody|all|the team|the staff|the crew)\s+at\s+)?"
            rf"(?:the\s+)?{name}"
            rf"|\b(?:dear|thanks,|thank you,)\s+(?:the\s+)?{name}",
            body,
            regex.IGNORECASE,
        )
        if to_brand:
            return CheckResult("voice", False, f"addresses the business itself: {to_brand.group(0)!r}")
        hailed = regex.search(
            rf"(?:^|[.!?]\s+)(?:[^.!?:,]{{1,30}},\s+{name}\s*[:!]|{_HAIL}\W*,\s+{name}\b|{_HAIL}\s+{name}\s*[!,]"
            rf"|{name},\s+(?:welcome|congrat\w*|cheers|you\b|thank)[^.!?]*)",
            body,
            regex.IGNORECASE,
        )
        if hailed:
            return CheckResult("voice", False, f"addresses the business itself: {hailed.group(0).strip()!r}")
        of_us = regex.search(
            rf"{name}\s+(?:reminds|tells|asks|invites|wants|encourages)\s+us\b", body, regex.IGNORECASE
        )
        if of_us:
            return CheckResult("voice", False, f"speaks of its readers as 'us': {of_us.group(0)!r}")
    itself = regex.search(r"\b(?:the|our|this)\s+brand\b", body, regex.IGNORECASE)
    if itself:
        return CheckResult("voice", False, f"calls the business {itself.group(0)!r}")
    return CheckResult("voice", True)


#: Words that hail someone ("Awesome, <brand> for the wedding season!").
_HAIL = (
    r"(?:awesome|great|amazing|wow|hey|hi|hello|congrats|congratulations|bravo|yay|cheers|blessed|dear|oh)"
)

#: A plural last word ("pearls"), not "glass", "bus" or "Christmas".
_PLURAL = regex.compile(r"(?<![su]|ma)s$")


#: A word that takes no "the" after it: "a"/"an" (also past a greeting's adjective: "have a
#: bright the season"), "this" (not in a question: "is this the place?") and a greeting's
#: "Happy"/"Merry" opening a sentence ("Happy the season"; "we're happy the shop is open" is
#: fine). What a template writes when a name that needs no article is filled with one.
_BEFORE_THE = regex.compile(
    r"\b(?:an?\s+(?:(?:very|truly|really|most)\s+)?(?:bright|joyful|joyous|happy|merry|wonderful|lovely|"
    r"great|warm|peaceful|blessed|cozy|cosy|safe|fun|festive|sweet|relaxing|healthy|prosperous|"
    r"beautiful|fantastic|magical|delicious|restful)\s+the"
    r"|an?\s+the"
    r"|(?<!\b(?:is|was|isn't|wasn't|it's|that's|what's|where's)\s+)this\s+the)\b"
    r"|(?:^|(?<=[.!?:;\n]\s*))(?:happy|merry)\s+the\b",
    regex.IGNORECASE,
)


def articles(body: str, names: Sequence[str]) -> CheckResult:
    """Fails "a"/"an" before a plural name of the campaign ("Stop by for a warm jasmine pearls"),
    and "the" after a word that takes none ("Happy the season", "have a bright the season")."""
    if not _english(body):
        return CheckResult("grammar", True)
    if doubled := _BEFORE_THE.search(body):
        return CheckResult(
            "grammar", False, f"'the' after {doubled.group(0).rsplit(None, 1)[0]!r}: {doubled.group(0)!r}"
        )
    plurals = {n.strip() for n in names if n and len(n) < 60 and _PLURAL.search(n.strip().split()[-1])}
    for name in sorted(plurals, key=len, reverse=True):
        found = regex.search(
            rf"\b(?:a|an)\s+(?:[\p{{L}}-]+\s+){{0,2}}?{regex.escape(name)}\b(?!\s+\p{{L}})",
            body,
            regex.IGNORECASE,
        )
        if found and not regex.search(r"\b(?:of|for)\s*$", found.group(0)[: -len(name)], regex.IGNORECASE):
            return CheckResult("grammar", False, f"'a' before a plural: {found.group(0)!r}")
    return CheckResult("grammar", True)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


def echo(body: str, brief: str, facts: Sequence[str] = ()) -> CheckResult:
    """Fails a body that reads like the brief's instructions (a campaign fact stated as written,
    such as "mention code SUNKISSED when you book", is the campaign's own words to its readers)."""
    if not _english(body):
        return CheckResult("echo", True)
    own = {_words(f) for f in facts if f.strip()}
    # the sentences keep their own spaces: a fact with a "!" inside ("(there were 142 of them!)")
    # is still found whole below
    body = "".join(s for s in _SENTENCE.findall(body) if _words(s) not in own)
    for fact in sorted((f.strip() for f in facts if len(f.split()) >= 3), key=len, reverse=True):
        # "From all of us at <brand>: thank you to the families who shopped with us" states a
        # fact the brief asked for inside a longer sentence
        body = regex.sub(regex.escape(fact), " ", body, flags=regex.IGNORECASE)
    readers = r"\b(?:to|wish|thank|let|tell|remind|invite|inform)\s+(our [\w'’-]+)"
    for audience in dict.fromkeys(regex.findall(readers, brief, flags=regex.IGNORECASE)):
        # "Happy Thanksgiving from <brand> to our neighbors!" greets them; "our neighbors will
        # love it" speaks of them as the brief does.
        said = [
            s
            for s in _SENTENCE.findall(body)
            if (found := regex.search(rf"\b{regex.escape(audience)}\b", s, regex.IGNORECASE))
            and not _GREETS.search(s[: found.end()])
        ]
        if said:
            return CheckResult("echo", False, f"speaks of the readers as the brief does: {audience!r}")
    for sentence in _SENTENCE.findall(body):
        if _META.search(sentence):
            return CheckResult(
                "echo", False, f"describes the post instead of being it: {sentence.strip()[:60]!r}"
            )
        if _ECHO_START.search(sentence):
            return CheckResult("echo", False, f"instruction copied: {sentence.strip()[:60]!r}")
        ask = _ASK_WITHOUT_SUBJECT.search(sentence)
        if ask and not _SUBJECT.search(sentence[: ask.start()]):
            return CheckResult("echo", False, f"instruction copied: {ask.group(0).strip()[:60]!r}")
    found = _ECHO_AUDIENCE.search(body)
    if found:
        return CheckResult("echo", False, f"instruction copied: {found.group(0)!r}")
    third = _THIRD_PERSON.search(body)
    if third and third.group(0).casefold() in brief.casefold():
        return CheckResult("echo", False, f"speaks of the readers as the brief does: {third.group(0)!r}")
    copied = _copied_run(body, brief, facts)
    if copied:
        return CheckResult("echo", False, f"copies the brief: {copied!r}")
    return CheckResult("echo", True)


def _copied_run(body: str, brief: str, facts: Sequence[str] = (), size: int = 7) -> str:
    """A run of ``size`` words of the brief found in the body that contains an order verb (a run
    inside what the post must tell is the campaign's to say: "thank you to everyone who came to
    the carol singing" said in a reviewer's own words around it)."""

    def grams_of(text: str) -> set[tuple[str, ...]]:
        words = [w.casefold() for w in _WORD.findall(text)]
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    body_words = [w.casefold() for w in _WORD.findall(body)]
    grams = grams_of(brief) - {g for fact in facts for g in grams_of(fact)}
    verbs = regex.compile(rf"^(?:{_ORDER_VERBS}|{_AUDIENCE})$", regex.IGNORECASE)
    for i in range(len(body_words) - size + 1):
        gram = tuple(body_words[i : i + size])
        if gram in grams and any(verbs.match(w) for w in gram):
            return " ".join(gram)
    return ""


def loop(body: str, names: Sequence[str] = (), facts: Sequence[str] = ()) -> CheckResult:
    """Fails repeated phrases, sentences, words and emoji runs (``names`` may repeat, and
    so may the words of the campaign's ``facts``)."""
    day = _day_twice(body, facts) if _english(body) else ""
    if day:
        return CheckResult("loop", False, f"names {day!r} twice in one sentence")
    found = _loop(body, names, facts)
    return CheckResult(found.name, found.passed, found.detail.replace(_NAME, "<name>"))


#: A date or time written with digits: its parts may be the same number.
_DATE_OR_TIME = regex.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\b\d{1,2}:\d{2}\b"
)


def _loop(body: str, names: Sequence[str], facts: Sequence[str]) -> CheckResult:
    if not _english(body):
        return CheckResult("loop", True)
    flat = body
    for name in sorted((n for n in names if n), key=len, reverse=True):
        flat = regex.sub(regex.escape(name), f" {_NAME} ", flat, flags=regex.IGNORECASE)
    sentences = [s.strip().casefold() for s in _SENTENCE.findall(body) if len(s.strip()) > 3]
    twice = [s for s, n in Counter(sentences).items() if n > 1]
    if twice:
        return CheckResult("loop", False, f"sentence repeated: {twice[0][:50]!r}")
    # Two sentences may both end on a name ("... on New Year's Day"), not on the same words.
    ends = [tuple(_WORD.findall(s.casefold())[-3:]) for s in _SENTENCE.findall(flat) if len(s.strip()) > 3]
    if any(_same_ending(a, b) for a, b in pairwise(ends)):
        return CheckResult("loop", False, "two sentences in a row end the same way")
    same = regex.search(r"\b(\w{3,}) (?:and|or) \1\b", body, regex.IGNORECASE)
    if same:
        return CheckResult("loop", False, f"repeats {same.group(0)!r}")
    if regex.search(r"(\p{Extended_Pictographic})(?:\uFE0F?\s*\1){2,}", body):
        return CheckResult("loop", False, "the same emoji three times in a row")
    for sentence in _SENTENCE.findall(_DATE_OR_TIME.sub(f" {_NAME} ", flat)):  # "2026-12-12" repeats nothing
        said = [w.casefold() for w in _WORD.findall(sentence)]
        for size in (1, 2, 3):
            for i in range(len(said) - 2 * size + 1):
                if said[i : i + size] == said[i + size : i + 2 * size] and not (
                    (size == 1 and said[i] in ("very", "so", "ha")) or _NAME in said[i : i + size]
                ):
                    return CheckResult("loop", False, f"repeats {' '.join(said[i : i + size])!r}")
    words = [w.casefold() for w in _WORD.findall(flat)]
    grams = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    stated = [w.casefold() for w in _WORD.findall(" ".join(facts))]
    allowed = {tuple(stated[i : i + 3]) for i in range(len(stated) - 2)}
    repeated = [g for g, n in grams.items() if n > 1 and not set(g) <= _COMMON | {_NAME} and g not in allowed]
    if repeated:
        return CheckResult("loop", False, f"phrase repeated: {' '.join(repeated[0])!r}")
    counts = Counter(w for w in words if w not in _COMMON and len(w) > 2 and w not in stated and w != _NAME)
    common = [w for w, n in counts.items() if n >= 4]
    if common:
        return CheckResult("loop", False, f"{common[0]!r} {counts[common[0]]} times")
    return CheckResult("loop", True)


def _days(sentence: str) -> list[str]:
    return [d for d in (facts.day_named(w) for w in _WORD.findall(sentence)) if d]


def _day_twice(body: str, stated: Sequence[str]) -> str:
    """A day of the week named twice in one sentence ("Saturdays at <brand> now opens on
    Saturdays", "open on Thursdays at 20:00 every Thursday"): on the quality set every such
    sentence was garbled; so was the same price twice ("available for $12, any latte plus an
    hour for $12"). A fact that does it itself allows it."""
    for named_in in (_days, _prices):
        if any(len(set(n := named_in(s))) < len(n) for f in stated for s in _SENTENCE.findall(f)):
            continue
        for sentence in _SENTENCE.findall(body):
            named = named_in(sentence)
            twice = next((n for n in named if named.count(n) > 1), "")
            if twice:
                return facts.describe(twice) if twice.startswith("price:") else twice
    return ""


def _prices(sentence: str) -> list[str]:
    return [claim for _, _, claim in facts.claim_spans(sentence) if claim.startswith("price:")]


#: A stock invitation with a whole sentence pushed into it: "Stop by for the practice is
#: closed on January 1".
_INVITED_CLAUSE = regex.compile(
    r"\b(?:stop|drop|come|pop)\s+(?:by|in)\s+for\s+(?:[\w'’-]+\s+){0,4}?(?:is|are|was|were|will)\b",
    regex.IGNORECASE,
)


#: "Our a flight of four beers": a possessive before an article.
_OWNED_ARTICLE = regex.compile(r"\b(?:our|your|their|my|its)\s+(?:a|an|the)\s+\p{L}+", regex.IGNORECASE)


#: Words that make a sentence on their own ("Enjoy!", "Cheers!").
_INTERJECTIONS = (
    "enjoy cheers welcome thanks congratulations congrats hooray yay woohoo hello hi namaste bravo"
)
_INTERJECTIONS += (
    " finally aloha ciao salud sláinte slainte indeed absolutely surprise yes delicious yum yummy"
)
#: "Dr." splits off as a "sentence" of its own.
_TITLES = "dr mr mrs ms mx prof rev st mt jr sr"
_INTERJECTIONS += " sorry apologies oops"
_ONE_WORD_SENTENCES = frozenset(_INTERJECTIONS.split()) | frozenset(_TITLES.split())


def sentences(body: str) -> CheckResult:
    """Fails a body that stops mid-sentence, has a sentence that runs on and on, or pushes a
    sentence into "Stop by for ..."."""
    if not _english(body):
        return CheckResult("sentences", True)
    text = body.strip()
    if text and not _END.search(text):
        return CheckResult("sentences", False, f"cut off: ...{text[-30:]!r}")
    garbled = _INVITED_CLAUSE.search(text) or _OWNED_ARTICLE.search(text)
    if garbled:
        return CheckResult("sentences", False, f"garbled: {garbled.group(0)!r}")
    parts = _SENTENCE.findall(text)
    for sentence in parts:
        words = _WORD.findall(sentence)
        lone = len(parts) > 1 and len(words) == 1 and words[0].casefold() not in _ONE_WORD_SENTENCES
        if lone and not facts.claims(sentence) and not any(c.isdigit() for c in sentence):
            # "... 14:00 to 16:00. Treats!": a word left on its own, not an exclamation
            return CheckResult("sentences", False, f"a one-word fragment: {sentence.strip()!r}")
        if _DANGLING.search(sentence) and len(_WORD.findall(sentence)) > 1:
            return CheckResult("sentences", False, f"ends on a loose word: {sentence.strip()[-30:]!r}")
        size = len(_WORD.findall(sentence))
        if size > RUN_ON_WORDS:
            return CheckResult("sentences", False, f"a sentence of {size} words runs on")
    if len(_EMOJI.findall(text)) and regex.search(r"[\p{L}]\p{Extended_Pictographic}[\p{L}]", text):
        return CheckResult("sentences", False, "an emoji inside a word")
    return CheckResult("sentences", True)


_WISH = regex.compile(
    r"\b(?:happy|merry|wish\w*|greetings|blessings|cheers|season's|may (?:your|you|the)|have an? \w+|"
    r"enjoy|here's to)\b",
    regex.IGNORECASE,
)


#: An invitation to come in ("celebrate with us at <brand>", "stop by"), wrong on a day the
#: campaign says it is closed.
_INVITED_IN = regex.compile(
    r"\b(?:celebrate with us|join us|visit us|stop by|drop by|drop in|pop in|come (?:in|by|visit|and)|"
    r"see you (?:today|there|tonight))\b",
    regex.IGNORECASE,
)


def kind(body: str, post_kind: str, backing: Sequence[str], brand: str = "") -> CheckResult:
    """Fails a greeting with no wish in it ("Happy ...", "Wishing you ...", "May your ...") and a greeting or
    an announcement written as a sale (unless the campaign says so)."""
    if post_kind == "promo" or not _english(body):
        return CheckResult("kind", True)
    unnamed = body.replace(brand, " ") if brand else body  # "Happy Tails Grooming" wishes nothing
    if post_kind == "greeting" and not _WISH.search(unnamed):
        return CheckResult("kind", False, "a greeting with no wish in it")
    invited = _INVITED_IN.search(unnamed)
    closed = [b for b in backing if "state:closed" in facts.claims(b)]
    if (
        post_kind == "greeting"
        and invited
        and closed
        and not any("offer:open" in facts.claims(b) for b in backing)
    ):
        return CheckResult(
            "kind", False, f"invites people in on a day the shop is closed: {invited.group(0)!r}"
        )
    sale = _SALE.search(body)
    if sale and not any(sale.group(0).casefold() in b.casefold() for b in backing):
        article = "an" if post_kind[:1] in "aeiou" else "a"
        return CheckResult("kind", False, f"{article} {post_kind} written as a sale: {sale.group(0)!r}")
    return CheckResult("kind", True)


def spelling(body: str, own: Sequence[str] = ()) -> CheckResult:
    """Fails a word with two letters swapped ("lovley", "recieve"): not a word itself, a word
    once they are put back. The campaign's own words (brand, products, names) are left alone."""
    if not _english(body):
        return CheckResult("spelling", True)
    mine = {w.casefold() for text in own for w in _WORD.findall(text)}
    for word in dict.fromkeys(w for w in _WORD.findall(body) if w.isalpha() and w.islower() and len(w) >= 5):
        if word in mine:
            continue
        if swapped := words.unswapped(word):
            return CheckResult("spelling", False, f"misspelled: {word!r} ({swapped!r}?)")
    return CheckResult("spelling", True)
