"""A follow-up rewritten into a question that stands alone, before anything is retrieved.

Staff ask in turns: “去年行政复议收到多少件申请？” then “那行政诉讼呢？”, “那2022年呢？”,
“和上年比呢”, “其中撤销了几件”. Merging the two questions' words lets the old topic win;
instead the follow-up is substituted into the previous question, and the user sees what
was understood (「理解为：…」). Four shapes, decided by structure, not by word lists:

- year switch: the follow-up names only a year (2022年, 去年) -> the previous question's
  year is replaced (or the year is put in front when it had none);
- comparison: 和上年比呢 / 比去年呢 / 同比呢 -> the previous question asked about the year
  before the one it asked about;
- topic switch: the follow-up names only a thing (行政诉讼, 镇级的) -> the term of the
  previous question that it stands in for is replaced: the one sharing most characters
  with it (行政复议 for 行政诉讼, 区级 for 镇级), the first topic word when none shares any;
  a whole situation (不复议直接去法院打官司) takes the previous question's asking part;
- a follow-up that asks its own thing about the old subject (其中…有几件, 比上年多了百分之几,
  那撤销了多少件) -> the previous question's subject in front of it.

A follow-up naming a kind of the old thing by its qualifier (那中央交办的呢) replaces the old
qualifier; one that names its thing and goes on (那行政诉讼呢？直接起诉的, 那申请行政复议呢 收钱不)
is read as the thing, narrowed by words that do not ask. A topic switch also carries the rewrites with longer runs of the old question
replaced (`Resolution.alternatives`): which of them the corpus supports is decided by a
caller holding the index (kb.answer.cooccurrence), not by more word rules here.

Anything else stands alone and passes through unchanged. Every function here is total.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import jieba
import jieba.posseg as pseg

from kb.text import lexicon
from kb.text.normalize import nfkc
from kb.text.numerals import cn_to_int, expand_short_years

STANDALONE = "standalone"
YEAR = "year"
COMPARE = "compare"
TOPIC = "topic"
SUBJECT = "subject"  # the follow-up's own question about the previous subject

# Openers that hand the topic over to the previous turn (那行政诉讼呢, 还有镇级的呢).
_OPENER = re.compile(r"^(?:那么|那个|那|还有|另外|此外|以及|再问一下|再问|又|和|跟|同时)[，,、\s]*")
# Openers that ask about a part of the previous subject (其中…, 里面…).
_PART = re.compile(r"^(?:其中的?|这里面|这其中|里面|里头|当中|这当中|内中)[，,、\s]*")
_TAIL = re.compile(r"(?:的情况|的话|的|了)?(?:呢|吗|嘛|啊|呀|吧)?[？?。！!，,\s]*$")
# A follow-up naming a kind of the old thing by what qualifies it, ending in 的 (那中央交办的呢
# after 自行梳理的信访积案有多少件, set N; 那自己梳理出来的那些呢 after 中央交办的信访积案…, set O),
# a pointer word (那些, 这个) standing for the old thing's noun.
_QUALIFIER = re.compile(r"的(?:那些|这些|那个|这个|那种|这种|那类|这类)?(?:呢|吗|啊|呀|吧)?[？?。！!，,\s]*$")
_POINTER = re.compile(r"的(?:那些|这些|那个|这个|那种|这种|那类|这类)$")
# A year on its own: 2022年, 2022, 二〇二二年, or a relative year. Staff read the report the
# year after it: their 去年 and 今年 both mean the report's year (kb/text/lexicons/relative_time.txt),
# so only 前年 moves; in the question sets 去年 asks for the report year's figure.
_RELATIVE_YEAR = {"今年": 0, "本年": 0, "当年": 0, "去年": 0, "上年": 0, "上一年": 0, "前年": -1}
_YEAR_WORD = r"(?:(?:19|20)\d{2}\s*年?(?:度)?|[〇零一二三四五六七八九]{4}年(?:度)?|" + "|".join(_RELATIVE_YEAR) + ")"
# …or with 同期 and a bare ask (2022年同期是多少, 22年同期呢: fresh_b, fresh_c): still only a year.
_YEAR_ONLY = re.compile(
    rf"^(?:在|是)?(?P<year>{_YEAR_WORD})(?:同期)?(?:的|呢)?(?:(?:是|有|为)?(?:多少|几|多高|怎样|如何))?$"
)
_YEAR_IN = re.compile(_YEAR_WORD)
# The year before the one the previous turn asked about (那前一年呢 after 去年…有几件): a
# follow-up counts it from that turn, not from the report's year.
_YEAR_BEFORE = re.compile(r"^(?:在|是)?(?:前一年|上一年|头一年|再前一年)(?:同期)?(?:的)?(?:(?:是|有|为)?(?:多少|几))?$")
# A comparison with the year before: 和上年比, 与去年相比, 比上年, 同比, 跟2022年比较.
_COMPARE = re.compile(
    rf"^(?:和|与|跟|同|比)?(?:{_YEAR_WORD}|上一年|前一年|以前)?(?:相比|比较|对比|比|同期比)?(?:怎么样|如何|情况)?$"
)
# Where the previous question starts asking (its subject lies before).
_ASK = re.compile(
    r"百分之(?:几|多少)|多少|几|哪|什么|啥|怎么|怎样|如何|是否|有没有|能否|能不能|是不是|可不可以|多久|多长|多大|多高|"
    r"为何|为什么|吗|呢|[？?]"
)
# What follows an ask word when the action asked about comes after it (多久内可以申请复议):
# a follow-up naming another action replaces that action, not the ask.
_MODAL_AFTER_ASK = re.compile(r"(?:个工作日|个月|小时|[天日年月周])?(?:内|以内|之内)?(?:可以|能够|能|要|应当|必须|得)")
# Parts of speech that make a follow-up a situation, not a term, when two of its words have
# them: verbs and adverbs (不复议直接去法院打官司); a verbal noun (检察, 监督 of 行政检察监督)
# names a kind of case, and one verb (执行 of 刑事执行监督) a kind of work.
_SITUATION_FLAGS = ("v", "vd", "vi", "vg", "d", "ad")
# Last characters of a public body's name (检察院, 司法局, 区政府, 纪委): the one who acts in
# a question, which a follow-up naming another kind of case does not replace.
_BODY_ENDS = ("院", "局", "委", "府", "厅", "办", "所", "处")


# Given candidate rewrites (the structural one first) and the topic they share, the index
# of the one to ask.
Chooser = Callable[[list[str], str], int]


@dataclass(frozen=True)
class Resolution:
    """The question to analyse and retrieve with, and how it was obtained from the turn."""

    question: str  # standalone: the follow-up itself when nothing was resolved
    kind: str = STANDALONE
    # a topic switch: the thing the follow-up names, and the other rewrites it could mean
    # (that thing put in place of a longer span of the previous question), for a caller that
    # can weigh them against the corpus (kb.answer.cooccurrence); `question` comes first
    topic: str = ""
    alternatives: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.kind != STANDALONE


def resolve(
    question: str, previous: str, this_year: int | None = None, choose: Chooser | None = None
) -> Resolution:
    """The follow-up `question` read against the `previous` user question. `this_year` is the
    year the corpus reports on (what 今年/去年 in a question mean), None when unknown.
    `choose` picks among a topic switch's candidate rewrites (its index into them); without
    it the structural rewrite stands."""
    q = question.strip() if isinstance(question, str) else ""
    try:
        prev = nfkc(previous).strip() if isinstance(previous, str) else ""
        if not q or not prev:
            return Resolution(q)
        r = _resolve(q, prev.rstrip("？?。！! "), this_year) or Resolution(q)
        if choose is not None and r.alternatives:
            texts = [r.question, *r.alternatives]
            pick = choose(texts, r.topic)
            if 0 < pick < len(texts):
                return Resolution(texts[pick], r.kind, r.topic)
        return r
    except Exception:  # noqa: BLE001 - a follow-up that cannot be resolved is asked as typed
        return Resolution(q)


def _resolve(q: str, prev: str, this_year: int | None) -> Resolution | None:
    text = expand_short_years(nfkc(q).strip())
    prev = expand_short_years(prev)
    opened = bool(_OPENER.match(text))
    body = _after_topic(_OPENER.sub("", text, count=1))
    part = _PART.match(body)
    rest = body[part.end() :] if part else body
    qualifier = bool(_QUALIFIER.search(rest))
    core = _TAIL.sub("", _POINTER.sub("", _TAIL.sub("", rest)))
    if not core:
        return None
    if _YEAR_BEFORE.match(core) and not part:
        year = _year_of(prev, this_year)
        if year is not None:
            return Resolution(_with_year(prev, f"{year - 1}年"), YEAR)
    m = _YEAR_ONLY.match(core)
    if m and not part:
        return Resolution(_with_year(prev, m.group("year")), YEAR)
    if _COMPARE.fullmatch(core) and _mentions_compare(core) and not part:
        year = _year_of(prev, this_year)
        if year is not None:
            return Resolution(_with_year(prev, f"{year - 1}年"), COMPARE)
        return Resolution(f"{_subject(prev)}和上年相比", COMPARE)
    asks = bool(_ASK.search(core))
    if part:
        return Resolution(f"{_subject(prev)}中{core}", SUBJECT)
    if not asks:
        if not (opened or text.endswith(("呢", "呢？", "呢?"))) or len(core) > 16:
            return None
        year = _YEAR_IN.search(core)
        topic = _YEAR_IN.sub("", core).strip("的 ") if year else core
        if _MEASURE.search(topic):
            # another measure of the same thing (成功率呢 after 调解了多少起民间纠纷, 占比呢
            # after 抽查了多少户): it replaces the ask, not a word (sets E and K)
            return Resolution(_without_ask(prev) + topic + "是多少", TOPIC)
        out = (qualifier and _switch_qualifier(prev, topic)) or (_switch_topic(prev, topic) if topic else prev)
        others = _span_switches(prev, topic, out) if topic else []
        if year:
            out = _with_year(out, year.group(0))
            others = [_with_year(o, year.group(0)) for o in others]
        return Resolution(out, TOPIC, topic, tuple(o for o in dict.fromkeys(others) if o != out))
    # 那撤销了多少件 (handed over, no thing of its own), 比上年多了百分之几 (no content word at
    # all): it asks about the old subject. A question with words of its own stands alone.
    if (opened and not _has_topic(core)) or not _content_words(core):
        return Resolution(_join(_subject(prev), core), SUBJECT)
    return None


# A measure a follow-up may ask of the previous question's thing: a rate or a share.
_MEASURE = re.compile(r"(?:率|占比|比例|比重)$")
# An ask with its classifier (多少起, 几件): what a measure follow-up replaces.
_COUNT_ASK = re.compile(r"(?:一共|总共|共)?(?:有)?(?:多少|几)[个件项名人位户家份条次起种类所宗批元]?")


# 那申请行政复议呢 收钱不 (set D), 那调解呢 有多少件 (set I), 那行政诉讼呢？直接起诉的 (set N): the
# thing, 呢, then more words.
_TOPIC_THEN = re.compile(r"^(?P<topic>[^呢？?，,。\s]+)呢[？?，,。\s]+(?P<more>\S.*)$")
# A yes-or-no ask on its own (收钱不, 要钱吗, 有没有): it asks what the previous question asked.
_YES_NO = re.compile(r"(?:[不没吗么嘛]|没有)[？?。！!\s]*$")


def _after_topic(body: str) -> str:
    """A follow-up that names its thing and then goes on, as the follow-up it means: more words
    that ask (收钱不, 有多少件) ask what the previous question asked, so the thing alone is
    the follow-up (那申请行政复议呢); more words that do not ask narrow the thing (直接起诉的:
    行政诉讼直接起诉的呢)."""
    m = _TOPIC_THEN.match(body)
    if not m or _ASK.search(m.group("topic")):
        return body
    more = m.group("more").strip()
    if _ASK.search(more):
        return body  # its own ask (那调解呢 有多少件): read as before, the old subject in front
    if _YES_NO.search(more) or _A_NOT_A.search(more):
        return m.group("topic") + "呢"
    return m.group("topic") + more.rstrip("？?。！! ") + "呢"


def _without_ask(prev: str) -> str:
    """The previous question without its count ask (去年全区调解了多少起民间纠纷 -> 去年全区
    调解了民间纠纷)."""
    return _COUNT_ASK.sub("", prev, count=1).rstrip("？?。 ")


def _mentions_compare(core: str) -> bool:
    return bool(re.search(r"比|同期|对比", core))


def _year_value(word: str, this_year: int | None) -> int | None:
    word = word.strip()
    if word in _RELATIVE_YEAR:
        return None if this_year is None else this_year + _RELATIVE_YEAR[word]
    digits = re.match(r"(?:19|20)\d{2}", word)
    if digits:
        return int(digits.group(0))
    return cn_to_int(word[:4])  # 二〇二二


def _year_of(prev: str, this_year: int | None) -> int | None:
    """The year the previous question asked about (the corpus's own year when it named none)."""
    m = _YEAR_IN.search(prev)
    if m:
        return _year_value(m.group(0), this_year)
    return this_year


def _with_year(prev: str, year: str) -> str:
    """`prev` asking about `year`: its own year replaced, or `year` put in front."""
    year = year.strip()
    if re.fullmatch(r"(?:19|20)\d{2}", year):
        year += "年"
    if _YEAR_IN.search(prev):
        return _YEAR_IN.sub(lambda _m: year, prev, count=1)
    return year + prev


@lru_cache(maxsize=2048)
def _cut(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, flag) pairs, kept: a conversation reads the same turns again each time."""
    return tuple((w, f) for w, f in pseg.lcut(text))


def _offsets(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, word, flag) of each of `text`'s jieba words, in order."""
    out = []
    pos = 0
    for w, f in _cut(text):
        out.append((pos, pos + len(w), w, f))
        pos += len(w)
    return out


@cache
def _stop_words() -> frozenset[str]:
    return lexicon.question_words() | lexicon.stopwords() | lexicon.relative_times()


def _content(word: str, flag: str) -> bool:
    """A word that can name what a question is about."""
    return (
        bool(re.search(r"[\u4e00-\u9fff]", word))
        and flag[:1] not in ("u", "x", "p", "c", "y", "m", "r", "d", "q")
        and word not in _stop_words()
        and not _YEAR_IN.fullmatch(word)
    )


def _content_words(core: str) -> list[tuple[str, str]]:
    """The (word, flag) pairs of `core` that can name what it is about."""
    return [(w, f) for w, f in _cut(_ASK.sub(" ", core)) if _content(w, f) and len(w) >= 2]


def _has_topic(core: str) -> bool:
    """Does the follow-up name a thing of its own (a noun beside its asking words)?"""
    return any(f[:1] in ("n", "l", "j") for _, f in _content_words(core))


def _subject(prev: str) -> str:
    """What the previous question is about: its words before the asking part, without the
    verbs and particles that lead into it (去年行政复议收到多少件 -> 去年行政复议)."""
    m = _ASK.search(prev)
    head = prev[: m.start()] if m else prev
    words = [(w, f) for w, f in _cut(head) if w.strip()]
    verbs = 0
    while words and (words[-1][1][:1] in ("v", "u", "p", "c", "y") or words[-1][0] in _stop_words()):
        if words[-1][1][:1] == "t" or words[-1][0] in lexicon.relative_times():
            break  # a time word (去年) belongs to the subject
        if words[-1][1][:1] == "v":
            if verbs:
                break  # one act leads into the ask; a verb before it names the subject (复议 of 复议审结了)
            verbs += 1
        words.pop()
    return "".join(w for w, _ in words) or head


def _join(subject: str, core: str) -> str:
    if not subject or core.startswith(subject):
        return core
    return subject + core


def _switch_topic(prev: str, topic: str) -> str:
    """`prev` with the term `topic` stands in for replaced by it."""
    topic_words = [(w, f) for w, f in _cut(topic) if w.strip()]
    if sum(f in _SITUATION_FLAGS for _, f in topic_words) >= 2 and len(topic_words) >= 3:
        return _with_situation(prev, topic)  # a situation, not a term: it takes the question asked
    prev_words = {w for w, _ in _cut(prev)}
    if len(topic_words) == 2 and topic_words[1][0] in prev_words and topic_words[0][0] not in prev_words:
        # the previous question holds the topic's head already (复议决定 after …作出决定): only
        # the word before it switches, and it switches the subject (sets D and L)
        return _switch_topic(prev, topic_words[0][0])
    spans: list[tuple[int, int, str, str]] = []  # (start, end, text, head flag): runs of 1-3 topic words
    offsets = _offsets(prev)
    for i, (s, _e, _w, _f) in enumerate(offsets):
        run = []
        for _s2, e2, w2, f2 in offsets[i : i + 3]:
            if not _content(w2, f2) or _ASK.fullmatch(w2):
                break
            run.append(w2)
            spans.append((s, e2, "".join(run), offsets[i][3]))
    if not spans:
        return topic + _asking_part(prev)
    chars = set(topic)

    def shared(span: tuple[int, int, str, str]) -> int:
        return len(set(span[2]) & chars)

    best = max(shared(s) for s in spans)
    if best == 0:
        # nothing in common: the first single word of the topic's kind (a noun for 单位:
        # 个人, not 当场) that is not the body doing the work (检察院民事检察监督案件 -> 民事:
        # a follow-up switches what is counted, not who counts). It is not the act the question
        # asks about, a verb after its ask (复议 after 行政处罚立案后多久得作出决定 is no 作出;
        # sets D and L); a noun there is what is counted (办了多少民事检察监督案件)
        single = [s for s in spans if s[2] in prev_words]
        m = _ASK.search(prev)
        single = [s for s in single if m is None or s[0] < m.end() or s[3][:1] != "v"] or single
        noun = any(f[:1] == "n" for _, f in topic_words)
        same = [s for s in single if (s[3][:1] == "n") == noun] or single
        pick = next((s for s in same if not s[2].endswith(_BODY_ENDS)), None)
        pick = pick or (same or spans)[0]
        if len(topic_words) == 1:
            # a compound's head word switches, its first word stays (行政处罚 -> 行政复议)
            return prev[: pick[0]] + _compound_switch(pick[2], topic) + prev[pick[1] :]
    else:
        pick = min(
            (s for s in spans if shared(s) == best),
            key=lambda s: (abs(len(s[2]) - len(topic)), s[0]),
        )
    if topic == pick[2]:
        return prev
    return prev[: _act_start(offsets, pick[0])] + topic + prev[_act_end(offsets, pick[1]) :]


def _switch_qualifier(prev: str, topic: str) -> str:
    """`prev` with the words qualifying its thing (before its first 的, after any year) replaced
    by `topic` (自行梳理的信访积案有多少件 + 中央交办 -> 中央交办的信访积案有多少件); "" when
    `prev` has no such 的 before its ask or `topic` is already there."""
    m = _ASK.search(prev)
    de = prev.find("的", 0, m.start() if m else len(prev))
    if de <= 0 or topic in prev:
        return ""
    year = _YEAR_IN.match(prev)
    start = year.end() if year and year.end() < de else 0
    return prev[:start] + topic + prev[de:]


def _span_switches(prev: str, topic: str, structural: str) -> list[str]:
    """`prev` with `topic` in place of each longer run of its words (before the ask) that holds
    the span the structural rewrite replaced, smallest first: how much of the old question went
    with the old thing is for the corpus to say (调委会调解民间纠纷收不收费 + 行政复议: the
    structural rewrite replaces 调委会; 行政复议纠纷收不收费 replaces the whole act; the word
    right before the ask, what is asked about, stays), which thing it was is not (a run
    without it would keep the old thing, which passages name beside the new one: 区级 beside
    镇级)."""
    head = structural.find(topic)
    rest = structural[head + len(topic) :] if head >= 0 else ""
    if head < 0 or structural == prev or prev[:head] != structural[:head] or not prev.endswith(rest):
        return []  # not one span replaced by the topic (a situation, a qualifier)
    tail = len(prev) - len(rest)
    m = _ASK.search(prev)
    yes_no = _A_NOT_A.search(prev)  # 收不收费: an ask _ASK leaves to the answerer
    stop = min(m.start() if m else len(prev), yes_no.start() if yes_no else len(prev))
    offsets = _offsets(prev)
    asked = [o for o in offsets if o[1] <= stop and _spannable(o[2], o[3])]
    if asked and asked[-1][0] >= tail:
        stop = asked[-1][0]  # what is asked about stays (收费 of 调解收费吗)
    runs: list[tuple[int, int]] = []
    for i, (s, _e, _w, _f) in enumerate(offsets):
        for _s2, e2, w2, f2 in offsets[i:]:
            if e2 > stop or not _spannable(w2, f2):
                break
            if s <= head and e2 >= tail and (s, e2) != (head, tail):
                runs.append((s, e2))
    runs.sort(key=lambda r: (r[1] - r[0], r[0]))
    out = [(prev[:s] + topic + prev[e:]).replace("的的", "的") for s, e in runs]
    return [o for o in out if o not in (prev, structural)]


_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")


def content_words(text: str) -> list[str]:
    """The words of `text` that can name what it is about (not its asking words)."""
    return [w for w, _ in _content_words(text)]


def _spannable(word: str, flag: str) -> bool:
    """A word a topic switch may replace: a content word, or an adverb inside one (自行 of
    自行梳理, 直接 of 直接起诉)."""
    adverb = flag in ("d", "ad") and len(word) >= 2 and bool(re.search(r"[\u4e00-\u9fff]", word))
    return _content(word, flag) or adverb


def _compound_switch(word: str, topic: str) -> str:
    """`word` with its last part replaced by `topic` when it is two dictionary words and the
    last is as long as the topic (行政处罚 + 复议 -> 行政复议: the follow-up names another kind
    of proceeding; 行政 is what both are); else `topic`."""
    cut = len(word) - len(topic)
    head, tail = word[:cut], word[cut:]
    if len(head) >= 2 and _is_dict_word(head) and _is_dict_word(tail):
        return head + topic
    return topic


def _is_dict_word(text: str) -> bool:
    jieba.dt.check_initialized()
    return bool(jieba.dt.FREQ.get(text))


def _act_start(offsets: list[tuple[int, int, str, str]], start: int) -> int:
    """Where the replaced term's act begins: a verb right before it goes with it (申请行政复议
    的期限 -> 行政诉讼的期限, not 申请行政诉讼, which no law says; fresh_d, fresh_e)."""
    before = next((o for o in offsets if o[1] == start), None)
    return before[0] if before is not None and before[3][:1] == "v" and _content(before[2], before[3]) else start


def _act_end(offsets: list[tuple[int, int, str, str]], end: int) -> int:
    """Where the replaced term's act ends: a verb right after it (an adverb before the verb
    too) that names, with the noun or the 的 after it, the old thing's step (行政复议申请期限
    -> 行政诉讼期限: fresh_c, fresh_g; 行政诉讼直接起诉的期限 -> 行政复议的期限: set M)."""
    i = next((k for k, o in enumerate(offsets) if o[0] == end), None)
    if i is not None and offsets[i][3] in ("d", "ad"):
        i += 1  # 直接 of 直接起诉
    if i is None or i + 1 >= len(offsets):
        return end
    verb, after = offsets[i], offsets[i + 1]
    if verb[3][:1] == "v" and _content(verb[2], verb[3]) and (after[3][:1] == "n" or after[2] == "的"):
        return verb[1]
    return end


def _with_situation(prev: str, situation: str) -> str:
    """`prev` asked of another situation: the action after its ask word replaced (对…不服 多久内
    可以申请复议 -> …多久内可以直接去法院起诉), else the situation with the asking part."""
    m = _ASK.search(prev)
    if m and _MODAL_AFTER_ASK.match(prev, m.end()):
        modal = _MODAL_AFTER_ASK.match(prev, m.end())
        return prev[: modal.end()] + situation
    return situation + _asking_part(prev)


def _asking_part(prev: str) -> str:
    """The part of the previous question that asks (的期限是多久 of 申请复议的期限是多久)."""
    m = _ASK.search(prev)
    if not m:
        return ""
    de = prev.rfind("的", 0, m.start())
    return prev[de:] if de >= 0 else prev[m.start() :]
