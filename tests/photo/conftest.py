"""Scenes are built once per session: each takes a few milliseconds, their analyses longer."""

from __future__ import annotations

import pytest

from photo import analyse
from tests.photo import scenes


@pytest.fixture(scope="session")
def good_scene() -> scenes.Scene:
    return scenes.portrait()


@pytest.fixture(scope="session")
def good_jpeg(good_scene: scenes.Scene) -> bytes:
    return good_scene.jpeg()


@pytest.fixture(scope="session")
def good_report(good_jpeg: bytes):
    return analyse(good_jpeg)
