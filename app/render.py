"""HTML and Markdown for the web app. Every piece of document or user text passes through
`esc` (or `marked`, which escapes around its highlights) before it becomes HTML, so a
document that contains <script> or <img onerror> shows those characters and runs nothing.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Sequence
from typing import Any

from kb.answer.citations import MARKER
from kb.article_diff import KIND_NAMES, counts
from kb.text.normalize import fold_width
from kb.validity import version_line


def esc(text: Any) -> str:
    """HTML-escape any value (quotes too: safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_lines(text: str) -> str:
    """Escaped text with line breaks kept as <br> (the chat renders HTML without newlines)."""
    return "<br>".join(esc(line) for line in str(text).split("\n"))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def marked(text: str, spans: Iterable[tuple[int, int]], cls: str = "") -> str:
    """Escaped text with each span wrapped in <mark>; offsets index `text`."""
    attr = f' class="{esc(cls)}"' if cls else ""
    parts, pos = [], 0
    for start, end in merge_spans((max(0, s), min(len(text), e)) for s, e in spans):
        parts.append(esc_lines(text[pos:start]))
        parts.append(f"<mark{attr}>{esc_lines(text[start:end])}</mark>")
        pos = end
    parts.append(esc_lines(text[pos:]))
    return "".join(parts)


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the query's terms occur in the text (full/half width and case folded)."""
    folded = fold_width(text, lower=True)
    spans = []
    for term in {fold_width(t, lower=True) for t in terms if len(t.strip()) >= 2}:
        start = folded.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    return merge_spans(spans)


def _attr(obj: Any, name: str, default: Any = "") -> Any:
    """Citation fields from an object or a dict (the API returns dicts)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def source_line(title: str, doc_number: str, label: str, n: int | None = None, validity: str = "") -> str:
    num = f'<span class="kb-n">[{n}]</span>' if n is not None else ""
    docnum = f'<span class="kb-docnum">{esc(doc_number)}</span>' if doc_number else ""
    lab = f'<span class="kb-label">{esc(label)}</span>' if label else ""
    note = f'<span class="kb-validity">{esc(validity)}</span>' if validity else ""
    return f'<span class="kb-src">{num}<span class="kb-title">《{esc(title)}》</span>{docnum}{note}{lab}</span>'


def citation_card(
    citation: Any,
    passage: str,
    span: tuple[int, int],
    context: dict[str, str] | None = None,
    numbered: bool = True,
) -> str:
    """One source: title, 文号, label and the passage with the supporting span marked; the
    card opens (a <details>) to show the text around it ({"before", "quote", "after"})."""
    n = _attr(citation, "n", None) if numbered else None
    head = source_line(
        _attr(citation, "doc_title"), _attr(citation, "doc_number"), _attr(citation, "label"), n,
        _attr(citation, "validity"),
    )
    body = hint = ""
    if context and (context.get("before") or context.get("after")):
        quote = context.get("quote", "")
        body = (
            '<div class="kb-context">'
            f'<span class="kb-ctx">{esc_lines(context.get("before", ""))}</span>'
            f"<mark>{esc_lines(quote)}</mark>"
            f'<span class="kb-ctx">{esc_lines(context.get("after", ""))}</span></div>'
        )
        hint = '<span class="kb-more">▸ 展开上下文</span><span class="kb-less">▴ 收起</span>'
    return (
        f'<details class="kb-card" data-label="{esc(_attr(citation, "label"))}">'
        f'<summary>{head}<span class="kb-quote">{marked(passage, [span])}</span>{hint}</summary>'
        f"{body}</details>"
    )


def answer_message(answer: Any, gen: Any) -> str:
    """The chat bubble of a finished answer: text, then its citation cards (or, when the
    question was refused, the passages that may still help, under 可能相关)."""
    from kb.answer.citations import surrounding

    def card(c: Any, numbered: bool) -> str:
        chunk = gen.chunks.get(c.chunk_id) if gen is not None else None
        if chunk is not None and chunk.start <= c.start and c.end <= chunk.end:
            passage, span = chunk.verbatim, (c.start - chunk.start, c.end - chunk.start)
        else:  # the index changed since the answer: the quote is all we can show
            passage, span = c.quote, (0, len(c.quote))
        context = surrounding(gen, c) if gen is not None else None
        if not numbered:  # a related passage supports nothing: shown, not highlighted
            span = (0, 0)
        return citation_card(c, passage, span, context, numbered)

    body = understood_line(answer) + answer_body(answer.answer, answer.refused, answer.notice)
    if answer.citations:
        body += cards_block([card(c, True) for c in answer.citations], "引用来源")
    elif answer.related:
        body += cards_block([card(c, False) for c in answer.related], "可能相关")
    return body + copy_button(answer_plain(answer))


def copy_button(text: str) -> str:
    """复制: app/kb.js copies the answer as plain text (Gradio's own copy gives HTML). The
    text rides along hidden, one <span> a line: the chat's sanitiser strips data-* attributes."""
    lines = "".join(f"<span>{esc(line)}</span>" for line in text.split("\n"))
    return (
        '<div class="kb-actions"><button type="button" class="kb-copy">复制</button>'
        f'<span class="kb-copy-text">{lines}</span></div>'
    )


def answer_plain(answer: Any) -> str:
    """An answer as plain text for pasting anywhere: the question, the answer, and 出处 lines
    naming title, 文号 and label for every cited passage."""
    a = answer if isinstance(answer, dict) else {"question": answer.question, **answer.to_dict()}
    lines = [f"问：{a.get('question', '')}"]
    if a.get("resolved_question") and a["resolved_question"] != a.get("question"):
        lines.append(f"（理解为：{a['resolved_question']}）")
    lines.append(f"答：{a.get('answer', '')}")
    if a.get("notice"):
        lines.append(a["notice"])
    cites = a.get("citations") or []
    if cites:
        lines.append("出处：")
        for c in cites:
            num = f"（{c['doc_number']}）" if c.get("doc_number") else ""
            lines.append(f"[{c.get('n')}] 《{c.get('doc_title')}》{num} {c.get('label', '')}".rstrip())
    return "\n".join(lines)


def understood_line(answer: Any) -> str:
    """A follow-up ("那2022年呢？") is answered as a whole question: show which one, so the
    reader can tell at once whether it was understood."""
    resolved = _attr(answer, "resolved_question")
    if not resolved or resolved == _attr(answer, "question"):
        return ""
    return f'<div class="kb-notice kb-understood">理解为：{esc(resolved)}</div>'


def cards_block(cards: Sequence[str], title: str) -> str:
    if not cards:
        return ""
    return f'<div class="kb-cards"><div class="kb-cards-title">{esc(title)}</div>{"".join(cards)}</div>'


def answer_body(text: str, refused: bool = False, notice: str = "") -> str:
    """The answer text, escaped, with [n] as small reference badges."""
    body = MARKER.sub(r'<sup class="kb-ref">[\1]</sup>', esc_lines(text))
    cls = "kb-answer kb-refused" if refused else "kb-answer"
    note = f'<div class="kb-notice">{esc(notice)}</div>' if notice else ""
    return f'<div class="{cls}">{body}</div>{note}'


def streaming_body(text: str) -> str:
    return f'<div class="kb-answer kb-streaming">{esc_lines(text)}</div>'


def error_body(message: str) -> str:
    return f'<div class="kb-error">{esc(message)}</div>'


def answer_markdown(answer: Any) -> str:
    """An answer with its sources as Markdown, for copying into a document or an email."""
    a = answer if isinstance(answer, dict) else {"question": answer.question, **answer.to_dict()}
    lines = [f"## 问：{a.get('question', '')}", ""]
    if a.get("resolved_question") and a["resolved_question"] != a.get("question"):
        lines += [f"> 理解为：{a['resolved_question']}", ""]
    lines += [a.get("answer", ""), ""]
    if a.get("notice"):
        lines += [f"> {a['notice']}", ""]
    cites = a.get("citations") or []
    related = a.get("related") or []
    if cites:
        lines.append("### 引用来源")
        for c in cites:
            num = f"（{c['doc_number']}）" if c.get("doc_number") else ""
            num += f"【{c['validity']}】" if c.get("validity") else ""
            quote = " ".join(str(c.get("quote", "")).split())
            lines.append(f"{c.get('n')}. 《{c.get('doc_title')}》{num} {c.get('label', '')}：“{quote}”")
    elif related:
        lines.append("### 可能相关")
        for c in related:
            num = f"（{c['doc_number']}）" if c.get("doc_number") else ""
            num += f"【{c['validity']}】" if c.get("validity") else ""
            quote = " ".join(str(c.get("quote", "")).split())
            lines.append(f"- 《{c.get('doc_title')}》{num} {c.get('label', '')}：“{quote}”")
    return "\n".join(lines).strip() + "\n"


def search_results(hits: Sequence[Any], terms: Sequence[str]) -> str:
    """Search hits as cards: rank, source, label, passage with the query's terms marked."""
    if not hits:
        return '<div class="kb-empty">没有找到相关段落。</div>'
    cards = []
    for rank, hit in enumerate(hits, start=1):  # scores and rankers are for 检索测试, not staff
        c = hit.chunk
        spans = term_spans(c.text, terms)  # found in the shadow, shown in the document's script
        cards.append(
            '<div class="kb-card kb-hit">'
            f"{source_line(c.doc_title, c.doc_number, c.label, rank, c.validity)}"
            f'<span class="kb-quote">{marked(c.verbatim, spans)}</span>'
            "</div>"
        )
    return f'<div class="kb-cards">{"".join(cards)}</div>'


def citing_passages(entry: Any) -> str:
    """Where one registry entry is cited: each citing sentence with the citation marked."""
    where = "全文在库" if entry.in_corpus else "全文不在库"
    number = f'<span class="kb-docnum">{esc(entry.doc_number)}</span>' if entry.doc_number else ""
    issuer = f" · 发文机关：{esc(entry.issuer)}" if entry.issuer else ""
    head = (
        f'<div class="kb-entry"><span class="kb-title">《{esc(entry.title)}》</span>{number}'
        f'<span class="kb-file">{where}{issuer}</span></div>'
    )
    if not entry.citations:
        return head + '<div class="kb-empty">库中没有引用该文件的段落。</div>'
    cards = []
    for c in entry.citations:
        offset = c.sentence_start
        span = (c.start - offset, c.end - offset) if c.sentence_end > c.sentence_start else (0, 0)
        cards.append(
            '<div class="kb-card">'
            f"{source_line(c.doc_title, '', c.label)}"
            f'<span class="kb-quote">{marked(c.sentence, [span])}</span></div>'
        )
    return head + f'<div class="kb-cards">{"".join(cards)}</div>'


def law_diff(diff: Any) -> str:
    """新旧条文对照 as cards: what changed, each side with its own source line. Unchanged
    articles are counted, not shown: staff look for what is new."""
    counted = counts(diff.changes)
    head = (
        f'<div class="kb-entry"><span class="kb-title">{esc(version_line(diff.old))} → '
        f"{esc(version_line(diff.new))}</span>"
        f'<span class="kb-file">{esc(" · ".join(f"{name} {counted[k]} 条" for k, name in KIND_NAMES.items()))}</span></div>'
    )
    titles = {diff.old.doc_id: diff.old.title, diff.new.doc_id: diff.new.title}
    cards = []
    for change in diff.changes:
        if change.kind == "unchanged":
            continue
        sides = "".join(
            f'<div class="kb-diff-side">{source_line(titles[a.doc_id], "", a.label)}'
            f'<span class="kb-quote">{esc_lines(a.text)}</span></div>'
            for a in (change.old, change.new)
            if a is not None
        )
        cards.append(
            f'<div class="kb-card kb-diff-{change.kind}"><span class="kb-diff-kind">{KIND_NAMES[change.kind]}</span>'
            f'<div class="kb-diff-sides">{sides}</div></div>'
        )
    return head + f'<div class="kb-cards">{"".join(cards)}</div>'


def registry_rows(entries: Iterable[Any]) -> list[list[str]]:
    rows = []
    for e in entries:
        places = "；".join(dict.fromkeys(f"《{c.doc_title}》{c.label}" for c in e.citations))
        rows.append([e.title, e.doc_number or "—", "是" if e.in_corpus else "否", places or "—"])
    return rows


def document_rows(docs: Iterable[Any]) -> list[list[Any]]:
    return [
        [
            d.title,
            d.doc_number or "—",
            d.chunks,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(d.ingested_at)),
        ]
        for d in docs
    ]


def status(message: str, ok: bool = True) -> str:
    cls = "kb-status-ok" if ok else "kb-status-err"
    return f'<div class="{cls}">{esc_lines(message)}</div>'


CSS = """
.kb-diff-sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:10px}
.kb-diff-kind{font-weight:600;margin-right:6px}
.kb-diff-added{border-left-color:#1a7f37}.kb-diff-removed{border-left-color:#b42318}
.kb-cards{display:flex;flex-direction:column;gap:8px;margin-top:10px}
.kb-cards-title{font-weight:600;font-size:0.92em;color:var(--body-text-color)}
.kb-card{border:1px solid var(--border-color-primary);border-left:4px solid #2f6fdf;border-radius:8px;
  padding:8px 12px;background:var(--background-fill-secondary);line-height:1.65}
.kb-card summary{cursor:pointer;list-style:none}
.kb-card summary::-webkit-details-marker{display:none}
.kb-src{display:flex;flex-wrap:wrap;gap:6px;align-items:baseline;font-size:0.92em}
.kb-n{font-weight:700;color:#1a4fb5}
#kb-chat .chatbot.prose{opacity:1}
#kb-chat{height:min(600px,62vh)!important}
@media (max-width:600px){#kb-chat .message-row{padding-left:6px;padding-right:6px}
  #kb-chat .message{padding-left:4px;padding-right:4px}}
.kb-title{font-weight:600}
.kb-validity{margin:0 0.3em;padding:0 0.3em;border-radius:3px;background:#fdecea;color:#b3261e;font-size:0.85em}
.kb-docnum{color:#3d3d4e;font-weight:500}
.kb-label{background:#e8f0fe;color:#1a4fb5;border-radius:4px;padding:0 6px;font-size:0.9em}
.kb-quote{display:block;margin-top:4px}
.kb-card mark{background:#ffe58f;color:inherit;padding:0 1px;border-radius:2px}
.kb-more,.kb-less{display:inline-block;margin-top:4px;font-size:0.85em;color:#1a4fb5}
.kb-less,.kb-card[open] .kb-more,.kb-card[open] summary .kb-quote{display:none}
.kb-card[open] .kb-less{display:inline-block}
.kb-actions{margin-top:8px}
.kb-copy-text{display:none}
.kb-copy{font-size:0.85em;padding:2px 10px;border:1px solid var(--border-color-primary);border-radius:6px;
  background:var(--background-fill-primary);color:var(--body-text-color);cursor:pointer}
.kb-streaming::after{content:"▍";animation:kb-blink 1s steps(2) infinite}
@keyframes kb-blink{50%{opacity:0}}
.kb-counter{font-size:0.85em;color:var(--body-text-color-subdued)}
.kb-counter.kb-over{color:#b42318;font-weight:600}
.kb-footer{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;justify-content:center;
  padding:12px 0;font-size:0.9em;color:var(--body-text-color)}
.kb-help summary{cursor:pointer;color:#1a4fb5;text-decoration:underline}
.kb-help ul{margin:6px 0;padding-left:1.2em;text-align:left}
.kb-context{margin-top:8px;padding-top:8px;border-top:1px dashed var(--border-color-primary);
  color:var(--body-text-color-subdued);font-size:0.92em}
.kb-context mark{color:var(--body-text-color)}
.kb-file{display:block;margin-top:4px;font-size:0.8em;color:var(--body-text-color-subdued)}
.kb-ref{color:#1a4fb5;font-weight:600}
.kb-refused{color:#8a5300}
.kb-notice{margin-top:6px;font-size:0.85em;color:#4b4b57}
.kb-error,.kb-status-err{color:#b42318}
.kb-right,.kb-wrong{font-weight:700;padding:0 6px;border-radius:4px}
.kb-right{color:#05603a;background:#d1fadf}.kb-wrong{color:#912018;background:#fee4e2}
.kb-status-ok{color:#067647}
.kb-empty{color:var(--body-text-color-subdued);padding:8px 0}
#kb-registry,#kb-docs{--font-mono:var(--font)}
.kb-entry{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;margin-bottom:6px}
"""


HELP = (
    ("智能问答", "用一句话提问，例如“申请行政复议的期限是多久？”。回答后附引用来源，点开卡片可看上下文，再点“收起”合上；“复制”得到带出处的纯文本。追问（如“那2022年呢？”）会结合上一问理解。"),
    ("检索", "输入词语或短句，列出原文中最相关的段落，可限定在某几个文档内。"),
    ("文号查询", "输入文号、标题或措施名称，查看登记的文件及引用它的原文段落。"),
    ("学习测验", "从原文出题，提交后判分；答错的题给出正确答案和出处。"),
)


def footer(office: str, admin: bool | None = None) -> str:
    """The footer: the office running the page, the visitor's view once the page has loaded
    (data-role, which the browser tests wait for), and a 使用说明 that opens in place."""
    items = "".join(f"<li><b>{esc(tab)}</b>：{esc(text)}</li>" for tab, text in HELP)
    role = "" if admin is None else f' data-role="{"admin" if admin else "staff"}"'
    view = "" if admin is None else f'<span class="kb-view">{"管理员视图" if admin else ""}</span>'
    return (
        f'<div class="kb-footer"{role}><span class="kb-office">{esc(office)}</span>{view}'
        '<details class="kb-help"><summary>使用说明</summary>'
        f"<ul>{items}</ul>"
        "<p>回答只依据知识库中的文件；找不到依据时会说明，并列出可能相关的段落。</p>"
        "</details></div>"
    )
