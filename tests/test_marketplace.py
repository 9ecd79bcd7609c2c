"""This repository as Home Assistant 2026.11's Marketplace (the built-in HACS) installs it.

The Marketplace's own checks that need no network, run against this checkout:
hacs.json as it reads it, the minimum version, the content it resolves from a
GitHub-style archive of the repository, and the installed manifest it refuses
to keep unless the loader would load it (``components/marketplace``:
``repositories/base.py``, ``repositories/integration.py``). Skipped on
releases without the Marketplace (2026.10: HACS checks it, test_validators.py).
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION

from custom_components.zwave_quirks.const import DOMAIN

from .conftest import ROOT

if (MAJOR_VERSION, MINOR_VERSION) < (2026, 11):
    pytest.skip("the Marketplace came with Home Assistant 2026.11", allow_module_level=True)

from homeassistant.components.marketplace.exceptions import MarketplaceError
from homeassistant.components.marketplace.repositories.base import (
    RepositoryArchive,
    RepositoryManifest,
)
from homeassistant.components.marketplace.repositories.integration import (
    IntegrationRepository,
    _check_loadable_manifest,
    _is_loadable_version,
    _validated_domain,
)
from homeassistant.components.marketplace.utils.version import (
    is_same_or_newer_version,
)
from homeassistant.const import __version__ as HA_VERSION

COMPONENT = ROOT / "custom_components" / DOMAIN


def repository_archive(files: dict[str, bytes]) -> bytes:
    """A ZIP as GitHub serves a ref: everything below one top directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(f"zwave_quirks-0.2.0/{path}", content)
    return buffer.getvalue()


def this_repository() -> dict[str, bytes]:
    files = {"hacs.json": (ROOT / "hacs.json").read_bytes()}
    for path in COMPONENT.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            files[str(path.relative_to(ROOT))] = path.read_bytes()
    return files


def hacs_json(caplog: pytest.LogCaptureFixture) -> RepositoryManifest:
    with caplog.at_level(logging.WARNING):
        manifest = RepositoryManifest.from_dict(json.loads((ROOT / "hacs.json").read_text()))
    # a value of the wrong type is dropped with a warning, not refused
    assert "Ignoring" not in caplog.text
    return manifest


def test_hacs_json_as_the_marketplace_reads_it(caplog: pytest.LogCaptureFixture) -> None:
    manifest = hacs_json(caplog)
    assert manifest.name == "Z-Wave Quirks"
    assert manifest.homeassistant == "2026.10.4"
    assert not manifest.content_in_root
    assert not manifest.zip_release
    # installable on this release and on 2026.10.4, not before
    assert is_same_or_newer_version(HA_VERSION, manifest.homeassistant)
    assert is_same_or_newer_version("2026.10.4", manifest.homeassistant)
    assert not is_same_or_newer_version("2026.10.3", manifest.homeassistant)


def test_the_manifest_is_what_the_marketplace_installs() -> None:
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    assert _validated_domain(manifest["domain"]) == DOMAIN
    assert _is_loadable_version(manifest["version"])
    _check_loadable_manifest(COMPONENT, DOMAIN)
    with pytest.raises(MarketplaceError):
        _check_loadable_manifest(COMPONENT, "zwave_js")


def test_an_archive_of_the_repository_resolves_and_installs(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    archive = RepositoryArchive(repository_archive(this_repository()))
    repository = IntegrationRepository(
        SimpleNamespace(core=SimpleNamespace(config_path=str(tmp_path))),  # type: ignore[arg-type]
        "zwave-quirks/zwave_quirks",
    )
    repository.repository_manifest = hacs_json(caplog)
    repository.tree = archive.tree
    repository.treefiles = [entry.path for entry in repository.tree]
    repository.ref = "tags/0.2.0"
    assert repository.try_resolve_content()
    assert repository.content.path.remote == f"custom_components/{DOMAIN}"
    target = tmp_path / "custom_components" / DOMAIN
    archive.extract_directory(repository.content.path.remote, str(target))
    _check_loadable_manifest(target, DOMAIN)
    assert (target / "__init__.py").is_file()
    assert (target / "brand" / "icon.png").is_file()
    assert (target / "translations" / "nb.json").is_file()


def test_the_checks_refuse_a_broken_repository(tmp_path: Path) -> None:
    """The same checks fail where they should: they are not vacuous here."""
    files = this_repository()
    del files[f"custom_components/{DOMAIN}/manifest.json"]
    archive = RepositoryArchive(repository_archive(files))
    repository = IntegrationRepository(
        SimpleNamespace(core=SimpleNamespace(config_path=str(tmp_path))),  # type: ignore[arg-type]
        "zwave-quirks/zwave_quirks",
    )
    repository.repository_manifest = RepositoryManifest.from_dict({"name": "Z-Wave Quirks"})
    repository.tree = archive.tree
    repository.treefiles = [entry.path for entry in repository.tree]
    repository.ref = "tags/0.2.0"
    assert not repository.try_resolve_content()
    target = tmp_path / "broken"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps({"domain": DOMAIN}))
    with pytest.raises(MarketplaceError) as err:
        _check_loadable_manifest(target, DOMAIN)
    assert err.value.translation_key == "installed_manifest_without_version"
