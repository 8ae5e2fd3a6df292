"""Pictures of point clouds and of what GroupContrast learns (segments, groups, confidence, similarity).

``colors`` (label and scalar colours), ``render`` (PNG panels), ``ply`` (coloured PLY files),
``groupcontrast`` (the per-point maps of a GC model) and ``cli`` (``tools/visualize.py``). Importing the
package is cheap: matplotlib and the models load only when a picture or a map is made.
"""

from .colors import label_colors, label_palette, rgb_colors, scalar_colors
from .ply import write_ply
from .render import Panel, panel_figure, render_array, render_panels

__all__ = [
    "label_colors", "label_palette", "rgb_colors", "scalar_colors", "write_ply", "Panel", "panel_figure",
    "render_array", "render_panels",
]
