"""Fixtures of the preprocessing tests: raw datasets in their official formats (see ``raw_formats``)."""

from __future__ import annotations

import pytest
from raw_formats import RawScan, write_tsv


@pytest.fixture
def scannet_raw(tmp_path):
    """Factory: ``scannet_raw(ids=("scene0000_00",), test_ids=())`` -> (raw_root, {id: RawScan})."""

    def make(ids=("scene0000_00",), test_ids=(), align: bool = True):
        root = tmp_path / "raw"
        scans = {i: RawScan(root, i, align=align) for i in ids}
        scans.update({i: RawScan(root, i, test=True, align=align) for i in test_ids})
        write_tsv(root / "scannetv2-labels.combined.tsv")
        return root, scans

    return make
