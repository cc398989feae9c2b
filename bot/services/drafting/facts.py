"""Facts are data: what a post claims must come from the campaign, not from the model.

A *claim* is a piece of a text a reader would act on: a number, a price, a percentage, a
date, a time, a weekday, a code-like token or an offer word ("free", "off", "discount",
"new", "opening"). :func:`claims` reduces a text to normalized claims (``time:11:00``,
``pct:10``, ``code:BREW2``, ``offer:free``) so that "11am" and "11:00", or "10 %" and
"10 percent", compare equal.

Two checks use them (English; Chinese texts are checked for numbers and codes only):

- :func:`missing_facts`: a fact is *stated* when every claim in it appears in the post and
  at least two thirds of its other content words do (a third when it holds a number, date,
  time, price, code or day, which must all be there) (compared by their first five letters, so
  "mornings" matches "morning");
- :func:`unbacked`: every claim in the post must appear in the backing text (the facts, the
  brief, the holiday's names, the brand, products, hashtags and variables).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import regex

from bot.services.drafting import catalog, trimming

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
#: Names of days and months (claims the fact check judges, never names of the campaign's own).
CALENDAR_WORDS = frozenset((*_WEEKDAYS, *_MONTHS))
_MONTH_SHORT = {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100,
    "half": 0.5, "dozen": 12, "twice": 2, "double": 2,
}  # fmt: skip
#: Offer and novelty words, each mapped to the stem that backs it.
_OFFER_WORDS = {
    "free": "free", "freebie": "free", "discount": "discount", "discounts": "discount",
    "discounted": "discount", "sale": "sale", "sales": "sale", "deal": "deal", "deals": "deal",
    "save": "save", "saving": "save", "savings": "save", "new": "new", "newly": "new",
    "brand-new": "new", "open": "open", "opens": "open", "opening": "open", "opened": "open",
    "reopen": "open", "reopens": "open", "reopening": "open", "bogo": "bogo", "voucher": "voucher",
    "vouchers": "voucher", "coupon": "coupon", "coupons": "coupon", "clearance": "sale",
    "giveaway": "giveaway", "prize": "prize", "prizes": "prize", "win": "win",
}  # fmt: skip
#: Relative times a post must not invent ("this weekend", "tomorrow").
_RELATIVE = {
    "weekend": "weekend", "weekends": "weekend", "tomorrow": "tomorrow", "tonight": "tonight",
    "week": "week", "weeks": "week", "month": "month", "midnight": "time:00:00", "noon": "time:12:00",
    "today": "today", "weekday": "weekday", "weekdays": "weekday",
}  # fmt: skip
#: Words that turn a fact around: "closed on December 24" is not "open on December 24", and
#: "not this Saturday" is not "this Saturday". A fact holding one needs it in the post; a post
#: holding one needs it in the facts or the brief.
_POLARITY = {
    "closed": "state:closed", "close": "state:closed", "closes": "state:closed",
    "closing": "state:closed", "shut": "state:closed", "shuts": "state:closed",
    "shutting": "state:closed", "not": "neg:not", "never": "neg:not",
    "except": "neg:not",
}  # fmt: skip
_STOP_TEXT = """a an the and or but of to in on at for with from by as is are be our your we you us it
its this that these those all any every each per only just until till before after into over under
up out so than then there here will can may more most very also plus now get gets i me my them
their they off who whom whose which everyone everybody"""
#: Words that carry no fact (skipped when comparing a fact's words with a post's).
STOP_WORDS = frozenset(_STOP_TEXT.split())
_STOP = STOP_WORDS

_PCT = regex.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", regex.IGNORECASE)
_PRICE = regex.compile(
    r"(?:[$€£¥]\s?(\d+(?:[.,]\d{1,2})?))|(?:(\d+(?:\.\d{1,2})?)\s?(?:dollars?|euros?|pounds?|yuan|rmb|usd|eur|gbp|元|块))",
    regex.IGNORECASE,
)
_TIME = regex.compile(
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s?(a\.?m\.?|p\.?m\.?)(?![\p{L}])|\b(\d{1,2})[:](\d{2})\b",
    regex.IGNORECASE,
)
_ISO_DATE = regex.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE = regex.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
#: A month's full name or its abbreviation ("Aug." but not "August." closing a sentence, and
#: not "Marathon" or "Decorations").
_MONTH_NAME = (
    r"(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|"
    r"september|sept|sep|october|oct|november|nov|december|dec)"
)
_MONTH_DAY = regex.compile(
    rf"\b{_MONTH_NAME}(?:\s+|(?<=\b(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec))\.\s*)"
    r"(\d{1,2})(?:st|nd|rd|th)?\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}\b",
    regex.IGNORECASE,
)
_MONTH_WORD = regex.compile(
    r"\b(january|february|march|april|june|july|august|september|october|november|december)\b",
    regex.IGNORECASE,
)
_NUMBER = regex.compile(r"(?<![\p{L}])(\d+(?:[.,]\d+)?)(?:st|nd|rd|th)?(?![\p{L}\d])")
_CODE = regex.compile(r"(?<![\p{L}\p{N}])(?=[A-Z0-9]*[A-Z])[A-Z][A-Z0-9]{3,}(?![\p{L}\p{N}])")
_MIXED_CODE = regex.compile(
    r"(?<![\p{L}\p{N}])(?!\d+(?:st|nd|rd|th)(?![\p{L}\p{N}]))(?=\w*\d)(?=\w*[A-Za-z])[A-Za-z0-9]{3,}(?![\p{L}\p{N}])"
)  # "SUMMER25", not the ordinal "25th"
#: "Buy one get one" spelled out.
_BOGO = regex.compile(r"\bbuy\s+(?:one|1)\s*,?\s+get\s+(?:one|1)(?:\s+free)?\b", regex.IGNORECASE)
#: Who an offer is for: "for members", "students only", "for new patients".
_FOR_WHOM = regex.compile(
    r"\bfor\s+(?:our\s+|my\s+|all\s+)?(?:new\s+|existing\s+|returning\s+)?"
    r"(members|students|seniors|teachers|locals|subscribers|patients|customers|regulars|first-timers)\b"
    r"|\b(members|students|seniors|teachers|locals|subscribers|patients|customers)\s+only\b",
    regex.IGNORECASE,
)
_OFF = regex.compile(
    r"(?:\d\s?%?|half|price|prices|money|dollars?)\s+off\b|\boff\s+(?:your|the|all|any|every|our|everything|selected|each|orders?)\b",
    regex.IGNORECASE,
)
_WORD = regex.compile(r"[\p{L}][\p{L}'’-]*|\d+")
#: A stock lead that makes no claim ("Something new at <brand>: the bay is closed").
_LEAD = regex.compile(r"\bsomething new\b", regex.IGNORECASE)
#: "no longer answers 24/7" turns a fact around like "not".
_NO_LONGER = regex.compile(r"\bno\s+longer\b", regex.IGNORECASE)


def _num(value: str) -> str:
    """ "12", "12.00" and "12,00" are one number."""
    value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number == int(number) else str(number)


def _time(hour: str, minute: str | None, half: str | None) -> str:
    h, m = int(hour), int(minute or 0)
    if half:
        pm = half.lower().startswith("p")
        if pm and h < 12:
            h += 12
        if not pm and h == 12:
            h = 0
    return f"time:{h:02d}:{m:02d}"


def claims(text: str) -> set[str]:
    """The normalized claims a text makes (see the module docstring)."""
    return {claim for _, _, claim in claim_spans(text)}


def claim_spans(text: str) -> list[tuple[int, int, str]]:
    """Each claim of ``text`` with where it is written (start, end), in reading order."""
    found: list[tuple[int, int, str]] = []
    rest = text

    def take(pattern: regex.Pattern[str], make: object) -> None:
        nonlocal rest

        def sub(match: regex.Match[str]) -> str:
            claim = make(match)  # type: ignore[operator]
            if claim:
                found.append((match.start(), match.end(), claim))
            return " " * len(match.group(0))

        rest = pattern.sub(sub, rest)

    take(_LEAD, lambda m: None)
    take(_NO_LONGER, lambda m: "neg:not")
    take(_ISO_DATE, lambda m: f"date:{int(m.group(2))}-{int(m.group(3))}")
    take(_MONTH_DAY, _month_day)
    take(_PCT, lambda m: f"pct:{_num(m.group(1))}")
    take(_PRICE, lambda m: f"price:{_num(m.group(1) or m.group(2))}")
    take(
        _TIME,
        lambda m: (
            _time(m.group(1), m.group(2), m.group(3)) if m.group(1) else _time(m.group(4), m.group(5), None)
        ),
    )
    take(_SLASH_DATE, lambda m: f"date:{int(m.group(1))}-{int(m.group(2))}")
    take(_OFF, lambda m: "offer:off")
    take(_BOGO, lambda m: "offer:bogo")
    take(_FOR_WHOM, lambda m: f"for:{(m.group(1) or m.group(2)).lower()}")
    take(_CODE, lambda m: f"code:{m.group(0).upper()}")
    take(_MIXED_CODE, lambda m: f"code:{m.group(0).upper()}")
    take(_NUMBER, lambda m: f"num:{_num(m.group(1))}")
    take(_MONTH_WORD, lambda m: f"month:{_MONTHS.index(m.group(1).lower()) + 1}")
    for match in _WORD.finditer(rest):
        claim = _word_claim(match.group(0))
        if claim:
            found.append((match.start(), match.end(), claim))
    return sorted(found)


def day_named(word: str) -> str | None:
    """The day of the week a word names ("Saturdays" -> "saturday"), if any."""
    low = word.lower().strip("'’-")
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    day = low[:-1] if low.endswith("s") and low[:-1] in _WEEKDAYS else low
    return day if day in _WEEKDAYS else None


def _word_claim(word: str) -> str | None:
    day = day_named(word)
    if day:
        return f"day:{day}"
    low = word.lower().strip("'’-")
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    if low in _NUMBER_WORDS:
        return f"num:{_num(str(_NUMBER_WORDS[low]))}"
    if low in _OFFER_WORDS:
        return f"offer:{_OFFER_WORDS[low]}"
    if low in _POLARITY:
        return _POLARITY[low]
    if low in _RELATIVE:
        target = _RELATIVE[low]
        return target if ":" in target else f"when:{target}"
    return None


def _month_day(match: regex.Match[str]) -> str:
    if match.group(1):
        month, day = match.group(1), match.group(2)
    else:
        day, month = match.group(3), match.group(4)
    key = month.lower()[:4] if month.lower().startswith("sept") else month.lower()[:3]
    return f"date:{_MONTH_SHORT[key]}-{int(day)}"


#: Words that carry no fact of their own ("We've got a new seasonal on tap").
_NO_FACT = frozenset({"we've", "we're", "we'll", "you're", "you'll", "got", "get", "gets", "there", "here"})


def _stems(text: str, drop: Iterable[str] = ()) -> list[str]:
    skip = {d.lower() for d in drop} | _NO_FACT
    out = []
    for word in _WORD.findall(text):
        low = word.lower().strip("'’-")
        if len(low) < 3 or low in _STOP or low in skip or low.isdigit():
            continue
        if len(low) >= 4 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            low = low[:-1]  # "6 allotment plots" states "allotment plot"
        out.append(low[:5])
    return out


#: Claims a fact may hold without the post repeating them ("the new shop opens on April 6" is
#: stated by "moving ... on April 6"); they still back the post.
_SOFT_CLAIMS = frozenset({"offer:new", "offer:open"})


_SENTENCES = regex.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+(?:[.!?]+|$)")


def fact_stated(fact: str, body: str) -> bool:
    """Whether ``body`` states ``fact``: all its claims, and two thirds of its other content
    words, in one sentence or two that follow each other (words scattered over a post do not
    state it). A fact's asides in brackets and its reasons ("so the bakers can sleep") may be
    left out."""
    if regex.search(r"\p{Han}", fact):
        return _stated_in(fact, body)
    parts = [p for p in _SENTENCES.findall(_hold_titles(body)) if p.strip()]
    windows = [body] if len(parts) <= 2 else [" ".join(parts[i : i + 2]) for i in range(len(parts) - 1)]
    forms = dict.fromkeys((fact, trimming.core(fact)))
    return any(_stated_in(form, window) for form in forms if form for window in windows)


def _stated_in(fact: str, body: str) -> bool:
    if regex.search(r"\p{Han}", fact):
        return all(part in body for part in regex.findall(r"[A-Z0-9]{3,}|\d+", fact)) and (
            not regex.search(r"\p{Han}", fact) or _han_overlap(fact, body) >= 0.5
        )
    wanted = claims(fact) - _SOFT_CLAIMS
    if not wanted <= claims(body):
        return False
    words = [w for w in _stems(fact) if not _claim_word(w) and w not in _TOLD_WORDS]
    if not words:
        return True
    present = set(_stems(body))
    said = _predicate(fact)
    if said and not present & said:
        return False  # "autumn bouquets" alone does not state "autumn bouquets are in the shop"
    # A fact whose hard claims (number, date, time, price, code, day) are all there needs
    # only a third of its other words ("until 11:00" states "mornings until 11:00").
    hard = {c for c in wanted if not c.startswith(("offer:", "when:", "state:", "neg:"))}
    size = len(set(words))
    relaxed = math.ceil(size / 2) if size >= 2 else 0
    need = relaxed if hard else math.ceil(size * 2 / 3)
    return sum(w in present for w in set(words)) >= need


#: "X is/are Y": what a fact written as a sentence says of its subject.
_COPULA = regex.compile(r"\b(?:is|are)\s+(?!not\b|no\b)([^.!?;]+)", regex.IGNORECASE)


def _predicate(fact: str) -> set[str]:
    """The content words after a fact's "is"/"are" ("in the shop" of "bouquets are in the
    shop"), without claim words: a post naming only the subject has not stated the fact."""
    match = _COPULA.search(fact)
    if not match:
        return set()
    return {w for w in _stems(match.group(1)) if not _claim_word(w) and w not in _TOLD_WORDS}


#: The words that turn a reminder to the readers ("remember to ...") into a post's sentence:
#: a draft saying it another way still states it.
_TOLD_WORDS = frozenset(["remem", "forge", "don't", "wishi", "thank"])


def _claim_word(stem: str) -> bool:
    return any(
        stem == w[:5] for w in (*_WEEKDAYS, *_OFFER_WORDS, *_RELATIVE, *_NUMBER_WORDS, *_MONTHS, *_POLARITY)
    )


def _han_overlap(fact: str, body: str) -> float:
    chars = set(regex.findall(r"\p{Han}", fact))
    return sum(c in body for c in chars) / len(chars) if chars else 1.0


_REMIND = regex.compile(
    r"\b(?:remind|tell|let)\s+(?:them|people|ppl|folks|everyone|everybody|our \w+|customers|readers)\s+"
    r"(?:know\s+)?(?:that\s+)?([^.!?\n]+)",
    regex.IGNORECASE,
)
#: The same to readers named in more words: "Let pet owners know that X", "Tell moviegoers that
#: X", "Remind dog owners to X".
_AUDIENCE = r"(?:(?!not\b|never\b)[\w'’-]+\s+){1,3}?"
_TELL_WHOM = regex.compile(
    rf"\blet\s+{_AUDIENCE}know\s+(?:that\s+|about\s+)?([^.!?\n]+)"
    rf"|\btell\s+{_AUDIENCE}that\s+([^.!?\n]+)"
    rf"|\bremind\s+{_AUDIENCE}(?:that\s+|about\s+)?((?:(?:not|never)\s+)?(?:to|of)\s+[^.!?\n]+|(?<=that\s+)[^.!?\n]+)"
    rf"|\b(?:want|wants|would like|need)\s+(?:{_AUDIENCE})?to\s+know\s+(?:that\s+|about\s+)?([^.!?\n]+)"
    rf"|\b(?:post|say|write|share|mention|explain|note|add|state|point\s+out|highlight|emphasi[sz]e|stress|"
    rf"make\s+(?:it\s+)?clear)\s+(?:the\s+fact\s+)?that\s+([^.!?\n]+)"
    rf"|\bmake\s+sure\s+{_AUDIENCE}knows?\s+(?:that\s+|about\s+)?([^.!?\n]+)"
    rf"|\b(?:apologi[sz]e|say\s+sorry)\s+(?P<sorry>(?:to|for)\s+[^.!?\n]+)"
    rf"|\bsay\s+(?P<thanks>(?:a\s+)?(?:big\s+)?(?:thanks|thank\s+you)\s+for\s+[^.!?\n]+)"
    rf"|\bsay\s+((?:we|we're|we've|we'll|our|the|it's|there)\b[^.!?\n]+)"
    rf"|\b(?:mention|add|note|include|explain)\s+((?:we|we're|we've|we'll|it's|there's|there\s+is|there\s+are|"
    rf"you|you're|you'll|you\s+can|you\s+don't)\b[^.!?\n]+)"
    # "Say helmets are included", "mention the mince pies are half price": a clause after
    # "say" or "mention" that has its verb within a few words
    rf"|\b(?:say|mention)\s+(?!thanks\b|thank\b|sorry\b|something\b|anything\b)"
    rf"((?:(?!but\b|don't\b|dont\b|not\b|and\b)[\w'’-]+\s+){{1,4}}?"
    rf"(?:is|are|was|were|will|can|has|have|go|goes|get|gets|works?|stays?|runs?|opens?|closes?|starts?|"
    rf"ends?|takes?)\b[^.!?\n]+)"
    rf"|\b(?:saying|that says|to say)\s+(?:that\s+)?([^.!?\n]+)",
    regex.IGNORECASE,
)
#: A brief's sentence that is itself a greeting ("Happy Fourth from <brand>!").
_GREETING_SENTENCE = regex.compile(
    r"^\W*(?:happy|merry|wishing|season's|warm wishes|greetings|hello|hi|cheers to)\b", regex.IGNORECASE
)
_PRONOUN_START = regex.compile(r"^(?:it|it's|they|they're|this|that|these|those)\b", regex.IGNORECASE)
#: A short topic to tell about, not a statement ("Let people know our hours for the day").
_TOPIC = regex.compile(
    r"^(?:about\s+[^.!?]+|(?:our|the|your)\s+(?:[\w'’-]+\s+){0,3}[\w'’-]+)$", regex.IGNORECASE
)
_THANK = regex.compile(r"\bthank\s+them\s+for\s+(?:their\s+)?([^.!?\n]+)", regex.IGNORECASE)
#: "Thank the local growers who stock our shelves", "thank everyone who served".
_THANK_WHOM = regex.compile(
    r"\b(?:thank|thanking|thanks\s+to|(?:say\s+)?thank\s+you\s+to|say\s+thanks\s+to)\s+(?!them\s+for\b|you\b)"
    r"((?:[^.!?\n(]|\([^)\n]*\))+)",  # "(2026!!)" ends nothing
    regex.IGNORECASE,
)
#: "Congratulate all our students who passed their test" -> "congratulations to ...".
_CONGRATULATE = regex.compile(r"\bcongratulate\s+((?:[^.!?\n(]|\([^)\n]*\))+)", regex.IGNORECASE)
#: The post's own readers thanked ("Thank our readers for X"): the post thanks "you".
_THANK_READERS = regex.compile(
    r"^(?:our|all our|all of our|everyone|all)\s*(?:[\w'’-]+\s+)?for\s+((?:their|your)\s+)?(.+)$",
    regex.IGNORECASE,
)
#: "Wish our students a bright full moon", "Wish everyone a happy Labor Day".
_WISH_WHOM = regex.compile(
    rf"\bwish\s+(?:(?P<rest>the\s+rest\s+of\s+(?:you|them|our\s+[\w'’-]+))\s+"
    rf"|(?:them|you|everyone|everybody|all)\s+|our\s+{_AUDIENCE}|the\s+{_AUDIENCE}|all\s+our\s+{_AUDIENCE})"
    rf"((?:a|an|good|all\s+the|the\s+best|every|lots|plenty|safe|continued|luck|success)\b[^.!?\n]+)",
    regex.IGNORECASE,
)
#: "Introduce our new physiotherapist Tom Becker, who joins <brand> this month" -> "meet ...".
_INTRODUCE = regex.compile(r"\bintroduce\s+(?!(?:her|him|them|us|it)\b)([^.!?\n]+)", regex.IGNORECASE)
#: "Announce that X", "Write a short announcement that X: Y".
_ANNOUNCE = regex.compile(r"\bannounce(?:ment)?\s+that\s+([^.!?\n:]+)", regex.IGNORECASE)


_MENTION = regex.compile(r"\bmention\s+(?:our\s+|the\s+)?([^.!?,\n]+)", regex.IGNORECASE)


def mentions(brief: str) -> tuple[str, ...]:
    """What a brief asks the post to mention ("Mention our jasmine pearls" -> "jasmine pearls")."""
    return tuple(m.strip() for m in _MENTION.findall(brief))


#: "Write a short promotion for Spoke & Chain Cycles: puncture repair for $15, this week only."
_AFTER_COLON = regex.compile(
    r"(?:^|(?<=[.!?]\s))\s*(?:write|announce|post|share|promote)\b[^.!?\n:]*:\s*([^\n]+?)(?:[.!?](?:\s|$)|$)",
    regex.IGNORECASE,
)


#: How an instruction to the writer starts (a brief's other sentences describe the offer).
_INSTRUCTION = regex.compile(
    r"^\W*(?:write|mention|announce|remind|include|describe|highlight|emphasi[sz]e|promote|keep|make|"
    r"be|don't|do|add|note|state|say|tell|explain|invite|encourage|ask|let|thank(?!\s+you\b)|wish|use|share|"
    r"post|sound|avoid|(?:end|start|open|close)(?=\s+(?:with|by|on\s+a)\b)|sign|address|speak|focus|please|"
    r"congratulate|introduce|"
    r"nudge|push|shout(?!\s+out\s+to\b)|spread|celebrate|send|give|get|hype|apologi[sz]e|point|greet|"
    r"draft|compose|create|craft|tweet|advertise|plug|tease|aim|target|"
    r"can you|could you|would you|can u|could u|pls|plz|"
    r"you\s+(?:can|could|may)\s+(?:mention|say|add|include|use)|"
    r"(?:you\s+)?(?:don't|do\s+not|dont|no)\s+need\s+to\s+(?:mention|say|include|add|list))\b",
    regex.IGNORECASE,
)
_BRIEF_SENTENCE = regex.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+(?:[.!?]+|$)")


#: A brief's sentence that asks the readers to act ("Book by phone or online.", "Order by
#: Friday."): the post says it to them.
CALL_VERBS = (
    *("book", "order", "pre-order", "call", "phone", "ring", "email", "text", "reserve", "register"),
    *("sign up", "enrol", "enroll", "bring", "pick up", "collect", "claim", "apply", "arrive", "park"),
    *("come", "visit", "drop by", "stop by", "try", "shop"),
)
_CALL = regex.compile(
    rf"^\W*(?:(?:and|also|oh\s+and)\s+)?(?:(?:please|pls|plz)\s+)?(?:{'|'.join(CALL_VERBS)})\b(?!\s+[a-z]+ing\b)[^.!?\n]*(?![^.!?\n]*\?)",
    regex.IGNORECASE,
)


#: "Could you write something that nudges people to book early", "Encourage parents to sign up".
#: "Please give a shout out to Priya, who joins us": the post gives it ("shout out to Priya ...").
_SHOUT_OUT = regex.compile(
    r"\b(?:give|send|do)\s+(?:a\s+)?(?:big\s+|huge\s+)?(shout[- ]?out\s+to\s+[^.!?\n]+)", regex.IGNORECASE
)
#: "ask people to send us pics of their pets": the post asks them ("send us pics of your pets").
_ASK_READERS = regex.compile(
    r"\bask\s+(?:people|everyone|folks|ppl|customers|followers|them|you|our\s+[\w'’-]+)\s+to\s+([^.!?\n]+)",
    regex.IGNORECASE,
)
_THEIR_WORD = regex.compile(r"\btheir\b")
#: "celebrate our all-women team of 8 stylists" -> "celebrating our all-women team ...".
_CELEBRATE = regex.compile(r"\bcelebrate\s+((?:our|the)\s+[^.!?\n]+)", regex.IGNORECASE)
_NUDGE = regex.compile(
    rf"(?<!\b(?:don't|doesn't|do\s+not|not|never|won't|we|we'll|we\s+don't)\s+)"
    rf"\b(?:nudges?|encourages?|gets?|pushes|push|urges?|motivates?|suggest|advise|tell)\s+{_AUDIENCE}to\s+([^.!?\n]+)"
    # "maybe suggest people check with their doctor": the post suggests it
    rf"|\b(?:suggest|advise|recommend)\s+(?:that\s+)?(?:people|ppl|everyone|customers|folks|them)\s+"
    rf"(?!to\b)([a-z]+\b[^.!?\n]*)",
    regex.IGNORECASE,
)


def _to_reader(told: str) -> str:
    """What to tell the readers, as said to them: "Remind them to lock up" -> "remember to lock
    up", "Remind them of our new hours" -> "don't forget our new hours"."""
    head, _, rest = told.partition(" ")
    rest = regex.sub(r"\btheir\b", "your", rest)  # "to book their suits early" -> "your suits"
    if head.casefold() == "to" and rest:
        return f"remember to {rest}"
    if head.casefold() in ("not", "never") and rest.casefold().startswith("to "):
        warning = "please never" if head.casefold() == "never" else "please don't"
        return f"{warning} {rest[3:]}"
    if head.casefold() == "of" and rest:
        return f"don't forget {rest}"
    return told


#: Titles whose dot ends no sentence ("Announce that Dr. Priya Shah has joined ...").
_TITLE = regex.compile(r"\b(Dr|Mr|Mrs|Ms|Mx|Prof|Rev|St|Mt|Jr|Sr)\.(?=\s)")
_TITLE_DOT = "\u2024"  # ONE DOT LEADER: looks like the dot, ends nothing


def _hold_titles(text: str) -> str:
    return str(_TITLE.sub(lambda m: m.group(1) + _TITLE_DOT, text))


def _titles_back(said: Iterable[str]) -> tuple[str, ...]:
    return tuple(s.replace(_TITLE_DOT, ".") for s in said)


#: "mention the galette which we only do in january", "mention the mince pies (last batch going
#: out today)": what is said of the thing is news ("don't miss the galette, which we only do in
#: january"); a bare "mention our X" stays a ranking preference (:func:`mentions`).
_MENTION_MORE = regex.compile(
    r"\bmention\s+((?:the|our)\s+(?!fact\b)[^.!?\n(,]+?)\s*"
    r"(?:,?\s*\b(which|that|who)\s+([^.!?\n]+)|\(([^)\n]{8,})\))",
    regex.IGNORECASE,
)


def _dont_miss(match: regex.Match[str]) -> str:
    thing = match.group(1).strip()
    if match.group(2):
        return f"don't miss {thing}, {match.group(2)} {match.group(3).strip()}"
    return f"don't miss {thing}: {match.group(4).strip()}"


#: "Invite people to our group ride this weekend": the post asks them along.
_INVITE = regex.compile(
    rf"\binvite\s+(?:them|everyone|people|{_AUDIENCE})\s*to\s+((?:our|the|a|an)\s+[^.!?\n:]+)",
    regex.IGNORECASE,
)


#: An ask to the writer at the end of a clause: "..., tell people that", "..., so make it
#: welcoming", "..., also the online code thing" (a pointer to a listed fact).
_TAIL_ASK = (
    r"[\s,]*(?:(?:pls|please|plz)\s+)?(?:tell|let)\s+(?:people|everyone|folks|ppl|them|customers)"
    r"(?:\s+know)?(?:\s+(?:that|this|about\s+it))?[\s.!]*$"
    r"|\s*,?\s+so\s+(?:make|keep|be|sound|write)\b.*$"
    r"|\s*,\s*(?:also|plus|and)\s+(?:the\s+|our\s+)?(?:[\w'-]+\s+){0,3}thing\b.*$"
    r"|\s*,\s*(?:he|she|they)\s+said\s+(?:it's\s+|its\s+)?(?:ok|okay|fine|yes)\b.*$"
    # "..., don't let anyone think we are", "..., make sure folks know"
    r"|\s*,\s*(?:and\s+)?(?:don't|dont|do\s+not)\s+let\s+(?:anyone|anybody|people|ppl|folks|them|customers)\s+"
    r"(?:think|assume|believe|get\s+confused)\b.*$"
    r"|\s*,\s*(?:and\s+)?make\s+sure\s+(?:people|ppl|folks|everyone|everybody|customers)\s+(?:know|get\s+it)\b.*$"
    r"|\s*,\s*(?:(?:pls|please|plz)\s+)?(?:can|could|would)\s+(?:you|u)\s+(?:announce|post|share|mention|"
    r"say|tell|shout|put)\b[^.!]*$"
)
_TAIL_ASK_RE = regex.compile(_TAIL_ASK, regex.IGNORECASE | regex.DOTALL)
#: Where one ask of the brief ends and the next begins: "Congratulate our students who passed
#: and wish the rest of you good luck", "Thank everyone, and say we're closed Monday".
_NEXT_ASK = regex.compile(
    r"(?:\s*,\s*|\s+)(?:and|then|plus|but|&)\s+(?:also\s+)?(?:please\s+|pls\s+)?"
    r"(?:wish|say|tell|remind|thank|mention|let|invite|add|note|ask|encourage|include|congratulate|"
    r"announce|make|keep|use|avoid|don't|do\s+not|point\s+out|highlight|put)\b.*$"
    # "..., can you make that clear without making a big deal of it"
    r"|\s*,\s*(?:can|could|would)\s+(?:you|u)\b.*$"
    # "Thank everyone who queued, remind people we close at 2pm": asks run on with a comma
    r"|\s*,\s*(?:also\s+)?(?:please\s+|pls\s+)?(?:remind|tell|let(?!['’]s\b)|wish|mention|congratulate|invite)\s+"
    r"(?:them|people|everyone|everybody|folks|ppl|customers|our\b|the\b|that\b|we\b).*$"
    # "No kids after 9pm pls mention", "... - put that in", "are worth mentioning"
    r"|[\s,]*(?:(?:pls|please|plz)\s+)?(?:mention|include|add|put)\s+(?:that|this|it)(?:\s+in)?\s*$"
    r"|[\s,]+(?:pls|please|plz)\s+(?:mention|include|add)\s*$|" + _TAIL_ASK,
    regex.IGNORECASE | regex.DOTALL,
)


def _until_next_ask(text: str) -> str:
    """``text`` up to the next ask it runs into ("... passed their test and wish ..." -> "...
    passed their test")."""
    return str(_NEXT_ASK.sub("", text)).strip()


#: "they" meaning the readers: what they do or get ("if they order before December 15 they get
#: 10% off", "or they can pick up in the shop"); "they sell out" speaks of the products.
_THEY_READERS = regex.compile(
    r"\b(they|They)\b(?=\s+(?:can|could|will|should|must|may|need|needs|get|order|book|pick|come|"
    r"bring|want|have\s+to|buy|pay|save|call|sign|register|visit|shop|drop|stop|receive|spend|show|"
    r"mention|use|enter|join|try|collect|reserve|choose|don't|do\s+not|won't)\b)"
)
_THEIR = {"their": "your", "Their": "Your", "them": "you", "Them": "You", "themselves": "yourselves"}


#: The readers named as the brief names them, doing or getting something: "we'd love it if
#: people tagged us", "Each customer gets a free sapling".
_NAMED_READERS = regex.compile(
    r"\b(?:(?<=\bif\s)(?:people|everyone|folks|ppl|customers|guests|visitors)"
    r"|(?:each|every)\s+(?:customer|visitor|guest|client|shopper|member|person)(?=\s+(?:gets|receives|needs|has)\b))\b"
    r"(?:\s+(gets|receives|needs|has))?",
    regex.IGNORECASE,
)


_PLAIN_VERB = {"gets": "get", "receives": "receive", "needs": "need", "has": "have"}


def _readers(text: str) -> str:
    """The readers as the post speaks to them: "if they order ... they get" -> "if you order ...
    you get" (then "their"/"them" in it are theirs too: "your"/"you")."""
    turned = _NAMED_READERS.sub(
        lambda m: "you" + (f" {_PLAIN_VERB[m.group(1).casefold()]}" if m.group(1) else ""), text
    )
    turned = _THEY_READERS.sub(lambda m: "You" if m.group(1) == "They" else "you", turned)
    if turned == text:
        return text if text.casefold() not in ("them", "they") else "you"
    return str(regex.sub(r"\b(?:their|Their|them|Them|themselves)\b", lambda m: _THEIR[m.group(0)], turned))


_THEM = regex.compile(r"\bthem\b")


#: Two things told in one ask: "Tell people there is parking and that the buns come with us".
_AND_THAT = regex.compile(
    r",?\s+and\s+that\s+(?!(?:is|was|'s|means|makes|will|would|should|can|could)\b)", regex.IGNORECASE
)


def _as_said(text: str) -> str:
    # an ask ends where the brief's sentence turns to another thing ("...; Dr. Kim is covering")
    said = _readers(_until_next_ask(_CHATTER.sub("", _CLAUSES.split(text)[0])))
    return _unbracketed(_as_business(said).rstrip(" ,;:"))


#: An ask the owner gave in the negative: "Don't say tuning will fix an old piano" is no claim
#: to state, whatever follows "say".
_NEGATED = regex.compile(
    r"(?:\bdon't|\bdont|\bdo\s+not|\bnever|\bnot|\bno\s+need\s+to)\s+$", regex.IGNORECASE
)


def _unbracketed(said: str) -> str:
    """A statement cut out of the owner's aside made whole: a bracket it opens and never closes
    goes with what follows it ("(thinking bakeries, florists ..." -> ""), and one it closes
    but never opened goes with what comes before it when that is all it holds ("everything)"
    -> "") or alone ("thank you to the club who paid for it) so we're ..." -> "thank you to
    the club who paid for it so we're ...")."""
    depth, out = 0, list[str]()
    for char in said:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                head = "".join(out).strip()
                if len(head.split()) <= 2:
                    out = []
                continue
            depth -= 1
        out.append(char)
    text = "".join(out)
    if depth > 0:
        text = text[: text.rfind("(")] if text.count("(") > text.count(")") else text
    return str(regex.sub(r"\s{2,}", " ", text)).strip(" ,;:")


#: Words owners type without their apostrophe ("dont", "theyre"), and the curly one phones
#: insert: read as written properly, so "Dont make it too long" is the request it is.
_NO_APOSTROPHE = {
    **{
        w: w[:-1] + "'" + w[-1]
        for w in ("dont", "doesnt", "didnt", "cant", "isnt", "arent", "wasnt", "wouldnt")
    },
    **{"couldnt": "couldn't", "shouldnt": "shouldn't", "havent": "haven't", "wont": "won't"},
    **{"theyre": "they're", "youre": "you're", "thats": "that's", "theres": "there's", "whats": "what's"},
    **{"im": "I'm", "ive": "I've", "weve": "we've"},
    # the misspellings owners type most, read (and stated) as meant
    **{"definately": "definitely", "definatly": "definitely", "recieve": "receive", "seperate": "separate"},
    **{"tommorow": "tomorrow", "tomorow": "tomorrow", "untill": "until", "accomodation": "accommodation"},
    **{"occured": "occurred", "wierd": "weird", "beleive": "believe", "goverment": "government"},
    **{"alot": "a lot", "thru": "through", "alright": "all right"},
}
_APOSTROPHE_WORD = regex.compile(r"\b(" + "|".join(_NO_APOSTROPHE) + r")\b", regex.IGNORECASE)
#: "were moving", "its free" where a clause starts (after "that", a comma, a dash or the start):
#: "we're", "it's".
_CLAUSE_WERE = regex.compile(
    r"(?:(?<=^|[.!?,;:\n–—-]\s*|\bthat\s)|(?<=^\W*))\b(were|its)\b(?=\s+\w)", regex.IGNORECASE
)


#: "its" that can only be "it's": before an article, "not", a day or a word of time or state
#: ("from next week its wednesdays not thursdays", "its free").
_ITS_IS = regex.compile(
    r"\b(its)(?=\s+(?:a|an|the|not|now|free|back|open|closed|on|at|in|from|only|just|so|been|going|"
    r"here|finally|all|also|still|time|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)\b)",
    regex.IGNORECASE,
)
#: "its" before a state and an adverb can only be "it's" ("wear closed shoes its muddy down
#: there", "its packed today"); "its annual maintenance", "wags its tail" stay.
_ITS_STATE = regex.compile(
    r"\b(its)(?=\s+[a-z]+(?:y|ed|ing)\s+(?:down|up|out|over|there|here|today|tonight|now|again|outside|"
    r"inside|already|though|lol)\b)",
    regex.IGNORECASE,
)
#: The owner marking what to say: "(X, worth saying that)" says X.
_WORTH_SAYING = regex.compile(
    r",?\s*(?:(?:it's|its|it\s+is|prob(?:ably)?|def(?:initely)?)\s+)?worth\s+(?:saying|mentioning|noting|a\s+mention)"
    r"(?:\s+(?:that|this|too|as\s+well))?(?=\s*[).,;!]|\s*$)",
    regex.IGNORECASE,
)
#: A word typed twice for feeling ("sorry sorry", "very very"), said once.
_DOUBLED = regex.compile(r"\b([A-Za-z]{4,})\s+\1\b", regex.IGNORECASE)
#: "its" right after "say" or "mention" can only be "it's" ("say its good for zoom calls").
_SAY_ITS = regex.compile(r"(?<=\b(?:say|mention|add|note)\s+)its\b", regex.IGNORECASE)
#: Texting shorthand, lower case only ("while u wait", "ur dog", "~15 mins"): "U.S." stays.
_SPOKEN = {"u": "you", "ur": "your", "~": "about "}
_TEXT_SPEAK = regex.compile(r"(?<![\w.'’-])(?:u|ur)(?![\w.'’-])|~(?=\s*\d)")
#: "your" before what someone is doing ("whatever your working on"): "you're".
_YOUR_DOING = regex.compile(
    r"\b(your)(?=\s+(?:working|coming|going|looking|planning|thinking|doing|getting|heading|visiting|"
    r"passing|staying|buying|shopping|struggling|feeling|trying|hoping|wondering|reading|running|"
    r"waiting|bringing|making|knitting\s+(?:on|with))\b)",
    regex.IGNORECASE,
)


def repaired(brief: str) -> str:
    """A brief with its texting repaired for reading: curly apostrophes made straight, "dont"
    and "theyre" given their apostrophe, a clause's first "were"/"its" read as "we're"/"it's",
    and so are "its" before a day or "not" and "your" before what someone is doing."""
    text = brief.replace("\u2019", "'")
    text = _APOSTROPHE_WORD.sub(lambda m: _cased(m.group(0), _NO_APOSTROPHE[m.group(0).casefold()]), text)
    text = _CLAUSE_WERE.sub(
        lambda m: _cased(m.group(0), {"were": "we're", "its": "it's"}[m.group(0).casefold()]), text
    )
    text = _ITS_IS.sub(lambda m: _cased(m.group(0), "it's"), text)
    text = _SAY_ITS.sub("it's", text)
    text = _DOUBLED.sub(r"\1", text)  # "sorry sorry to everyone"
    text = _WORTH_SAYING.sub("", text)  # "(pressure washers can void the warranty, worth saying that)"
    text = _ITS_STATE.sub(lambda m: _cased(m.group(0), "it's"), text)
    text = _TEXT_SPEAK.sub(lambda m: _SPOKEN[m.group(0)], text)
    text = _SO_TELL.sub(" so please ", text)
    return str(_YOUR_DOING.sub(lambda m: _cased(m.group(0), "you're"), text))


def _cased(written: str, word: str) -> str:
    return word[0].upper() + word[1:] if written[:1].isupper() else word


def reminders(brief: str, *, colon: bool = True) -> tuple[str, ...]:
    """What a brief asks the post to tell its readers: "Remind them that X" -> "X", and (with
    ``colon``, for campaigns that list no facts) "Write a promotion for B: X" -> "X" and every
    sentence of the brief that is no instruction and holds a claim ("It costs $1.75 per pound.")."""
    return _titles_back(_reminders(_hold_titles(repaired(brief)), colon=colon))


def _reminders(brief: str, *, colon: bool, more: Iterable[tuple[int, str]] = ()) -> tuple[str, ...]:
    said: list[tuple[int, str]] = list(more)  # (where the brief says it, what to tell), in the brief's order
    said += [(m.start(), _to_reader(m.group(1).strip())) for m in _REMIND.finditer(brief)]
    said += [
        (
            m.start(),
            f"sorry {m.group('sorry')}"
            if m.group("sorry")
            else _to_reader(next(g for g in m.groups() if g).strip()),
        )
        for m in _TELL_WHOM.finditer(brief, overlapped=True)
    ]
    said += [(m.start(), m.group(1).strip()) for m in _ANNOUNCE.finditer(brief)]
    said += [(m.start(), f"join us for {m.group(1).strip()}") for m in _INVITE.finditer(brief)]
    said += [(m.start(), f"meet {m.group(1).strip()}") for m in _INTRODUCE.finditer(brief)]
    said += [(m.start(), f"congratulations to {m.group(1).strip()}") for m in _CONGRATULATE.finditer(brief)]
    said += [
        (
            m.start(),
            _to_reader(f"to {m.group(1).strip()}") if m.group(1) else _THEIR_WORD.sub("your", m.group(2)),
        )
        for m in _NUDGE.finditer(brief)
    ]
    said += [(m.start(), _THEIR_WORD.sub("your", m.group(1).strip())) for m in _ASK_READERS.finditer(brief)]
    said += [(m.start(), f"celebrating {m.group(1).strip()}") for m in _CELEBRATE.finditer(brief)]
    said += [(m.start(), m.group(1).strip()) for m in _SHOUT_OUT.finditer(brief)]
    said += [(m.start(), _dont_miss(m)) for m in _MENTION_MORE.finditer(brief)]
    for sentence in _BRIEF_SENTENCE.finditer(brief):
        call = _CALL.search(sentence.group(0))
        if call:  # "and pls bring your own water bottle" -> "please bring your own water bottle"
            plain = regex.sub(r"^\W*(?:(?:and|also|oh\s+and)\s+)", "", call.group(0).strip(), flags=regex.I)
            said.append((sentence.start(), regex.sub(r"^(?:pls|plz)\b", "please", plain, flags=regex.I)))
    if colon:
        said += [
            (m.start(1), m.group(1).strip())
            for m in _AFTER_COLON.finditer(brief)
            if claims(m.group(1)) or len(m.group(1).split()) >= 3
        ]
    # the brief's own statements, with or without listed facts ("Trees are in! We deliver and
    # set up for $20." beside the facts "from $45", "open daily 9-5")
    said += [(brief.find(part), part) for part in _statements(brief)]
    said = [(at, text) for at, text in said if not _NEGATED.search(brief[max(0, at - 16) : at])]
    found = list(
        dict.fromkeys(
            part
            for _, text in sorted(said, key=lambda p: p[0])
            for part in _AND_THAT.split(_as_said(text))
            if part
        )
    )
    # "we do free name labels" is said once, by the ask that holds it
    return tuple(t for t in found if not any(t != o and t.casefold() in o.casefold() for o in found))


#: How a statement of the brief starts ("There are no lessons ...", "We've got ...").
_STATEMENT_START = regex.compile(
    r"^\W*(?:the|our|we|we've|we're|we'll|there|there's|it|it's|its|all|every|each|this|these|those|"
    r"a|an|no|everyone|you|your|they|she|he|her|his)\b",
    regex.IGNORECASE,
)


#: A sentence about the post itself ("A respectful Memorial Day post from <brand>, ...", "quick
#: one from <brand>", "something festive for xmas eve").
_ABOUT_THE_POST = regex.compile(
    r"^\W*(?:(?:a|an|the|this|our)\s+)?(?:[\w'’\u2024-]+\s+){0,4}?"
    r"(?:post|greeting|message|msg|promotion|promo|announcement|tweet|update|caption)\b"
    r"|^\W*(?:a\s+)?(?:quick|short|little)\s+one\b"
    r"|^\W*(?:something|anything)\b(?!\s+new\b)"
    r"|^\W*(?:(?:we|i)\s+)?(?:want|need|looking\s+for|would\s+like|we'd\s+like)\s+(?:something|a\s+post|"
    r"a\s+message|a\s+tweet|a\s+caption|a\s+greeting)\b",
    regex.IGNORECASE,
)
#: The owner speaking for themself ("half my customers", "I need"), not news for readers.
_MINE = regex.compile(r"\b(?:I|I'm|I've|I'd|my|me|i|i'm|i've|i'd|im)\b")
#: A one-person business's news in the owner's words: "I" doing the business's work ("from
#: October I'll be coming over on the ferry", "I can only do about 8 pianos", "has joined me
#: full time", "I'm keeping the restorations"), not the owner's feelings, wishes or age.
_MY_WORK = regex.compile(
    r"\b(?:I'll|I\s+will|I\s+can(?:\s+only|\s+now|\s+also)?|I've\s+(?:just\s+)?(?:opened|moved|started|added|hired|"
    r"taken\s+on|extended|launched|got)|I'm\s+(?:off|away|closed|back|open|on\s+(?:holiday|leave))\b|"
    r"I'm\s+(?:now\s+|also\s+)?(?!hoping|thinking|wondering|trying|looking|"
    r"getting|feeling|going\s+to\s+(?:need|want))[a-z]+ing|joined\s+me|I\s+(?:now\s+)?(?:do|offer|cover|"
    r"run|open|close|work))\b(?!\s+(?:like|love|want|need|think|hope|wish|feel|guess|reckon|mean)\b)",
    regex.IGNORECASE,
)
#: The owner's first person as the business's ("I'll" -> "we'll", "me" -> "us").
_AS_WE = {
    "i'll": "we'll",
    "i'm": "we're",
    "i've": "we've",
    "i'd": "we'd",
    "i": "we",
    "me": "us",
    "my": "our",
    "myself": "ourselves",
    "i am": "we are",
    "i was": "we were",
}
_FIRST_PERSON = regex.compile(r"\b(?:I\s+am|I\s+was|I'll|I'm|I've|I'd|I|me|my|myself)\b", regex.IGNORECASE)


#: The owner's own people and life: "my father", "my nephew" are no business's.
_PERSONAL = regex.compile(
    r"\b(?:father|mother|dad|mum|mom|wife|husband|partner|son|daughter|kids|children|nephew|niece|"
    r"grand(?:father|mother|dad|ma|pa)|great\s+grand\w+|brother|sister|uncle|aunt|family|birthday|health|"
    r"diabetic|retir\w*|years\s+old|age)\b",
    regex.IGNORECASE,
)


def _as_business(text: str) -> str:
    """What the post tells, said as the business says it: the owner's "I" is the business's
    "we" ("from October I'll be coming over" -> "from October we'll be coming over", "thank you
    to all my regulars" -> "our regulars"), unless it speaks of the owner's own people or life
    ("my father is diabetic") and is no news of the business's work."""
    if not _FIRST_PERSON.search(text) or (_PERSONAL.search(text) and not _MY_WORK.search(text)):
        return text

    def we(match: regex.Match[str]) -> str:
        said = _AS_WE[regex.sub(r"\s+", " ", match.group(0).casefold())]
        first = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in ".!?"
        return said[0].upper() + said[1:] if first else said

    return str(_FIRST_PERSON.sub(we, text))


#: Where a sentence of a brief holds two things to say: "Happy new year - we're doing 2-for-1
#: games", "Tickets at the bar or online; spaces are limited".
_CLAUSES = regex.compile(
    r"\s+[-–—]+\s+|\s*;\s*|\s*\n+\s*|\s*(?:\p{Extended_Pictographic}|\p{Regional_Indicator})[\uFE0F\p{Regional_Indicator}]*\s+"
)
#: How owners start a sentence without it being part of what they say ("ok so", "just so
#: people know,", "btw").
_LEAD_IN = regex.compile(
    r"^\W*(?:(?:ok(?:ay)?\s+so|so\s+basically|basically|fyi|btw|ps|p\.s\.|also|oh\s+and|and|plus|"
    r"(?:ok(?:ay)?\s+)?(?:\d|two|three|a\s+few|couple(?:\s+of)?)\s+things|"
    r"(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly)(?=\s*[,:]|\s+(?:the|we|we're|our|it|it's|there)\b)|"
    r"(?-i:FIRST|SECOND|THIRD|LASTLY|FINALLY)|"
    r"just\s+so\s+(?:people|everyone|you|folks|ppl|customers)\s+know|heads\s+up|"
    r"(?:the\s+)?(?:main|big|key|important|best)\s+(?:selling\s+point|thing|point|bit)\s+(?:is|being)(?:\s+that)?|"
    r"(?:a\s+)?(?:big|huge|exciting|proud)\s+(?:one|day|moment|week)\s+for\s+us|"
    r"we'd\s+love\s+(?:people|everyone|folks|customers|you)\s+to\s+know(?:\s+that)?)\b[,:]?\s*)+",
    regex.IGNORECASE,
)
#: Chatter for the writer inside a sentence: "(lol)", "hint hint", "(people ask)".
_CHATTER = regex.compile(
    r"\s*\((?:lol|haha|jk|hint hint|people ask|[^)]*\b(?:I|me|my)\b[^)]*)\)"
    r"|\s*\((?:sad|happy|smiley|crying|sigh|yay|fingers\s+crossed)(?:\s+face)?\)"
    r"|\s*,?\s*\b(?:obviously|honestly|tbh|ngl|imo)\b(?=\s*(?:[.!?]|$))"
    r"|\s*\b(?:lol|haha|lmao|hint\s+hint)\b",
    regex.IGNORECASE,
)
#: A request about the post's tone or form: "Not too salesy please", "no more than 3 hashtags",
#: "Something cosy", "whatever you think sounds good".
_TONE = regex.compile(
    r"^\W*(?:(?:please|pls|and|but|maybe|just|oh)\s+)?(?:keep|make|sound|no|not|nothing|don't|do\s+not|avoid|"
    r"be|try|whatever|something|short|fun|upbeat|classy)\b[^.!?]*?"
    r"\b(?:it|short|long|fun|warm|classy|professional|upbeat|salesy|pushy|cheesy|formal|casual|tone|emojis?|"
    r"hashtags?|words?|sentences?|christmassy|romantic|tasteful|heartfelt|sweet|reassuring|simple|cosy|"
    r"cozy|punchy|sounds?|good|exciting|excited|fancy|serious|silly|cute|wordy|vibes?|much|big\s+deal)\b"
    r"|^\W*(?:not|nothing)\s+too\b"
    r"|\bbut\s+not\s+(?:too\s+|overly\s+)?(?:salesy|pushy|cheesy|corny|cringe|cringey|formal|preachy)\b"
    r"|\bif\s+you\s+can\s+(?:manage|do)\s+(?:it|that)\b"
    r"|^\W*(?:\d+|one|two|three|four|five)\s+(?:sentences?|lines?|words?|paragraphs?|emojis?|hashtags?)\s+"
    r"(?:max|maximum|tops|at\s+most|or\s+(?:less|fewer))\b",
    regex.IGNORECASE,
)
#: A festival greeting named by its festival first ("Diwali greetings to everyone").
_FESTIVAL_GREETING = regex.compile(r"\b(?:greetings|wishes|mubarak)\b", regex.IGNORECASE)
#: Words that say sorry: a brief's apology is said to the readers ("Sorry for the hassle!").
_SORRY = regex.compile(r"^\W*(?:sorry|apologies|our apologies)\b", regex.IGNORECASE)


#: The owner explaining the readers to the writer: "every year people leave it to the last
#: minute", "Patients keep asking".
_CONTEXT = regex.compile(
    r"\b(?:people|customers|patients|clients|folks|parents|guests|everyone|everybody|ppl|they)\s+"
    r"(?:always|keep|kept|often|usually|never|tend|leave|ask|asked|love|loved|panic|forget|complain|"
    r"said|want|wanted|moan|expect)\b"
    r"|^\W*(?:it\s+)?took\s+(?:us|me)\b"
    r"|\b(?:he|she|they)\s+(?:said|says)\s+(?:it's\s+|its\s+|it\s+is\s+)?(?:ok|okay|fine|yes)\b"
    # how trade is going, for the writer: "Weekday afternoons are dead quiet", "Quiet weekday
    # afternoons here"
    r"|\b(?:dead|quiet|slow|empty|struggling)\b(?![^.!?]*\d)",
    regex.IGNORECASE,
)


#: A hail to the readers, no news on its own ("Morning people!!", "Hey dog lovers").
_HAIL = regex.compile(
    r"^\W*(?:(?:good\s+)?(?:morning|evening|afternoon)|hey|hiya|yo|calling\s+all)\b(?:\s+[\w'’-]+){0,2}\W*$",
    regex.IGNORECASE,
)
#: A short question that hooks the reader ("Cracked screen?", "phone dying by 3pm??"): kept
#: with the statement that answers it. Not a question to the writer ("Can you ...?").
_HOOK = regex.compile(
    r"^\W*(?!(?:can|could|would|will|do|does|did|should|shall|may|any\s+chance|how\s+about|what\s+about|"
    r"why\s+not|maybe)\b)(?:[\w'’$£€%.:-]+\s+){0,4}[\w'’$£€%.:-]+\?+$",
    regex.IGNORECASE,
)
#: An aside in brackets that explains the readers or speaks to the writer ("(so many people
#: asked after dropping theirs in the pool)", "(not too salesy)"): no part of the news.
_OWNER_ASIDE = regex.compile(r"\s*\(([^()]*)\)")


def _without_owner_asides(text: str) -> str:
    return str(_OWNER_ASIDE.sub(lambda m: "" if _owners_aside(m.group(1)) else m.group(0), text))


#: What marks an aside as the owner's chatter: an emoji, a question, "don't ...", "obviously".
_CHATTY = regex.compile(
    r"\p{Extended_Pictographic}|\?|\b(?:don't|dont|do\s+not|obviously|rhetorical|depending|yeah|lol|haha|sorry|"
    r"we\s+were|took\s+forever)\b",
    regex.IGNORECASE,
)


def _owners_aside(aside: str) -> bool:
    """Whether an aside in brackets is the owner's, not news ("(or Braai Day, depending who you
    ask 😄)", "(the guys are getting double time, dont worry about them)"); "(with a photo!)",
    "(300 mbps)" and "(27th)" are news."""
    return bool(_CONTEXT.search(aside) or _TONE.search(aside) or _MINE.search(aside) or _CHATTY.search(aside))


#: A clause that is only a day's name ("canada day", "St. Patrick's Day").
_DAY_NAME = regex.compile(r"^\W*[\w'’.\u2024]+(?:\s+[\w'’.\u2024]+){0,2}\s+day\W*$", regex.IGNORECASE)


def _is_news(clause: str) -> bool:
    """Whether a clause of a brief is something to tell the readers, not an order to the writer,
    a question, a greeting, the owner's aside or a request about the post's tone."""
    if not clause or clause.endswith("?") or _INSTRUCTION.search(clause) or _GREETING_SENTENCE.search(clause):
        return False
    if regex.search(r"\p{Han}", clause) or _CONTEXT.search(clause):
        return False  # statements are read in English briefs; the owner's explanation is no news
    if any(ask.search(clause) for ask in _ASKS):
        return False  # "We want parents to know that X": the ask says what to tell
    if (_MINE.search(clause) and not _MY_WORK.search(clause)) or _ABOUT_THE_POST.search(clause):
        return False  # the owner to the writer: "half my customers ...", "A respectful post from ..."
    if _TONE.search(clause) or _HAIL.match(clause):
        return False  # the owner to the writer: "half my customers ...", "A respectful post from ..."
    words = _WORD.findall(clause)
    if not words or all(w.startswith("#") for w in clause.split()):
        return False
    if _HEADLINE_ONLY.fullmatch(clause):
        return False  # "Some news.": what follows is the news
    if regex.search(r"\b(?:pls|please|plz)\W*$", clause, regex.IGNORECASE) and not claims(clause):
        return False  # "spooky vibes pls": a request to the writer
    if _DAY_NAME.match(clause) and not claims(clause) and not set(_WORD.findall(clause.casefold())) & _STOP:
        return False  # "canada day!!": the day's name, not news
    if catalog.mentioned_festivals(clause) and (_FESTIVAL_GREETING.search(clause) or len(words) <= 4):
        return False  # "Diwali greetings to everyone", "Afternoon tea week"
    return len(words) >= 2 or bool(_SORRY.search(clause) or claims(clause))


#: A sentence that only says news follows ("Some news.", "Big update!").
_HEADLINE_ONLY = regex.compile(
    r"\W*(?:(?:some|big|exciting|great|good|quick|little|small|fun|happy|sad)\s+)?(?:news|update|announcement)\W*",
    regex.IGNORECASE,
)


#: The asks :func:`_reminders` reads; a clause holding one is not also a statement.
_ASKS: tuple[regex.Pattern[str], ...] = (_REMIND, _TELL_WHOM, _THANK_WHOM, _THANK, _NUDGE, _ASK_READERS)
_ASKS += (_CELEBRATE, _INVITE, _INTRODUCE, _CONGRATULATE, _ANNOUNCE, _SHOUT_OUT)


#: A request about the post's tone or form, whose next sentence may say why ("can you make it
#: sound fun and not scary?? some of the little ones get very nervous").
_TONE_REQUEST = regex.compile(
    r"^\W*(?:(?:can|could|would|will)\s+(?:you|u)\s+|please\s+|pls\s+)?(?:make|keep)\s+it\b[^.!]*[.!?]*$"
    r"|^\W*(?:can|could|would)\s+(?:you|u)\s+(?:make|keep)\b[^.!]*\?+$",
    regex.IGNORECASE,
)


#: A headline that opens the news ("New this winter - you'll get a text", "Just in: ...").
_NEWS_LEAD_TEXT = (
    r"(?:(?:brand\s+new|new|something\s+new|just\s+in|coming\s+soon|back\s+by\s+popular\s+demand|now\s+open)"
    r"(?:\s+(?:this|for|in|at)\s+[\w'’-]+(?:\s+[\w'’-]+)?)?"
    # whom the news is for: "For my customers in Gozo - from October ..."
    r"|(?:for|to|calling)\s+(?:all\s+)?(?:my|our)\s+(?:customers|clients|members|regulars|students|patients|"
    r"families|neighbours|neighbors|friends)(?:\s+(?:in|on|at|from|of)\s+[\w'’-]+(?:\s+[\w'’-]+)?)?)"
)
_AUDIENCE_LEAD = regex.compile(r"^\W*(?:for|to|calling)\s", regex.IGNORECASE)
_NEWS_LEAD = regex.compile(rf"^\W*{_NEWS_LEAD_TEXT}\W*$", regex.IGNORECASE)
_NEWS_LEAD_DASH = regex.compile(rf"^(\W*{_NEWS_LEAD_TEXT})\s+[-–—]+\s+", regex.IGNORECASE)
#: An ask to the readers inside a statement ("... at 4:45am so tell ppl to be early").
_SO_TELL = regex.compile(
    r",?\s+so\s+(?:tell|remind|ask)\s+(?:people|ppl|folks|everyone|everybody|them|customers)\s+to\s+",
    regex.IGNORECASE,
)
#: What the business did before, said to set off what it does now: the post says the now.
_PAST_THEN_NOW = regex.compile(
    r"^\W*(?:last\s+(?:year|time|season|month|week)|previously|in\s+the\s+past)\b[^,;]*,\s*(?:but\s+)?"
    r"(?=(?:this\s+(?:year|time|season|month|week)|now)\b)",
    regex.IGNORECASE,
)
#: What follows from the owner's explanation ("i run this by myself so turnaround is 2 days").
_SO_THEN = regex.compile(r"[,\s]+so\s+(?!(?:make|keep|be|sound|write|please|pls)\b)(\S.*)$", regex.IGNORECASE)


def _owners(clause: str) -> bool:
    """Whether a clause is the owner explaining things to the writer ("they always sell out")."""
    return bool(_CONTEXT.search(clause) or _MINE.search(clause))


def _statements(brief: str) -> list[str]:
    """The brief's own statements: every sentence, or part of one between dashes or semicolons,
    that is no instruction, question, greeting, aside or tone request ("There are no lessons
    on Thanksgiving Day or the day after.", "Tickets at the bar or online; spaces are
    limited."), both halves of one with a colon ("We've got a new seasonal on tap at <brand>:
    Ember Road, a smoked amber ale")."""
    out: list[str] = []
    hook = ""  # a question that hooks the reader, said with the next sentence's first statement
    reason_may_follow = False  # after "can you make it sound fun??", the owner's reason for it
    for sentence in _BRIEF_SENTENCE.findall(brief):
        asked, hook = hook, ""
        question = _CHATTER.sub("", _LEAD_IN.sub("", sentence)).strip()
        if _HOOK.match(question) and not _MINE.search(question):
            hook = regex.sub(r"\?+$", "?", question)
            continue
        after_request, reason_may_follow = reason_may_follow, bool(_TONE_REQUEST.search(question))
        if after_request and not claims(question) - _SOFT_CLAIMS and not _STATEMENT_START.match(question):
            continue  # "some of the little ones get very nervous": why, not news
        for clause in _CLAUSES.split(_NEWS_LEAD_DASH.sub(r"\1: ", sentence.strip())):
            text = _TAIL_ASK_RE.sub("", _CHATTER.sub("", _LEAD_IN.sub("", _without_owner_asides(clause))))
            text = text.strip(" ,").rstrip(".!✨ ").strip()
            text = _PAST_THEN_NOW.sub("", text)  # "last year we did 30% off, this year it's 20%"
            parts = regex.split(r":\s+", text)
            then = _SO_THEN.search(text)
            if (
                then
                and _owners(text[: then.start()])
                and (claims(then[1]) - _SOFT_CLAIMS or _CALL.match(then[1]))
            ):
                out.append(then[1].strip())  # "they always sell out so book early": "book early"
                continue
            if not _is_news(text):
                # "Labor Day post from <brand>: a thank-you to everyone who ..." says what to
                # tell after describing the post
                described = len(parts) > 1 and _ABOUT_THE_POST.search(parts[0])
                if not described or _INSTRUCTION.search(parts[0]):
                    continue
                parts = ["", *parts[1:]]
            for i, part in enumerate(parts):
                if not part:
                    continue
                # "Big news for painters: <brand> now does X" is news after its colon; before
                # it, a lead unless it states something itself
                lead = i == 0 and len(parts) > 1
                if lead and _NEWS_LEAD.match(part):
                    # "New this winter: you'll get a text ...", "For my customers in Gozo, from ..."
                    joint = ", " if _AUDIENCE_LEAD.match(part) else ": "
                    parts[1] = f"{part}{joint}{parts[1]}"
                    continue
                if lead and not (_STATEMENT_START.search(part) or claims(part) - _SOFT_CLAIMS):
                    continue
                if _is_news(part) or (i > 0 and part):
                    said = part.strip()
                    out.append(f"{asked} {said[0].upper()}{said[1:]}" if asked else said)
                    asked = ""
    return out


def implied(brief: str, *, colon: bool = True) -> tuple[str, ...]:
    """Facts a brief states as instructions: reminders and thanks to give. (Things to
    "mention" stay a ranking preference: curated templates cannot know them.)"""
    brief = _hold_titles(repaired(brief))
    thanks = [
        *((m.start(), f"thanks for your {m.group(1).strip()}") for m in _THANK.finditer(brief)),
        *((m.start(), _thank(_as_said(m.group(1).strip()))) for m in _THANK_WHOM.finditer(brief)),
    ]
    # "Wish everyone a happy New Year" is the greeting itself, not something more to say
    wishes = [
        (m.start(), f"wishing {_THEM.sub('you', m.group('rest') or 'you')} {m.group(2).strip()}")
        for m in _WISH_WHOM.finditer(brief)
        if not _only_the_greeting(m.group(2))
    ]
    return _titles_back(_reminders(brief, colon=colon, more=(*thanks, *wishes)))


_PLAIN_WISH = frozenset(
    {"a", "an", "the", "happy", "merry", "very", "joyful", "joyous", "and", "to", "you", "all"}
)


def _only_the_greeting(wish: str) -> bool:
    """ "a happy New Year" is the greeting itself; "a cosy, well-fed Christmas" says more."""
    wish = _until_next_ask(regex.sub(r"\s+from\s+.*$", "", wish))  # "... from <brand>" signs it
    named = catalog.mentioned_festivals(wish)
    if not named:
        return False
    rest = wish
    for name in named.values():
        rest = rest.replace(name, " ")
    return all(w.casefold() in _PLAIN_WISH for w in _WORD.findall(rest))


def _thank(whom: str) -> str:
    """ "our readers for a wonderful year" -> "thank you for a wonderful year"; a third party
    stays named ("the local growers who stock our shelves")."""
    readers = _THANK_READERS.match(whom)
    if readers:
        return f"thank you for {'your ' if readers.group(1) else ''}{readers.group(2)}"
    return f"thank you to {whom}"


def _it_is(said: str, subject: str) -> str:
    """ "it's open at <brand>" -> "the listening booth is open at <brand>", "it books up fast"
    -> "the sunset paddle tour books up fast"."""
    if not subject:
        return said
    said = regex.sub(r"^(?:it's|it is)\b", f"the {subject} is", said, flags=regex.IGNORECASE)
    return str(_IT_DOES.sub(f"the {subject} ", said))


#: "it" and a verb of its own ("it books up fast", "it can be collected"): the product does it.
_IT_DOES = regex.compile(
    r"^it\s+(?=(?:[a-z]+[^s\W]s|can|will|won't|may|might|must|should|has)\b)", regex.IGNORECASE
)


#: An order naming what the post is about: "can u write something about the new podcast
#: studio??", "do a quick post on our winter menu", "announce the new loyalty card".
_ORDER_TOPIC = regex.compile(
    r"\b(?:(?:write|do|make|post|put\s+together|need|want)\s+(?:up\s+)?(?:something|a\s+(?:quick\s+|"
    r"short\s+|little\s+|small\s+|nice\s+)?(?:post|note|announcement|promo|update|shout-?\s?out|piece|"
    r"tweet|thing))\s+(?:about|on|for|announcing|introducing)|(?:post|talk|tell\s+(?:\w+\s+)?)about|announce|"
    r"introduce|spread\s+the\s+word\s+(?:about|on))\s+((?:the|our|my)\s+[^.!?,;:\n()]+)",
    regex.IGNORECASE,
)
#: Where a topic's noun phrase ends: a joining word or a clause of its own.
_TOPIC_END = regex.compile(
    r"\s+(?:and|but|to|for|with|because|so|that|which|who|if|when|as|since|now|today|this|next|"
    r"please|pls|plz|lol|it|it's|is|are|was|were|will|we|we're|i|you)\b.*$",
    regex.IGNORECASE,
)


def topic(brief: str) -> str:
    """What an order to the writer says the post is about ("can u write something about the
    new podcast studio??" -> "the new podcast studio"), "" when no order names it. "our"/"my"
    become "the": the lead names the brand."""
    match = _ORDER_TOPIC.search(repaired(brief))
    if not match:
        return ""
    phrase = _TOPIC_END.sub("", match.group(1)).strip(" -'\"")
    words = phrase.split()
    if not 2 <= len(words) <= 6:
        return ""
    first = "the" if words[0].casefold() in ("our", "my") else words[0].lower()
    return " ".join((first, *words[1:]))


def unsigned(fact: str, brand: str) -> str:
    """A statement without the brand signing it ("wishing you a happy holiday from <brand>,
    the studio is closed today"): every composed draft names the brand in its lead. "" for a
    statement that is only the sign-off."""
    if not brand:
        return fact
    signed = regex.compile(
        r"(?:^|\s+)from\s+(?:(?:all\s+of\s+us|everyone|the\s+(?:whole\s+)?(?:team|crew|gang))\s+at\s+)?"
        + regex.escape(brand)
        + r"\b",
        regex.IGNORECASE,
    )
    found = signed.search(fact)
    if found and found.start() == 0 and fact[found.end() :].lstrip().startswith(","):
        return ""  # "From all of us at <brand>, the voice of Adabraka": the sign-off alone
    unsigned = signed.sub("", fact).strip()
    return unsigned if len(unsigned.split()) >= 2 else fact


def subject(brief: str) -> str:
    """The :func:`topic` without its "the" ("new podcast studio"): what "it" is in the brief
    ("say its good for zoom interviews" -> "the new podcast studio is good for ...")."""
    return str(regex.sub(r"^the\s+", "", topic(brief)))


def told(
    brief: str, listed: Sequence[str], *, thanks: bool = True, subject: str = "", required: Sequence[str] = ()
) -> tuple[str, ...]:
    """What the brief asks to tell that the listed facts do not already say ("Remind them we are
    closed on the holiday" beside the fact "closed all day on July 4" says nothing new)."""
    brief = repaired(brief)
    asked = implied(brief, colon=not listed) if thanks else reminders(brief, colon=not listed)
    said = " ".join(asked).casefold()
    unsaid = [w for w in required if w.casefold() not in said]
    if listed and unsaid:  # "We're teaming up with Second Chance Cat Rescue", a required name
        named = [
            p for p in _statements(_hold_titles(brief)) if any(w.casefold() in p.casefold() for w in unsaid)
        ]
        asked = (*asked, *_titles_back(named))
    if listed:  # "our hours for the day": the listed facts say them
        asked = tuple(r for r in asked if not (_TOPIC.match(r) and not claims(r) - _SOFT_CLAIMS))
    # "post that it's open": what "it" is was said before: the campaign's product, or the
    # sentence cannot stand alone ("It costs $89" still says its price)
    asked = tuple(_it_is(r, subject) for r in asked)
    asked = tuple(r for r in asked if not (_PRONOUN_START.match(r) and not claims(r) - _SOFT_CLAIMS))
    # "3 new vans in April" is more news beside the fact "the new vans can be booked from 1 Feb"
    # ... unless it holds a date, time or number no fact holds ("We're going to ride in the
    # evenings too, starting Monday 5 October" beside "evening deliveries Monday to Friday")
    listed_dates = {c for f in listed for c in _calendar(f)}
    return tuple(
        r
        for r in asked
        if not listed or not repeats_facts(r, listed, soft=False) or _calendar(r) - listed_dates
    )


def _calendar(text: str) -> set[str]:
    """The dates, times and months ``text`` names, each date also as its month ("October 15"
    names October): what makes the brief's news more than a listed fact says."""
    found = {c for c in claims(text) if c.split(":")[0] in ("date", "time", "month")}
    return found | {f"month:{c[5:].split('-')[0]}" for c in found if c.startswith("date:")}


def repeats_facts(sentence: str, facts: Sequence[str], *, soft: bool = True) -> bool:
    """Whether a sentence already says part of a fact (a claim of it, or half its words); with
    ``soft=False`` a shared "new" or "open", or a bare number ("ages 4 to 7" beside "4 classes a
    month"), alone is no repeat."""
    said = (
        claims(sentence) if soft else {c for c in claims(sentence) - _SOFT_CLAIMS if not c.startswith("num:")}
    )
    words = set(_stems(sentence))
    for fact in facts:
        if said & claims(fact):
            return True
        wanted = {w for w in _stems(fact) if not _claim_word(w)}
        # half its words, and more than one ("Announce that turkey orders are open" says more
        # than the fact "order by December 12")
        common = len(wanted & words)
        if wanted and common >= 2 and common * 2 >= len(wanted):
            return True
    return False


def missing_facts(body: str, facts: Sequence[str]) -> list[str]:
    """The facts ``body`` does not state."""
    return [f for f in facts if f.strip() and not fact_stated(f, body)]


def unbacked(body: str, backing: Sequence[str]) -> list[str]:
    """Claims in ``body`` that no backing text makes, in a readable form (sorted)."""
    backed: set[str] = set()
    for text in backing:
        if text:
            backed |= claims(text)
    backed_words = {w.lower() for text in backing for w in _WORD.findall(text or "")}
    out = []
    for claim in sorted(claims(body) - backed):
        kind, _, value = claim.partition(":")
        if kind == "offer" and value in backed_words:
            continue
        if kind == "code" and value.lower() in backed_words:
            continue  # a word of the brand or brief written in capitals
        out.append(claim)
    out += [f"offer:{word} {thing}" for word, thing in _offers_moved(body, backing)]
    return out


#: "new patients" backs "new patients", not "New days"; "free delivery" not "a free cup".
_ATTACHED = regex.compile(r"\b(new|free)\s+([\p{L}][\p{L}'’-]*)", regex.IGNORECASE)


def _offers_moved(body: str, backing: Sequence[str]) -> list[tuple[str, str]]:
    """Offer words the backing gives to one thing and the post to another: the thing after
    "new"/"free" in the post must share a backing text with that word."""
    moved = []
    for match in _ATTACHED.finditer(body):
        word, thing = match.group(1).casefold(), match.group(2)
        stem = thing.casefold()[:5]
        if thing.casefold() in _STOP or stem in {w[:5] for w in _OFFER_WORDS}:
            continue
        holders = [t for t in backing if t and regex.search(rf"\b{word}\b", t, regex.IGNORECASE)]
        if holders and not any(stem in {w.casefold()[:5] for w in _WORD.findall(t)} for t in holders):
            moved.append((word, thing))
    return moved


def describe(claim: str) -> str:
    """``pct:10`` -> ``10%``, for messages a reviewer reads."""
    kind, _, value = claim.partition(":")
    return {
        "pct": f"{value}%",
        "price": f"price {value}",
        "time": f"time {value}",
        "date": f"date {value}",
        "day": value.capitalize(),
        "month": f"month {value}",
        "code": f"code {value}",
        "offer": f"offer word {value!r}",
        "when": value,
        "num": value,
        "state": value,
        "neg": "a 'not'",
        "for": f"only for {value}",
    }.get(kind, claim)
