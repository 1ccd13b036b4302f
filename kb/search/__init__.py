"""Search: query analysis and hybrid retrieval (dense + BM25, fused with RRF) over one request snapshot."""
