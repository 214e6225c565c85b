"""The service answers through the library API (``atlas_core.Repository``), holding one
open index reader while nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas_mcp.service import AtlasService

import atlas_core
from atlas_core.api import selection_to_dict
from atlas_core.plugin.manager import get_plugin_manager


@pytest.fixture
def service(repo: Path) -> AtlasService:
    return AtlasService(repo, get_plugin_manager(load_entrypoints=False))


def test_the_service_holds_one_repository_and_one_reader(repo: Path, service: AtlasService) -> None:
    first = service.query("retry backoff")
    repository = service.repo
    assert isinstance(repository, atlas_core.Repository)
    reader = service.reader
    for _ in range(3):
        assert service.query("retry backoff") == first
    assert service.repo is repository and service.reader is reader
    assert repository.reader_opens == 1 and service.index_runs == 1

    service.index()  # nothing changed: nothing written, the reader stays
    assert service.reader is reader and repository.reader_opens == 1
    (repo / "src/payments/refund.py").write_text("def refund_chargeback():\n    pass\n")
    assert service.query("refund chargeback")["Files"][0]["Path"] == "src/payments/refund.py"
    assert service.reader is not reader and repository.reader_opens == 2


def test_the_service_answers_what_the_library_answers(repo: Path, service: AtlasService) -> None:
    doc = service.query("retry backoff", top=3)
    with atlas_core.open(repo, manager=get_plugin_manager(load_entrypoints=False)) as library:
        result = library.query("retry backoff", top=3)
        assert doc == {
            **selection_to_dict(result.selection),
            "Notes": [n.message for n in result.notes],
        }
        rendered = service.render(task="retry backoff", max_tokens=1500)
        assert (
            rendered.text
            == library.render(
                library.query("retry backoff", max_tokens=1500),
                max_tokens=1500,
                task="retry backoff",
            ).text
        )
