"""SVG snapshots of the real app on the seeded simulator (see ``scenes.py`` for what is pinned).

After an intended change of the look, review the new pictures and accept them with
``pytest tests/snapshots --snapshot-update``.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.image import SVGImageSnapshotExtension

from tests.snapshots.scenes import SNAPSHOT_SCENES, Scene, render


@pytest.fixture
def svg_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(SVGImageSnapshotExtension)


@pytest.mark.parametrize("scene", SNAPSHOT_SCENES, ids=lambda scene: scene.name)
async def test_scene(scene: Scene, svg_snapshot: SnapshotAssertion) -> None:
    assert await render(scene) == svg_snapshot
