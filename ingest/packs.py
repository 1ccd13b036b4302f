"""Read an optional corpus pack: a folder under `corpus/packs/<name>/` of Markdown laws with
a `LAWS.tsv` catalog (name, level, dates, status, the newer version). A pack is off unless
a deployment switches it on: the national library is 863 laws and takes about twenty
minutes to embed, which a fresh `make run` must not wait for.

Each law becomes a `SourceDoc` whose text is the decoded Markdown (`# title` and `##`
marks gone, `<!-- INFO END -->` gone), so `ingest.structure` chunks it like any other law:
the history lines before the first article are its 题注, `第X章` a division, `第X条` an
article. A law the main corpus already holds (SOURCES.tsv `source` names the same file) is
read from the corpus only; an older version that names it as its successor points there.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import LoadError, load_text
from kb.schema import SourceDoc, content_hash
from kb.text.docnum import header_number

PACKS_DIR = "packs"  # below the corpus folder; never read as part of the corpus itself
CATALOG_NAME = "LAWS.tsv"
STATUSES = ("in_force", "superseded", "repealed")
_VERSION_DATE = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]$")


@dataclass(frozen=True)
class LawEntry:
    """One row of LAWS.tsv: a file and what the catalog says of it."""

    file: str
    name: str
    level: str
    published: str
    in_force_from: str
    status: str
    superseded_by: str


def pack_dir(corpus_dir: Path, name: str) -> Path:
    return corpus_dir / PACKS_DIR / name


def available_packs(corpus_dir: Path) -> list[str]:
    """Names of the packs present in the corpus folder (each a folder with a LAWS.tsv)."""
    root = corpus_dir / PACKS_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / CATALOG_NAME).is_file())


def read_laws(pack: Path) -> list[LawEntry]:
    """LAWS.tsv rows in file order; an unknown status counts as in force (a hint, not an authority)."""
    with (pack / CATALOG_NAME).open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r.get("file")]
    out = []
    for r in rows:
        status = (r.get("status") or "").strip()
        out.append(
            LawEntry(
                file=r["file"].strip(),
                name=(r.get("name") or "").strip(),
                level=(r.get("level") or "").strip(),
                published=(r.get("published") or "").strip() or version_date(r["file"]),
                in_force_from=(r.get("in_force_from") or "").strip(),
                status=status if status in STATUSES else "in_force",
                superseded_by=(r.get("superseded_by") or "").strip(),
            )
        )
    return out


def version_date(file: str) -> str:
    """The publication date a library file name carries: 行政复议法(2017-09-01).md -> 2017-09-01."""
    m = _VERSION_DATE.search(Path(file).stem)
    return m.group(1) if m else ""


def corpus_sources(corpus_dir: Path) -> dict[str, str]:
    """Library paths the main corpus already holds -> the corpus doc_id, from the `source`
    column of SOURCES.tsv (github:owner/repo@commit:path)."""
    path = corpus_dir / "SOURCES.tsv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = {}
    for r in rows:
        source = (r.get("source") or "").strip()
        if r.get("file") and source.startswith("github:") and source.count(":") >= 2:
            out[source.rsplit(":", 1)[1]] = r["file"]
    return out


def version_title(name: str, published: str) -> str:
    """How a law that is not the current version is cited: its name and the year of the
    version, so two versions never look alike in a citation."""
    return f"{name}（{published[:4]}年版）" if published[:4].isdigit() else name


def load_pack(corpus_dir: Path, name: str) -> tuple[list[SourceDoc], list[tuple[str, str]]]:
    """The pack's documents, and (file, reason) for each it could not read."""
    root = pack_dir(corpus_dir, name)
    held = corpus_sources(corpus_dir)
    prefix = root.relative_to(corpus_dir).as_posix()
    docs: list[SourceDoc] = []
    skipped: list[tuple[str, str]] = []
    for law in read_laws(root):
        if law.file in held:
            continue  # one copy of each law: the corpus's own
        rel = f"{prefix}/{law.file}"
        try:
            decoded = load_text(root / law.file)
        except LoadError as err:
            skipped.append((rel, err.reason))
            continue
        except OSError as err:
            skipped.append((rel, f"无法读取文件：{err.strerror}"))
            continue
        full_name = decoded.text.split("\n", 1)[0].strip() or law.name
        successor = ""
        if law.superseded_by:
            successor = held.get(law.superseded_by) or f"{prefix}/{law.superseded_by}"
        current = law.status == "in_force"
        docs.append(
            SourceDoc(
                doc_id=rel,
                title=full_name if current else version_title(full_name, law.published),
                doc_number=header_number(decoded.text, latest=True),
                text=decoded.text,
                source=rel,
                content_hash=content_hash(decoded.text),
                date=law.published,
                encoding=decoded.encoding,
                level=law.level,
                published=law.published,
                in_force_from=law.in_force_from,
                status=law.status,
                superseded_by=successor,
            )
        )
    return docs, skipped
