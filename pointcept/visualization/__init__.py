"""Pictures of point clouds and of what GroupContrast learns (segments, groups, confidence, similarity).

``colors`` (label and scalar colours), ``render`` (PNG panels), ``ply`` (coloured PLY files),
``groupcontrast`` (the per-point maps of a GC model), ``instances`` and ``boxes`` (true vs predicted
instances / 3D boxes), ``commands`` (the registry of ``tools/visualize.py`` subcommands) and ``cli`` (its
parser). Importing the package imports every subcommand module, so each registers its subcommand in
:data:`~pointcept.visualization.commands.VISUALIZERS`; it stays cheap: matplotlib and the models load only
when a picture or a map is made.
"""

# each subcommand module registers its subcommand; ``--help`` lists them in this order
from . import scene, groupcontrast, instances, boxes  # noqa: F401,I001
from .colors import label_colors, label_palette, rgb_colors, scalar_colors
from .commands import VISUALIZERS
from .ply import write_ply
from .render import Panel, panel_figure, render_array, render_panels

__all__ = [
    "label_colors", "label_palette", "rgb_colors", "scalar_colors", "write_ply", "Panel", "panel_figure",
    "render_array", "render_panels", "VISUALIZERS",
]
