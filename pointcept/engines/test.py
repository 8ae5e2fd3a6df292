"""Compatibility module: the testers live in :mod:`pointcept.engines.testers` (one module per task)."""

from .testers import TESTERS, DetectionTester, InsSegTester, SemSegTester, TesterBase, build_tester

__all__ = ["TESTERS", "TesterBase", "build_tester", "SemSegTester", "InsSegTester", "DetectionTester"]
