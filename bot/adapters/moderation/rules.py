"""The ``rules`` scorer: curated patterns for what word lists and classifiers miss in a promo.

A short clause added to an ordinary promotion ("No immigrants.", "Gypsies not welcome.",
"Women can't bake anyway.", "We know where you live.") has no insult or swear word in it and
reads, to an embedding of the whole post, mostly like the promotion. These patterns look for
the three classes directly, in English and Chinese:

- ``exclusion``: a group of people is turned away: "no X", "no X served/allowed/please",
  "X not welcome/allowed", "X need not apply", "X keep out", "X should stay home/go back",
  "we don't serve/allow/hire X", "go back to your own country", 不欢迎X, X禁止入内.
- ``demeaning``: a generalisation that puts a group down: "X are lazy/dirty/criminals",
  "X can't <verb>" (but not "can't resist", "can't get enough", "can't wait"...),
  "X belong in the kitchen", "never trust a X", X都是骗子, 女人不会做生意.
- ``threat``: intimidation with or without a group: "we know where you live", "we'll find
  (out where) you (live)", "we will hunt you down", "watch your back", "would be a shame if
  something happened", "delete that review or ...", 我们知道你住在哪, 你给我等着.

``X`` is a group from the lists below: protected characteristics (race, ethnicity,
nationality, religion, sex, gender identity, sexual orientation, disability, age of adults)
and groups commonly targeted in shops' signs (travellers, Roma, fat people, poor or homeless
people). Generic words stay out: "no queues", "no booking needed", "dogs welcome",
"members only", "adults only" and "kids eat free" match nothing.

Two strengths, reported as the label's score:

- ``STRONG`` (1.0): over the default threshold, the text is flagged.
- ``WEAK`` (0.4): under the flag threshold but over the *review* threshold
  (:data:`bot.services.moderation.REVIEW_THRESHOLDS`): the text passes for a person to
  approve, but ``approval = "auto"`` never approves it by itself. Weak are:
  - children and students ("kids not allowed on the wheel", "no under-18s",
    "children must be accompanied"): age limits for safety, alcohol or quiet are routine and
    lawful; a person decides;
  - "you'll regret it", "you'll be sorry", "you'll pay for it", "lock your doors",
    "we have your address": marketing pressure or safety advice as often as a threat. With a
    review, complaint or report anywhere in the text ("post a bad review and you'll regret
    it") they are strong.

Matching runs on the normalised text (:mod:`bot.adapters.moderation.normalise`: case,
accents, look-alike letters, leetspeak, contractions), with commas, colons and sentence ends
as clause breaks. :meth:`RulesScorer.explain` names the rule and the words that matched.

What it does not do: other languages than English and Chinese (they score 0 here and rely
on the semantic scorer), sarcasm, or a group it does not list; add them to the lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.moderation.normalise import BREAK, fold, normalise
from bot.domain.ports import ScorerBackend

EXCLUSION = "exclusion"
DEMEANING = "demeaning"
THREAT = "threat"
LABELS = (EXCLUSION, DEMEANING, THREAT)
STRONG = 1.0
WEAK = 0.4
#: Bump when a list or a pattern changes: the version names the rules in every audit record.
VERSION = "rules 1 (en, zh)"


def _words(*parts: str) -> str:
    """An alternation of space-separated words or ``a_b`` phrases, longest first."""
    items = {w.replace("_", " ") for part in parts for w in part.split()}
    return "(?:" + "|".join(re.escape(w) for w in sorted(items, key=lambda w: (-len(w), w))) + ")"


# --- English groups -------------------------------------------------------------------------
#: Nouns naming a group by itself (plural, and singular where it is not a common word).
_GROUP_NOUNS = _words(
    # origin, nationality, ethnicity
    "immigrant immigrants migrant migrants refugee refugees asylum_seekers foreigner foreigners",
    "gypsy gypsies gipsy gipsies traveller travellers traveler travelers roma romani romanies",
    "blacks negroes asians africans arabs mexicans latinos latinas hispanics indians pakistanis",
    "poles romanians albanians bulgarians nigerians somalis syrians afghans turks kurds",
    "jews muslims moslems christians catholics protestants hindus sikhs buddhists atheists mormons",
    # sex, gender, orientation
    "women men girls boys ladies females males feminists",
    "gays lesbians homosexuals bisexuals queers transsexuals transgenders",
    # disability, body, age (adults), class
    "cripples fatties fatsos pensioners boomers",
)
#: Words that name a group only before a people noun ("fat people", "black customers").
_GROUP_ADJECTIVES = _words(
    "black white brown asian african arab chinese japanese korean vietnamese indian pakistani",
    "mexican polish romanian irish eastern_european foreign immigrant migrant roma gypsy",
    "jewish muslim christian catholic hindu sikh",
    "gay lesbian bi bisexual queer trans transgender",
    "disabled handicapped blind deaf autistic mentally_ill",
    "fat obese overweight ugly old older elderly poor homeless",
)
#: The people nouns that make a group of an adjective.
_PEOPLE = _words(
    "people persons person folk folks men women man woman guys girls boys lads ladies",
    "customers customer guests families couples kids children students workers neighbours mums moms",
)
#: Adjectives that name a group with ``the`` ("the disabled", "the elderly").
_THE_GROUP = "the " + _words("disabled handicapped elderly poor homeless blind deaf old")
#: Nationality words that are also the people's plural ("no Irish", "the Chinese are ..."):
#: a group only at the end of a clause or before a verb ("Chinese food" is not one).
_NATIONALS = (
    _words("irish chinese japanese vietnamese lebanese portuguese")
    + r"(?= (?:are|is|were|cant|cannot|should|must|need|not|never|keep|stay|go|get|belong|ruin|steal)"
    + rf"(?![a-z])| {re.escape(BREAK)}|$)"
)

GROUP = rf"(?:(?:{_GROUP_ADJECTIVES}) {_PEOPLE}|{_THE_GROUP}|{_GROUP_NOUNS}|{_NATIONALS})"
#: Children and students: held for a person, never flagged (see the module docstring).
WEAK_GROUP = (
    rf"(?:{_words('kids children child schoolchildren teens teenagers toddlers babies students')}"
    r"|under [\di]+s?(?: year olds)?)"
)

# --- English patterns -----------------------------------------------------------------------
_END = rf"(?= {re.escape(BREAK)}|$)"
_TURNED_AWAY = _words(
    "allowed served welcome wanted admitted permitted accepted tolerated please here inside thanks",
    "thank_you need_apply on_the_premises past_this_point in_here",
)
_NOT = r"(?:not|never|no longer|nt|arent|isnt)"
_AWAY = (
    rf"(?:(?:are |is )?{_NOT} (?:welcome|allowed|permitted|served|wanted|admitted|tolerated|accepted)"
    r"|(?:are |is )?(?:unwelcome|banned|barred|forbidden)"
    r"|need not apply|neednt apply"
    rf"|(?:keep out|stay out|stay away|stay home|go home|go back|get out|piss off|out){_END}"
    r"|(?:should|must|need to|had better|better|ought to) (?:stay|keep|go|get|be|remain) "
    r"(?:at home|home|away|out|back|indoors|inside|in the kitchen|gone|banned|deported|removed"
    r"|kicked out|thrown out|locked up|ashamed|punished|sterilised|sterilized|eliminated|shot)"
    r"|(?:should|must) (?:not |never )?be (?:allowed|let in|served|welcome)"
    r"|(?:shouldnt|mustnt) be (?:allowed|let in|served|welcome)"
    r"|(?:dont|do not|does not|doesnt) belong"
    r"|have no place)"
)
_REFUSE = (
    r"(?:dont|do not|wont|will not|never|refuse to|cannot|cant|no longer) "
    r"(?:serve|allow|admit|accept|welcome|want|hire|employ|sell to|rent to|cater for|cater to"
    r"|deliver to|let in|tolerate)"
)
_BAD = _words(
    "lazy stupid dumb thick dirty filthy smelly disgusting gross useless worthless inferior subhuman",
    "evil criminals criminal thieves thieving rapists terrorists animals savages vermin parasites",
    "leeches scum trash rubbish garbage pigs monkeys apes cockroaches rats freaks perverts",
    "liars cheats greedy violent illegals illegal backward primitive pathetic hysterical",
    "a_plague a_disease a_burden a_drain the_problem the_enemy a_joke good_for_nothing not_human",
    "ruining destroying invading taking_over",
)
_BAD_AT = r"(?:bad|terrible|hopeless|useless|rubbish|worse|awful) at"
#: What "X can't ..." may go on with without putting X down ("kids can't resist our muffins").
_CANT_OK = _words(
    "resist get_enough stop wait believe beat miss go_wrong help say_no get_over live_without",
    "keep_away keep_their_hands_off stop_talking stop_smiling choose decide pick seem",
)
_CANT = r"(?:cant|cannot|can not|couldnt|dont know how to|never learn to|will never be able to)"
_INTENSIFIER = r"(?:(?:all|so|just|really|always|too|such|very|basically|naturally|simply|born|mostly) )*"


@dataclass(frozen=True)
class Rule:
    """One pattern: what it finds, the label it scores and how strongly."""

    name: str
    label: str
    pattern: re.Pattern[str]
    strength: float = STRONG


def _en(name: str, label: str, pattern: str, strength: float = STRONG) -> Rule:
    return Rule(name, label, re.compile(r"(?<![a-z0-9])" + pattern + r"(?![a-z0-9])"), strength)


def _group_rules(suffix: str, group: str, strength: float) -> list[Rule]:
    """The exclusion and demeaning patterns for one kind of group."""
    return [
        _en(
            f"no X{suffix}", EXCLUSION, rf"no (?:more )?{group}(?: {_TURNED_AWAY}|{_END}| no | or )", strength
        ),
        _en(f"X not welcome{suffix}", EXCLUSION, rf"{group} {_AWAY}", strength),
        _en(f"we don't serve X{suffix}", EXCLUSION, rf"{_REFUSE} (?:any |the )?{group}", strength),
        _en(
            f"except X{suffix}",
            EXCLUSION,
            rf"(?:except|apart from|but not|excluding) (?:for )?{group}",
            strength,
        ),
        _en(
            f"X-free{suffix}",
            EXCLUSION,
            rf"{group} free (?:zone|area|shop|venue|place|{re.escape(BREAK)})",
            strength,
        ),
        _en(
            f"X are <bad>{suffix}",
            DEMEANING,
            rf"{group} (?:are|r|is|were) {_INTENSIFIER}(?:{_BAD}|{_BAD_AT})",
            strength,
        ),
        _en(f"X can't ...{suffix}", DEMEANING, rf"{group} {_CANT} (?!{_CANT_OK}(?![a-z]))[a-z]+", strength),
        _en(
            f"X belong in ...{suffix}",
            DEMEANING,
            rf"{group} (?:belong|belongs|should stay|should be) (?:in|at) (?:the )?"
            r"(?:kitchen|zoo|cage|jail|prison"
            r"|gutter|back)|"
            rf"{group} (?:should )?know (?:their|its) place",
            strength,
        ),
        _en(
            f"never trust X{suffix}",
            DEMEANING,
            rf"(?:never|dont|do not|cant|cannot) trust (?:a |an |any )?{group}",
            strength,
        ),
        _en(
            f"X ruin ...{suffix}",
            DEMEANING,
            rf"{group} (?:ruin|ruined|ruins|spoil|spoils|stink|smell|steal|steals)",
            strength,
        ),
    ]


_KNOW = (
    r"(?:we|i|they|someone|somebody|people)(?: all)?"
    r"(?: will| can| are going to| gonna| are gonna| have| already| do)?"
    r" (?:know|know exactly|find|find out|found|found out|figured out)"
)
_WHERE = (
    r"(?:where (?:you|your \w+) (?:live|lives|sleep|sleeps|work|works|park|parks|go to school|goes to school)"
    r"|where your (?:house|home|family|kids|children|wife|husband|car|shop|mum|mom|mother|daughter|son)"
    r" (?:is|are|lives|live|goes|go|stays|parks|sleeps)"
    r"|your (?:home )?address|your (?:kids|children) school)"
)
#: Words that turn marketing pressure ("you'll regret it") into a threat: a review, a complaint.
_GRIEVANCE = re.compile(
    r"(?<![a-z])(?:review|reviews|reviewing|reviewed|complain|complains|complaining|complaint|complaints"
    r"|report|reporting|reported|cross us|crossing us|mess with|messing with|one star|1 star|snitch|police"
    r"|tell anyone|talk to anyone|\d star)(?![a-z])"
)

EN_RULES: tuple[Rule, ...] = (
    *_group_rules("", GROUP, STRONG),
    *_group_rules(" (children)", WEAK_GROUP, WEAK),
    _en(
        "go back to your country",
        EXCLUSION,
        r"(?:go|get|send \w+|sent \w+) back (?:to )?"
        r"(?:(?:your|their) (?:own )?country|where (?:you|they) (?:came|come) from)",
    ),
    _en("whites only", EXCLUSION, r"(?<!egg )(?:whites|white people|blacks|black people) only"),
    _en("we know where you live", THREAT, rf"{_KNOW} {_WHERE}"),
    _en("we have your address", THREAT, r"(?:have|got|has) your (?:home )?address", WEAK),
    _en(
        "we'll find you",
        THREAT,
        r"(?:we|i|they)(?: will| are going to| gonna| are gonna| am gonna| shall| will soon)? "
        r"(?:find|come for|come after|deal with) you"
        rf"(?:{_END}| wherever| if | when | soon| tonight| one day| and )",
    ),
    _en("hunt you down", THREAT, r"(?:hunt|track) (?:you|them|him|her) down"),
    _en(
        "you'll regret it",
        THREAT,
        r"you(?: will| are going to| gonna| are gonna)? "
        r"(?:regret (?:it|this|that|crossing|messing|complaining|"
        r"the day|ever)|be sorry|pay for (?:it|this|that))",
        WEAK,
    ),
    _en(
        "watch your back",
        THREAT,
        rf"(?:watch your back|watch yourself|make you pay|or else|(?:we are|i am|were) watching you){_END}"
        r"|sleep with one eye open|make you suffer"
        r"|(?:a|be a|would be a) shame if (?:something|anything|someone) (?:happened|happens|were to)"
        r"|something (?:bad )?(?:might|could|will|is going to) happen to (?:you|it|your)",
    ),
    _en(
        "lock your doors",
        THREAT,
        r"lock your doors|think twice before|you have been warned|youve been warned"
        r"|last warning|final warning"
        rf"|make you regret|accidents happen|(?:you will be|you are) next{_END}",
        WEAK,
    ),
    _en(
        "delete that review or",
        THREAT,
        r"(?:delete|remove|take down) (?:your|that|the|this) (?:review|post|comment|rating)"
        r" (?:or|otherwise|before)",
    ),
)

# --- Chinese --------------------------------------------------------------------------------
_ZH_GROUP = (
    "(?:外地人|外国人|老外|黑人|黑鬼|白人|移民|难民|穆斯林|回民|维吾尔人|新疆人|河南人|东北人|农村人|乡下人"
    "|农民工|同性恋|基佬|残疾人|残废|瘸子|胖子|肥婆|女人|女的|娘们|男人|老人|老年人|穷人|日本人|韩国人|犹太人"
    "|基督徒|藏人|少数民族|跨性别)"
)
_ZH_WEAK = "(?:小孩|儿童|孩子|学生)"
_ZH_REFUSE = "(?:不欢迎|谢绝|拒绝|禁止|不接待|不服务|不卖给|不招待|不让|不许)"
_ZH_AWAY = (
    "(?:不得入内|禁止入内|免进|勿进|不准进|不准入内|谢绝入内|请勿入内|滚出去|滚回去|滚|不受欢迎|不欢迎|别来)"
)
_ZH_BAD = "(?:都是|就是|全是|都|全)(?:懒|蠢|笨|脏|骗子|小偷|垃圾|废物|猪|狗|畜生|罪犯|恐怖分子)"


def _zh(name: str, label: str, pattern: str, strength: float = STRONG) -> Rule:
    return Rule(name, label, re.compile(pattern), strength)


ZH_RULES: tuple[Rule, ...] = (
    _zh("不欢迎X", EXCLUSION, f"{_ZH_REFUSE}{_ZH_GROUP}|{_ZH_GROUP}{_ZH_AWAY}"),
    _zh("不欢迎X (children)", EXCLUSION, f"{_ZH_REFUSE}{_ZH_WEAK}|{_ZH_WEAK}{_ZH_AWAY}", WEAK),
    _zh("X都是骗子", DEMEANING, f"{_ZH_GROUP}{_ZH_BAD}|{_ZH_GROUP}(?:不会|学不会|干不了|做不好|不配|不行)"),
    _zh(
        "我们知道你住在哪",
        THREAT,
        "知道你(?:家)?住(?:在)?哪|知道你家在哪|找到你家|找上门|你给我等着|走着瞧|等着瞧|后果自负|让你好看|小心你的",
    ),
    _zh("你会后悔的", THREAT, "你(?:会|就会|一定会)后悔", WEAK),
)
_ZH_GRIEVANCE = re.compile("差评|投诉|举报|报警|曝光")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Clause marks read as sentence breaks (commas, colons, dashes, brackets, quotes).
_CLAUSE = re.compile(r"[,;:()\[\]\"“”—–]|\s-\s")


@dataclass(frozen=True)
class Hit:
    """One rule that matched, and the words it matched."""

    rule: Rule
    words: str
    strength: float

    def describe(self) -> str:
        weak = "" if self.strength >= STRONG else ", held for review"
        return f'{self.rule.label}: {self.rule.name} "{self.words}"{weak}'


def find(text: str) -> list[Hit]:
    """Every rule that matches ``text`` (weak ones made strong by a grievance in the text)."""
    hits: list[Hit] = []
    words = " ".join(normalise(_CLAUSE.sub(" . ", text)).words)
    if words:
        grievance = bool(_GRIEVANCE.search(words))
        hits += _matches(EN_RULES, words, grievance)
    if _CJK.search(text):
        compact = re.sub(r"\s+", "", fold(text))
        hits += _matches(ZH_RULES, compact, bool(_ZH_GRIEVANCE.search(compact)))
    return hits


def _matches(rules: Iterable[Rule], text: str, grievance: bool) -> list[Hit]:
    hits = []
    for rule in rules:
        match = rule.pattern.search(text)
        if match is None:
            continue
        strength = STRONG if grievance and rule.label == THREAT else rule.strength
        hits.append(Hit(rule, match.group().strip(), strength))
    return hits


class RulesScorer:
    """Labels ``exclusion``, ``demeaning``, ``threat``: 1.0 for a strong match, 0.4 for a
    weak one (held for review), 0.0 otherwise. :meth:`explain` names the rules that matched."""

    name = "rules"
    labels = LABELS
    version = VERSION

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [self._labels(find(text)) for text in texts]

    def explain(self, text: str) -> list[str]:
        """The rules that matched, with the words they matched."""
        return [hit.describe() for hit in find(text)]

    @staticmethod
    def _labels(hits: Sequence[Hit]) -> dict[str, float]:
        scores = dict.fromkeys(LABELS, 0.0)
        for hit in hits:
            scores[hit.rule.label] = max(scores[hit.rule.label], hit.strength)
        return scores


def _build(_settings: Any, _base: Path, _data_dir: Path | None = None) -> RulesScorer:
    return RulesScorer()


#: The ``rules`` scorer: curated exclusion, demeaning-generalisation and threat patterns.
SCORER = ScorerBackend("rules", build=_build, labels=LABELS)
