"""Benchmarks: scripts that measure deskbot and print numbers for docs/BENCHMARKS.md."""
