"""Search: query analysis, hybrid retrieval (dense + BM25, fused with RRF) and its trace."""
