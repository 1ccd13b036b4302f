"""Read a corpus folder into `SourceDoc`s: the catalog (SOURCES.tsv) names what it can,
each document's own header names the rest. A file that can't be read is reported, and
the rest of the corpus still goes in.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_text
from ingest.packs import PACKS_DIR, load_pack, pack_dir
from kb.schema import SourceDoc, content_hash
from kb.text.titles import display_title

CATALOG_NAME = "SOURCES.tsv"


@dataclass(frozen=True)
class CatalogEntry:
    file: str
    title: str
    doc_number: str
    issuer: str
    date: str


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def read_catalog(corpus_dir: Path) -> dict[str, CatalogEntry]:
    """SOURCES.tsv rows by file name; a missing catalog is an empty one."""
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {
            r["file"]: CatalogEntry(
                file=r["file"],
                title=(r.get("title") or "").strip(),
                doc_number=(r.get("doc_number") or "").strip(),
                issuer=(r.get("issuer") or "").strip(),
                date=(r.get("date") or "").strip(),
            )
            for r in rows
            if r.get("file")
        }


def _header_title(text: str) -> str:
    """A document's first line is its title when it is short and is not a sentence."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if 2 <= len(first) <= 60 and not re.search(r"[。；，,;]", first):
        return first
    return ""


def is_document_name(name: str) -> bool:
    """Whether a file of this name is read as a document: a supported type, not hidden. The
    catalog (SOURCES.tsv), a pack's LAWS.tsv and profile.toml are metadata, never documents."""
    return Path(name).suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(".")


# Lines under the title a document's own 文号 may stand on (title, 文号, date, addressee…).
_NUMBER_LINES = 4


def _header_docnum(text: str) -> str:
    """A document's own 文号 when a line under its title is that number and nothing else
    (江司通〔2024〕9号), as an official document prints it; "" otherwise."""
    from kb.text.docnum import find_docnums

    lines = [line.strip() for line in text.lstrip().split("\n")[1 : 1 + _NUMBER_LINES]]
    for line in filter(None, lines):
        found = find_docnums(line)
        if len(found) == 1 and found[0].raw.strip() == line.strip(" \t\u3000"):
            return line
    return ""


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Documents of the corpus: supported files, anywhere below the folder, catalog excluded.
    Packs (`packs/<name>/`) are not part of it: each is read only when switched on."""
    found = []
    for root, dirs, files in os.walk(corpus_dir):
        if Path(root) == corpus_dir and PACKS_DIR in dirs:
            dirs.remove(PACKS_DIR)  # never walked: 863 laws the default ingest must not see
        found.extend(Path(root) / f for f in files if is_document_name(f))
    return sorted(p for p in found if p.is_file())


def load_document(path: Path, corpus_dir: Path, catalog: dict[str, CatalogEntry]) -> SourceDoc:
    """Decode one file and name it; raises LoadError when the file can't be read."""
    decoded = load_text(path)
    rel = path.relative_to(corpus_dir).as_posix()
    entry = catalog.get(rel) or catalog.get(path.name)
    title = display_title(entry.title) if entry and entry.title else _header_title(decoded.text)
    return SourceDoc(
        doc_id=rel,
        title=title or path.stem,
        doc_number=entry.doc_number if entry and entry.doc_number else _header_docnum(decoded.text),
        text=decoded.text,
        source=rel,
        content_hash=content_hash(decoded.text),
        issuer=entry.issuer if entry else "",
        date=entry.date if entry else "",
        encoding=decoded.encoding,
    )


def load_corpus(corpus_dir: Path, packs: tuple[str, ...] = ()) -> tuple[list[SourceDoc], list[Skipped]]:
    """Every readable document of the folder and of the packs named, and every unreadable
    one with its reason. A pack named but absent is reported as skipped."""
    catalog = read_catalog(corpus_dir)
    docs: list[SourceDoc] = []
    skipped: list[Skipped] = []
    for path in corpus_files(corpus_dir):
        try:
            docs.append(load_document(path, corpus_dir, catalog))
        except LoadError as err:
            skipped.append(Skipped(path.relative_to(corpus_dir).as_posix(), err.reason))
        except OSError as err:
            skipped.append(Skipped(path.relative_to(corpus_dir).as_posix(), f"无法读取文件：{err.strerror}"))
    for name in packs:
        if not (pack_dir(corpus_dir, name) / "LAWS.tsv").is_file():
            skipped.append(Skipped(f"{PACKS_DIR}/{name}", "找不到资料包（缺少 LAWS.tsv）"))
            continue
        pack_docs, pack_skipped = load_pack(corpus_dir, name)
        docs.extend(pack_docs)
        skipped.extend(Skipped(f, r) for f, r in pack_skipped)
    return docs, skipped
