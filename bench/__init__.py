"""Benchmarks that print ratios side by side (run as ``python bench/NAME.py``); also what tests import from them."""
