"""The live tests ask the service as phones do, with curl: without it they fail (tests/support/tools.py)."""

import pytest

from tests.support.tools import require_tools


@pytest.fixture
def curl_required() -> None:
    require_tools("curl")
