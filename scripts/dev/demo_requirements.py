"""Print the pinned requirements of the integrations the demo loads.

scripts/develop runs Home Assistant with --skip-pip, so scripts/setup installs
these up front: the requirements of Home Assistant's default integrations and
of the ones config/configuration.yaml names, with all their dependencies.

With domains as arguments, those integrations' requirements instead (with
their dependencies'): the scheduled workflow against Home Assistant's newest
release and beta installs what that release's zwave_js pins this way.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import yaml
from homeassistant import bootstrap, loader
from homeassistant.core import HomeAssistant

ROOT = Path(__file__).resolve().parents[2]


class _Loader(yaml.SafeLoader):
    """The safe loader; Home Assistant's tags (!include ...) read as nothing.

    Only the top-level keys, the integrations, count here.
    """


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


async def main(domains: list[str]) -> None:
    """Resolve the integrations and print their requirements."""
    text = (ROOT / "config" / "configuration.yaml").read_text()
    config = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    with tempfile.TemporaryDirectory() as tmp:
        hass = HomeAssistant(tmp)
        loader.async_setup(hass)
        todo = set(domains) or (
            set(config)
            | bootstrap.CORE_INTEGRATIONS
            | bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS
            | bootstrap.DEFAULT_INTEGRATIONS
            | {"recorder"}
        )
        seen: set[str] = set()
        requirements: set[str] = set()
        while todo:
            domain = todo.pop()
            if domain in seen:
                continue
            seen.add(domain)
            try:
                integration = await loader.async_get_integration(hass, domain)
            except loader.IntegrationNotFound:
                continue
            requirements.update(integration.requirements)
            todo.update(integration.dependencies)
            todo.update(integration.after_dependencies)
        await hass.async_stop(force=True)
    # nothing that needs hardware or the network beyond loopback
    print("\n".join(sorted(requirements)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
    sys.exit(0)
