"""The index: Chroma vectors and BM25 files per generation (`writer` builds one and flips the
pointer, `reader` follows the pointer), the store beneath them and the embedders."""

from kb.index.reader import EmptyIndexError, Generation, Index, open_index

__all__ = ["EmptyIndexError", "Generation", "Index", "open_index"]
