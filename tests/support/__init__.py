"""Helpers shared by several test folders and the benchmarks."""
