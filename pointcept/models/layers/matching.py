"""Old import path of the shared two-view matcher; it lives in :mod:`pointcept.utils.matching`.

It moved to ``utils`` so that the data side (``ContrastiveViewsGenerator``) and the models use the same
code without importing each other. Kept so that ``from pointcept.models.layers.matching import ...`` works.
"""

from pointcept.utils.matching import match_views, one_per_query, radius_match, sample_rows, view_pairs

__all__ = ["radius_match", "match_views", "one_per_query", "sample_rows", "view_pairs"]
