"""Optional: ``pip install libs/graph_cut`` builds the graph cut library ahead of time.

Not needed normally: pointcept compiles ``graph_cut.cpp`` into ~/.cache/pointcept on first use. This
package is for machines where the runtime has no compiler. The library has a plain C ABI (loaded with
ctypes); it is built as an "extension" only so that setuptools compiles and installs it.
"""

from setuptools import Extension, setup

setup(
    name="pointcept-graph-cut",
    version="0.3.0",  # keep the minor number equal to GC_ABI_VERSION in graph_cut.cpp
    description="Felzenszwalb-Huttenlocher mesh / point cloud segmentation (ScanNet segmentator weights)",
    packages=["pointcept_graph_cut"],
    ext_modules=[
        Extension(
            "pointcept_graph_cut._graph_cut",
            sources=["graph_cut.cpp"],
            language="c++",
            extra_compile_args=["-O2", "-std=c++11", "-ffp-contract=off"],
        )
    ],
    python_requires=">=3.8",
    zip_safe=False,
)
