"""HANK HKZW-SO03 smart plug, also sold as Zooz ZEN06.

Sources: the openHAB page (the ZEN06 manual), the zwave-js device files
0x0208/hkzw_so03.json and 0x027a/zen06.json. Where they disagree:
- 21: openHAB says "range 0 to 1" but documents three values; the manual and
  zwave-js agree on 0 previous, 1 on, 2 off. The device accepts 2, so 0-2.
- 27: ZEN06 firmware 1.3 and newer has four LED modes (default 1); older
  firmware and the HANK plug have two (default 0).
- 30, and the defaults 300 s of 173/174: ZEN06 firmware 1.3 and newer only.
  The fact sheet gives no values for 30; zwave-js's Zooz template does:
  0 disabled, 1 enabled (default).
- 151, 152, 171-174: 0 turns the report off; it is shown as the parameter's
  switch being off, and the number holds the working range from 1.

Energy guard: the manual gives a maximum load of 15 A (1800 W at 120 V) and
parameter 20 cuts the relay above 16.5 A; 16.5 A at 240 V is about 4 kW, so a
rise of the kWh total that implies more than 5 kW on average is a spike.
"""

from __future__ import annotations

from homeassistant.components.number import NumberDeviceClass
from homeassistant.const import PERCENTAGE, UnitOfPower, UnitOfTime

from .model import (
    ConfigParam,
    EventDecl,
    Fingerprint,
    FirmwareRange,
    PowerLimit,
    Quirk,
    SwitchDecl,
    ValueRef,
    When,
)
from .templates import (
    METER_POWER,
    current_sensor,
    energy_sensor,
    power_sensor,
    reset_meters_button,
    voltage_sensor,
)

SWITCH_BINARY_CC = 0x25
SCENE_ACTIVATION_CC = 0x2B

HANK = Fingerprint(
    manufacturer_id=0x0208,
    product_type=0x0101,
    product_id=0x000A,
    manufacturer="HANK Electronics",
    model="HKZW-SO03",
)
ZEN06 = Fingerprint(
    manufacturer_id=0x027A,
    product_type=0x0101,
    product_id=0x000A,
    manufacturer="Zooz",
    model="ZEN06",
    doc="the same hardware",
)
ZEN06_FW_1_3 = When(fingerprints=(ZEN06,), firmware=FirmwareRange(min="1.3"))


def _interval(number: int, key: str, default: int, when: When | None = None) -> ConfigParam:
    """A report interval of 1 s to 31 days; 0 turns the report off.

    Switching a report on that is off by default (173/174 before ZEN06 1.3)
    starts with 300 s, the default of the newer firmware.
    """
    return ConfigParam(
        number=number,
        size=4,
        key=key,
        default=default,
        min=1,
        max=2_678_400,
        off=0,
        on_value=None if default else 300,
        unit=UnitOfTime.SECONDS,
        device_class=NumberDeviceClass.DURATION,
        icon="mdi:timer-outline",
        when=when,
    )


QUIRK = Quirk(
    key="hank_hkzw_so03",
    description="smart plug",
    fingerprints=(HANK, ZEN06),
    entities=(
        SwitchDecl(
            key="switch",
            translation_key="outlet",
            icon="mdi:power-socket-eu",
            current=ValueRef(command_class=SWITCH_BINARY_CC, property="currentValue"),
            target=ValueRef(command_class=SWITCH_BINARY_CC, property="targetValue"),
            # the plug reports its power on a change of 5 % or its interval
            # (parameters 151-172): read it once after the relay has switched
            reads_after=(METER_POWER,),
            doc="the relay",
        ),
        energy_sensor(PowerLimit(watts=5000)),
        power_sensor(display_precision=1),
        voltage_sensor(),
        current_sensor(),
        reset_meters_button(),
        EventDecl(
            key="scene",
            icon="mdi:palette",
            translation_key="scene",
            source=ValueRef(command_class=SCENE_ACTIVATION_CC, property="sceneId"),
            event_type="scene_activated",
            attribute="scene_id",
            doc="`scene_activated`, with `scene_id`",
        ),
    ),
    parameters=(
        # The manual warns that disabling it may damage the device: not enabled
        # by default, so that it is not changed by accident.
        ConfigParam(
            number=20,
            size=1,
            key="overload_protection",
            icon="mdi:shield-alert",
            default=1,
            options={0: "disabled", 1: "enabled"},
            enabled_by_default=False,
            doc=(
                "**disabled by default in Home Assistant**: the manual warns that turning "
                "it off may damage the device; enable the entity to use it"
            ),
        ),
        ConfigParam(
            number=21,
            size=1,
            key="state_after_power_failure",
            icon="mdi:power-plug-battery",
            default=0,
            options={0: "previous", 1: "on", 2: "off"},
            doc=(
                'the openHAB page says "range 0 to 1" but lists three values; '
                "the manual and zwave-js agree on 0-2"
            ),
        ),
        ConfigParam(
            number=24,
            size=1,
            key="status_change_notifications",
            icon="mdi:bell-ring",
            default=1,
            options={0: "disabled", 1: "any_change", 2: "manual_only"},
        ),
        ConfigParam(
            number=27,
            size=1,
            key="led_indicator",
            icon="mdi:led-on",
            default=0,
            options={0: "always", 1: "five_seconds"},
        ),
        ConfigParam(
            number=27,
            size=1,
            key="led_indicator",
            icon="mdi:led-on",
            default=1,
            options={0: "always", 1: "when_on", 2: "five_seconds", 3: "off"},
            when=ZEN06_FW_1_3,
        ),
        ConfigParam(
            number=30,
            size=1,
            key="local_control",
            icon="mdi:gesture-tap-button",
            default=1,
            options={0: "disabled", 1: "enabled"},
            when=ZEN06_FW_1_3,
        ),
        ConfigParam(
            number=151,
            size=2,
            key="power_report_threshold",
            icon="mdi:tune-variant",
            default=50,
            min=1,
            max=65535,
            off=0,
            unit=UnitOfPower.WATT,
            device_class=NumberDeviceClass.POWER,
        ),
        ConfigParam(
            number=152,
            size=1,
            key="power_report_percentage",
            icon="mdi:tune-variant",
            default=10,
            min=1,
            max=255,
            off=0,
            unit=PERCENTAGE,
        ),
        _interval(171, "power_report_interval", 30),
        _interval(172, "energy_report_interval", 300),
        _interval(173, "voltage_report_interval", 0),
        _interval(173, "voltage_report_interval", 300, ZEN06_FW_1_3),
        _interval(174, "current_report_interval", 0),
        _interval(174, "current_report_interval", 300, ZEN06_FW_1_3),
    ),
)
