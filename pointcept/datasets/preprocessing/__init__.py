"""Offline preprocessing: PLY reading and geometry segments (graph cut) for GroupContrast pretraining."""
