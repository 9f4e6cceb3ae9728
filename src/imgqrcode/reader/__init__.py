"""The reading core: image bytes in, codes out. Knows nothing of HTTP."""
