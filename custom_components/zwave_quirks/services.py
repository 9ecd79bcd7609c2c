"""Services: write a configuration parameter by number, validated by the quirk."""

from __future__ import annotations

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN
from .validation import raw_for_any

SERVICE_SET_PARAMETER = "set_parameter"
ATTR_DEVICE_ID = "device_id"
ATTR_PARAMETER = "parameter"
ATTR_VALUE = "value"

SET_PARAMETER_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_PARAMETER): vol.Coerce(int),
        vol.Required(ATTR_VALUE): vol.Any(vol.Coerce(float), cv.string),
    }
)


def _binding(hass: HomeAssistant, device_id: str) -> NodeBinding:
    entries: list[ZwaveQuirksConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is not ConfigEntryState.LOADED:
            continue
        for binding in entry.runtime_data.bindings.values():
            if binding.device_id == device_id:
                return binding
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_device",
        translation_placeholders={"device_id": device_id},
    )


async def _async_set_parameter(call: ServiceCall) -> None:
    binding = _binding(call.hass, call.data[ATTR_DEVICE_ID])
    number = call.data[ATTR_PARAMETER]
    param = binding.resolved.parameter(number)
    if param is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_parameter",
            translation_placeholders={
                "parameter": str(number),
                "parameters": ", ".join(str(p.number) for p in binding.resolved.parameters),
            },
        )
    raw = raw_for_any(param, call.data[ATTR_VALUE])
    await binding.async_set_value(param.value, raw)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services once for the integration."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_PARAMETER, _async_set_parameter, schema=SET_PARAMETER_SCHEMA
    )
