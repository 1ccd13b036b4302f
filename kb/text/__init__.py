"""Text primitives every layer shares: normalisation, sentences, numerals, figures, 文号."""
