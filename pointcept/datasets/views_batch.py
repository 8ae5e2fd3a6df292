"""Old import path of the two-view batch globalisation; it lives in :mod:`pointcept.utils.views`.

``point_collate_fn`` now globalises two-view batches itself, so consumers get global indices without
calling anything; kept so that ``from pointcept.datasets.views_batch import globalize_view_batch`` works
(on an already-global batch it returns the batch's global entries unchanged).
"""

from pointcept.utils.views import (
    GLOBAL_VIEW_KEYS, globalize_view_batch, is_global_view_batch, is_view_batch, with_global_views,
)

__all__ = [
    "GLOBAL_VIEW_KEYS", "is_view_batch", "is_global_view_batch", "globalize_view_batch", "with_global_views",
]
