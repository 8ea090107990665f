"""Music to events and back: each family's codec, the vocabulary, and the grammars that keep sampled events well
formed."""
