"""Install the ``pointcept`` package. Install torch first (see scripts/setup.sh): an unpinned torch
requirement on a machine without torch would pull a multi-GB CUDA build."""

from setuptools import find_packages, setup

setup(
    name="pointcept-gc",
    version="0.1.0",
    description="GroupContrast self-supervised 3D pretraining in a Pointcept-style framework",
    license="MIT",
    python_requires=">=3.10",
    packages=find_packages(include=["pointcept", "pointcept.*"]),
    package_data={"pointcept.datasets.meta": ["splits/*.txt", "splits/README.md"]},
    install_requires=[
        "torch>=2.1",
        "numpy",
        "scipy",
        "addict",
        "tqdm",
        "tensorboard",
        "matplotlib",
    ],
    extras_require={
        "open3d": ["open3d"],
        "test": ["pytest", "pytest-timeout"],
    },
    entry_points={
        "console_scripts": [
            "pointcept-train=pointcept.engines.cli:train_main",
            "pointcept-test=pointcept.engines.cli:test_main",
        ]
    },
)
