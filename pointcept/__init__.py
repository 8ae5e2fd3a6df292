"""Pointcept-GC: self-supervised 3D scene understanding with GroupContrast, in a Pointcept-style framework."""

__version__ = "0.1.0"
