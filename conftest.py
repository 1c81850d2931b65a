"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and generated files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
