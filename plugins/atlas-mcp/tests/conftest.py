"""A small repository with planted secrets, and a real ``atlas mcp`` to talk to over stdio."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.testing import write_repo

# planted secrets, assembled at run time so no file of the project holds one
AWS_KEY = "AKIA" + "Q3EXZ7TJ2MVB4NHA"
GH_TOKEN = "gh" + "p_" + "x9Kq2Lm7Zt" * 3 + "Ab3dE5"
ENV_TOKEN = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
PLANTED = (AWS_KEY, GH_TOKEN, ENV_TOKEN)

REPO = {
    "src/payments/retry.py": (
        "class RetryPolicy:\n"
        "    def backoff(self, attempt):\n"
        "        return min(2 ** attempt, 30)\n"
        "\n"
        f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"  # payments retry uploads\n'
    ),
    "src/payments/client.py": (
        "from payments.retry import RetryPolicy\n\n"
        "class PaymentClient:\n"
        "    def charge(self, amount):\n"
        "        return self.http.post('/charge', amount)\n\n"
        f'def connect(token="{GH_TOKEN}"):\n'
        "    return PaymentClient()\n"
    ),
    ".env": f"PAYMENTS_RETRY_TOKEN={ENV_TOKEN}\n",
    "tests/test_retry.py": "def test_retry_backoff():\n    assert RetryPolicy().backoff(1) == 2\n",
    "README.md": "# Payments\n\nA payment client with retry and backoff.\n",
    "atlas.toml": '[presets.team]\nextends = "balanced"\nmax_tokens = 900\n',
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO)


def atlas_executable() -> str:
    """The ``atlas`` script of the running environment."""
    beside = Path(sys.executable).with_name("atlas")
    found = str(beside) if beside.exists() else shutil.which("atlas")
    assert found, "the atlas command is not installed"
    return found


Scenario = Callable[[Any], Awaitable[None]]


def _talk(
    root: Path, scenario: Scenario, *, mode: str = "legacy", args: tuple[str, ...] = ()
) -> None:
    """Start ``atlas mcp --root ROOT`` as an agent would and run ``scenario(client)``."""
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=atlas_executable(),
        args=["mcp", "--root", str(root), *args],
        # the test process runs with ATLAS_LOAD_PLUGINS=""; the server must load this plugin
        env={"ATLAS_LOAD_PLUGINS": "mcp"},
    )

    async def run() -> None:
        with anyio.fail_after(120):
            async with Client(params, mode=mode) as client:
                await scenario(client)

    anyio.run(run)


@pytest.fixture
def talk() -> Callable[..., None]:
    """``talk(root, scenario, mode=..., args=...)``: a real server, the SDK's stdio client."""
    return _talk


@pytest.fixture
def planted() -> tuple[str, ...]:
    """The secrets planted in ``repo``."""
    return PLANTED
