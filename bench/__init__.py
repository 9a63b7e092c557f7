"""Benchmarks at full scale: a generated raw archive and the floor it is measured against."""
