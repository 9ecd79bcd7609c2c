"""Heatit Z-HAN2, a HAN-port sensor for Norwegian AMS smart meters.

Sources: the openHAB page, the zwave-js device file 0x019b/z-han2.json and
the project's fact sheet. Where they disagree:
- 1: openHAB gives no range; zwave-js allows 0-100000 W.
- 3: the fact sheet says no source states a unit, but both name the parameter
  "for A" and zwave-js gives the unit A, so it is shown in A.
- 7: both give 0-100 in 0.1 °C, but the device works in 0.5 °C steps, so the
  entity offers 0-10 °C in steps of 0.5 (raw step 5).
- 1, 2, 3, 7: 0 turns the report off; it is shown as the parameter's switch
  being off, and the number holds the working range (param 7 from 0.5 °C).
- 11: 0 means "no scaling" and is a plain value of the number: no source says
  what 1 does, so there is no working value to switch back on to.
- 8: signed one-byte two's complement ("use 256 and subtract"): -6.0..6.0 °C.
- 9, 10: read only. They hold the meter point serial as eight ASCII bytes
  (big-endian) and are shown together as one diagnostic sensor, never written.
"""

from __future__ import annotations

from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)

from .codecs import serial_text
from .model import (
    RATE_PRODUCED,
    ConfigParam,
    Fingerprint,
    Quirk,
    SensorDecl,
    ValueRef,
    electric_meter,
)
from .templates import current_sensor, energy_sensor, power_sensor, voltage_sensor

SENSOR_MULTILEVEL_CC = 0x31

Z_HAN2 = Fingerprint(
    manufacturer_id=0x019B,
    product_type=0x0062,
    product_id=0x6201,
    manufacturer="Heatit",
    model="Z-HAN2",
)

SERIAL_FIRST = ConfigParam(
    number=9, size=4, key="serial_first", default=0, min=0, max=0xFFFFFFFF, read_only=True
)
SERIAL_SECOND = ConfigParam(
    number=10, size=4, key="serial_second", default=0, min=0, max=0xFFFFFFFF, read_only=True
)


def _interval(number: int, key: str, default: int, minimum: int) -> ConfigParam:
    return ConfigParam(
        number=number,
        size=2,
        key=key,
        default=default,
        min=minimum,
        max=65535,
        unit=UnitOfTime.SECONDS,
        device_class=NumberDeviceClass.DURATION,
    )


QUIRK = Quirk(
    key="heatit_z_han2",
    fingerprints=(Z_HAN2,),
    entities=(
        energy_sensor(),
        energy_sensor("energy_export", RATE_PRODUCED, optional=True),
        # kVAh has no device class in Home Assistant
        SensorDecl(
            key="apparent_energy",
            translation_key="apparent_energy",
            sources=(electric_meter(1),),
            state_class=SensorStateClass.TOTAL_INCREASING,
            unit="kVAh",
            display_precision=2,
        ),
        power_sensor(display_precision=0),
        voltage_sensor(),
        current_sensor(),
        SensorDecl(
            key="temperature",
            translation_key="temperature",
            sources=(ValueRef(command_class=SENSOR_MULTILEVEL_CC, property="Air temperature"),),
            device_class=SensorDeviceClass.TEMPERATURE,
            state_class=SensorStateClass.MEASUREMENT,
            unit=UnitOfTemperature.CELSIUS,
            display_precision=1,
        ),
        SensorDecl(
            key="meter_serial",
            translation_key="meter_serial",
            entity_category=EntityCategory.DIAGNOSTIC,
            sources=(SERIAL_FIRST.value, SERIAL_SECOND.value),
            convert=serial_text,
        ),
    ),
    parameters=(
        ConfigParam(
            number=1,
            size=4,
            key="power_hysteresis",
            default=200,
            min=1,
            max=100_000,
            off=0,
            unit=UnitOfPower.WATT,
            device_class=NumberDeviceClass.POWER,
        ),
        ConfigParam(
            number=2,
            size=2,
            key="voltage_hysteresis",
            default=5,
            min=1,
            max=420,
            off=0,
            unit=UnitOfElectricPotential.VOLT,
            device_class=NumberDeviceClass.VOLTAGE,
        ),
        ConfigParam(
            number=3,
            size=2,
            key="current_hysteresis",
            default=20,
            min=1,
            max=65535,
            off=0,
            unit=UnitOfElectricCurrent.AMPERE,
            device_class=NumberDeviceClass.CURRENT,
        ),
        _interval(4, "power_report_interval", 10, 10),
        _interval(5, "voltage_current_report_interval", 300, 10),
        _interval(6, "temperature_report_interval", 300, 30),
        ConfigParam(
            number=7,
            size=1,
            key="temperature_hysteresis",
            default=10,
            min=5,
            max=100,
            step=5,
            off=0,
            scale=10,
            unit=UnitOfTemperature.CELSIUS,
        ),
        ConfigParam(
            number=8,
            size=1,
            key="temperature_calibration",
            default=0,
            min=-60,
            max=60,
            scale=10,
            signed=True,
            unit=UnitOfTemperature.CELSIUS,
        ),
        SERIAL_FIRST,
        SERIAL_SECOND,
        ConfigParam(number=11, size=2, key="scaling_factor", default=0, min=0, max=1000),
    ),
)
