"""Device actions: set one of the picked device's parameters, with its own value box.

Home Assistant's service forms are static, so ``zwave_quirks.set_parameter``
cannot list only the picked device's parameters. A device action can: the
automation editor lists "Set parameter <entity>" for each parameter the device has, and
the value box gets that parameter's range, step and unit, or its options. The
action calls the service, so its validation and errors are the same.
"""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.components.device_automation import async_validate_entity_schema
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_ENTITY_ID, CONF_TYPE
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import selector
from homeassistant.helpers.template import Template
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN
from .quirks.codecs import raw_to_display
from .quirks.model import ConfigParam
from .services import (
    ATTR_PARAMETER,
    ATTR_VALUE,
    SERVICE_SET_PARAMETER,
    device_name,
    entity_name,
    not_a_yaml_boolean,
)
from .validation import async_subject

CONF_SUBTYPE = "subtype"
ACTION_SET_PARAMETER = "set_parameter"

ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): ACTION_SET_PARAMETER,
        vol.Required(ATTR_PARAMETER): vol.Coerce(int),
        # the parameter's key: tells the frontend's list entries apart
        vol.Required(CONF_SUBTYPE): cv.string,
        # the parameter's entity: the frontend names the action after it
        vol.Optional(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        # a number, an option, or a template of either (rendered when it runs)
        vol.Required(ATTR_VALUE): vol.All(
            not_a_yaml_boolean, vol.Any(vol.Coerce(float), cv.template)
        ),
    }
)


def _binding(hass: HomeAssistant, device_id: str) -> NodeBinding | None:
    entries: list[ZwaveQuirksConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            for binding in entry.runtime_data.bindings.values():
                if binding.device_id == device_id:
                    return binding
    return None


def _writable(binding: NodeBinding) -> list[ConfigParam]:
    """The parameters a user can set on the node as it is now."""
    return [
        p
        for p in binding.resolved.parameters
        if p.platform is not None and (binding.node is None or binding.has_value(p.value))
    ]


async def async_validate_action_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Validate an action: a parameter the device can be set to, when the device is known.

    Home Assistant validates again once the entry is loaded; the value is checked
    against the parameter when the action runs (it may be a template).
    """
    config = async_validate_entity_schema(hass, config, ACTION_SCHEMA)
    binding = _binding(hass, config[CONF_DEVICE_ID])
    if binding is not None and not any(
        p.number == config[ATTR_PARAMETER] and not p.read_only for p in binding.resolved.parameters
    ):
        raise InvalidDeviceAutomationConfig(
            f"{device_name(hass, binding)} has no parameter {config[ATTR_PARAMETER]}"
            " that can be set"
        )
    return config


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """One action per parameter of the device, named after the parameter's entity."""
    binding = _binding(hass, device_id)
    if binding is None:
        return []
    registry = er.async_get(hass)
    actions = []
    for param in _writable(binding):
        assert param.platform is not None
        registered = registry.async_get_entity_id(
            param.platform.value, DOMAIN, binding.unique_id(param.entity_key)
        )
        entry = registry.async_get(registered) if registered is not None else None
        if entry is None or entry.disabled_by is not None:
            # a disabled setting may be disabled on purpose (overload protection)
            continue
        actions.append(
            {
                CONF_DEVICE_ID: device_id,
                CONF_DOMAIN: DOMAIN,
                CONF_TYPE: ACTION_SET_PARAMETER,
                ATTR_PARAMETER: param.number,
                CONF_SUBTYPE: param.key,
                CONF_ENTITY_ID: entry.id,
            }
        )
    return actions


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The value box of the parameter: its range, step and unit, or its options."""
    binding = _binding(hass, config[CONF_DEVICE_ID])
    param = None
    if binding is not None:
        param = next(
            (p for p in _writable(binding) if str(p.number) == str(config.get(ATTR_PARAMETER))),
            None,
        )
    if binding is None or param is None:
        # the device is not connected now: the value as text, checked when it runs
        return {"extra_fields": vol.Schema({vol.Required(ATTR_VALUE): selector.TextSelector()})}
    value: selector.Selector[Any]
    if param.options:
        subject = await async_subject(hass, param, entity_name(hass, binding, param))
        value = selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=key, label=subject.labels.get(key, key))
                    for key in param.options.values()
                ],
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )
    else:
        low, high = param.span
        number = selector.NumberSelectorConfig(
            min=raw_to_display(low, param.scale),
            max=raw_to_display(high, param.scale),
            step=raw_to_display(param.step, param.scale),
            mode=selector.NumberSelectorMode.BOX,
        )
        if param.unit is not None:
            number["unit_of_measurement"] = param.unit
        value = selector.NumberSelector(number)
    return {"extra_fields": vol.Schema({vol.Required(ATTR_VALUE): value})}


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Set the parameter through the service: the same validation and errors."""
    # what is there: an action loaded before the entry was is not validated in full
    data = {k: config[k] for k in (CONF_DEVICE_ID, ATTR_PARAMETER, ATTR_VALUE) if k in config}
    value = data.get(ATTR_VALUE)
    if isinstance(value, str):
        value = Template(value, hass)
    if isinstance(value, Template):
        data[ATTR_VALUE] = value.async_render(variables, parse_result=False)
    await hass.services.async_call(
        DOMAIN, SERVICE_SET_PARAMETER, data, blocking=True, context=context
    )
