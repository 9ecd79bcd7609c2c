"""Config flow: connect to a Z-Wave JS server and check it before saving."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

import probatio as vol
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from yarl import URL
from zwave_js_server.model.version import VersionInfo

from .const import CONF_URL, DEFAULT_URL, DOMAIN
from .options import ZwaveQuirksOptionsFlow
from .server import ServerCheckError, async_check_server


def _url_schema(default: str) -> vol.Schema:
    return vol.Schema({vol.Required(CONF_URL, default=default): str})


def _rediscovered_url(stored: str, host: str, port: int) -> str | None:
    """The stored URL with an announced host and port; None to keep it as it is.

    An announcement describes a plain ws://<address>:<port>. A wss:// URL, a
    host name, a path, credentials or a query are the user's choice.
    """
    try:
        url = URL(stored)
        ip_address(url.host or "")
    except TypeError, ValueError:
        return None
    if (
        url.scheme != "ws"
        or url.user
        or url.password
        or url.path not in ("", "/")
        or url.query_string
        or url.fragment
    ):
        return None
    return str(url.with_host(host).with_port(port))


class ZwaveQuirksConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a connection to one Z-Wave network."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Initialize."""
        self._discovered_url: str | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> ZwaveQuirksOptionsFlow:
        """The options: the capacity tariff's steps and period (options.py)."""
        return ZwaveQuirksOptionsFlow()

    async def _async_check(
        self, url: str
    ) -> tuple[VersionInfo | None, dict[str, str], dict[str, str]]:
        try:
            return await async_check_server(self.hass, url, listen=True), {}, {}
        except ServerCheckError as err:
            return None, {"base": err.reason}, err.placeholders

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the server's URL."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        url = DEFAULT_URL
        if user_input is not None:
            url = user_input[CONF_URL].strip()
            version, errors, placeholders = await self._async_check(url)
            if version is not None:
                entry = await self.async_set_unique_id(str(version.home_id))
                if (
                    entry is not None
                    and entry.source != SOURCE_IGNORE
                    and entry.data.get(CONF_URL) != url
                ):
                    # the network is known at another address: the user moved it
                    return self.async_update_reload_and_abort(
                        entry, data_updates={CONF_URL: url}, reason="url_updated"
                    )
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"Z-Wave network {version.home_id:08x}", data={CONF_URL: url}
                )
        return self.async_show_form(
            step_id="user",
            data_schema=_url_schema(url),
            errors=errors,
            description_placeholders=placeholders or None,
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A Z-Wave JS server announced itself."""
        home_id = discovery_info.properties.get("homeId")
        if not home_id:
            return self.async_abort(reason="not_zwave_js")
        host, port = discovery_info.host, discovery_info.port or 0
        if entry := await self.async_set_unique_id(str(home_id)):
            updated = _rediscovered_url(entry.data.get(CONF_URL, ""), host, port)
            self._abort_if_unique_id_configured(
                updates=None if updated is None else {CONF_URL: updated}
            )
        url = str(URL.build(scheme="ws", host=host, port=port))
        self._discovered_url = url
        self.context["title_placeholders"] = {"url": url}
        return await self.async_step_zeroconf_confirm()

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm a discovered server."""
        assert self._discovered_url is not None
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"url": self._discovered_url}
        if user_input is not None:
            version, errors, extra = await self._async_check(self._discovered_url)
            placeholders |= extra
            if version is not None:
                if str(version.home_id) != self.unique_id:
                    return self.async_abort(reason="wrong_network")
                return self.async_create_entry(
                    title=f"Z-Wave network {version.home_id:08x}",
                    data={CONF_URL: self._discovered_url},
                )
        return self.async_show_form(
            step_id="zeroconf_confirm",
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server's URL; the network must stay the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        url = entry.data[CONF_URL]
        if user_input is not None:
            url = user_input[CONF_URL].strip()
            version, errors, placeholders = await self._async_check(url)
            if version is not None:
                await self.async_set_unique_id(str(version.home_id))
                self._abort_if_unique_id_mismatch(reason="wrong_network")
                return self.async_update_reload_and_abort(entry, data_updates={CONF_URL: url})
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_url_schema(url),
            errors=errors,
            description_placeholders=placeholders or None,
        )
