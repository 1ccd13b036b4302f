"""Synthetic corpora of any size that read like the real one, with vectors that behave like real ones.

Text: sentences of the bundled corpus recombined 1-3 to an article, with every figure
redrawn (years stay plausible) and place names swapped, some articles citing a 文号, written as law-shaped files
that go through the real `kb ingest` (loader, chunker, Chroma, BM25). So BM25 sees
realistic Chinese vocabulary and document frequencies, and no two chunks are identical.

Vectors: each real sentence is embedded once by the real embedder (cached on disk); a
chunk's vector is the normalised mean of its sentences' vectors plus a little noise.
Embedding 100k chunks for real would take hours on this machine and measures nothing
the index cares about: what matters for search cost is count and dimension.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.corpus import load_corpus
from ingest.structure import chunk_document
from kb.text.numerals import int_to_cn
from kb.text.sentences import sentence_spans

PLACES = [
    "柳江区", "柳北区", "鱼峰区", "柳南区", "城中区", "柳城县", "鹿寨县", "融安县", "融水县", "三江县",
    "兴宾区", "港北区", "右江区", "金城江区", "八步区", "长洲区", "万秀区", "钦南区", "海城区", "江州区",
]
TOPICS = [
    "法治政府建设年度报告", "行政执法工作情况报告", "优化营商环境工作方案", "行政复议工作规则",
    "重大行政决策事项目录", "公共法律服务体系建设实施意见", "行政规范性文件管理办法", "人民调解工作办法",
]
DOCNUM_PREFIXES = ["江政办", "江政发", "鹿政办", "融政发", "柳政办", "桂政办发", "江司发", "江法委发"]
CITED = ["实施方案", "工作方案", "管理办法", "任务分工表", "工作意见"]
DOCNUM_SHARE = 0.12  # articles that open by citing a 文号, as the report does
_NUMBER = re.compile(r"\d+")
_PLACE = re.compile("柳江区|柳州市|柳江")
NOISE = 0.015  # per-dimension noise before re-normalising: near-duplicates stay near, not equal


def _sentences(text: str) -> list[str]:
    """Sentences as the synthetic corpus reuses them: each ends at its first end mark."""
    return [text[a:b] for a, b in sentence_spans(text, semicolon=True, closers=False, run=False)]


def corpus_sentences(corpus: Path, limit: int | None = None) -> list[str]:
    """Distinct body sentences of the corpus (8-120 characters), in a stable order."""
    docs, _ = load_corpus(corpus)
    seen: dict[str, None] = {}
    for doc in docs:
        for chunk in chunk_document(doc):
            if chunk.kind != "body":
                continue
            for s in _sentences(chunk.text):
                if 8 <= len(s) <= 120:
                    seen.setdefault(s)
    out = list(seen)
    return out[:limit] if limit else out


def sentence_vectors(sentences: list[str], embeddings: Embeddings, cache_dir: Path) -> np.ndarray:
    """Real passage embeddings of the sentences, computed once and cached by content."""
    key = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()[:16]
    model = str(getattr(embeddings, "model_id", type(embeddings).__name__)).replace("/", "_").replace(":", "_")
    path = cache_dir / f"sentences-{model}-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.asarray(embeddings.embed_documents(sentences), dtype=np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def vary(sentence: str, rng: random.Random, place: str) -> str:
    """The sentence with new figures and the document's place name."""
    def number(m: re.Match) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return str(rng.randint(2015, 2025))
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 1
        return str(rng.randint(low, 10 ** len(digits) - 1))

    return _PLACE.sub(place, _NUMBER.sub(number, sentence))


def write_corpus(
    folder: Path, n_chunks: int, sentences: list[str], seed: int = 7, per_doc: int = 49
) -> dict[str, int]:
    """Write law-shaped documents (a title line, then 第X条 articles of 1-3 sentences) until
    about `n_chunks` chunks (each document: its title piece and `per_doc` articles).

    Returns varied sentence -> index of the corpus sentence it came from, for the vectors.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    origin: dict[str, int] = {}
    n_docs = max(1, round(n_chunks / (per_doc + 1)))
    for d in range(n_docs):
        place = rng.choice(PLACES)
        year = rng.randint(2015, 2025)
        lines = [f"{place}{year}年{rng.choice(TOPICS)}"]
        for j in range(per_doc):
            parts = []
            for _ in range(rng.choice((1, 2, 2, 3))):
                i = rng.randrange(len(sentences))
                varied = vary(sentences[i], rng, place)
                origin.setdefault(varied, i)
                parts.append(varied)
            if rng.random() < DOCNUM_SHARE:
                number = f"{rng.choice(DOCNUM_PREFIXES)}〔{rng.randint(2015, 2025)}〕{rng.randint(1, 60)}号"
                parts.insert(0, f"根据《{place}{rng.choice(TOPICS)[:4]}{rng.choice(CITED)}》（{number}），")
            body = "".join(parts)[:140]
            lines.append(f"第{int_to_cn(j + 1)}条 {body}")
        (folder / f"doc_{d:06d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return origin


class DerivedEmbeddings(Embeddings):
    """Passage vectors derived from real sentence vectors; stands in for the embedder at ingest only.

    It reports the real embedder's id, so the index it builds is queried with the real model.
    """

    def __init__(self, origin: dict[str, int], vectors: np.ndarray, model_id: str) -> None:
        self.origin = origin
        self.vectors = vectors
        self.model_id = model_id

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
        rng = np.random.default_rng(seed)
        body = re.sub(r"^第[^条：\s]+条[：\s]*", "", text)
        found = [self.origin[s] for s in _sentences(body) if s in self.origin]
        if not found:  # a title line or a sentence cut by the chunker: some real vectors all the same
            found = list(rng.integers(0, len(self.vectors), size=2))
        v = self.vectors[found].mean(axis=0) + rng.normal(0, NOISE, self.vectors.shape[1])
        return v / np.linalg.norm(v)

    def embed_documents(self, texts: list[str], progress=None) -> list[list[float]]:
        out = [self._one(t).tolist() for t in texts]
        if progress:
            progress(len(texts))
        return out

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError("queries must use the real embedder")
