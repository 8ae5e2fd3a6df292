"""Class tables of the supported benchmarks."""
