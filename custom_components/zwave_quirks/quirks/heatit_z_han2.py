"""Heatit Z-HAN2, a HAN-port sensor for Norwegian AMS smart meters.

Sources: the openHAB page, the zwave-js device file 0x019b/z-han2.json, the
project's fact sheet, and Heatit's own driver for this device (the Homey app,
public repository Heatit-Controls/no.thermofloor, drivers/Z-HAN2/).

Meter scale 1 ("kVAh" in the Meter CC) is exported active energy (kWh):
- An AMS meter's HAN port publishes active import and export registers
  (A+, A-) and reactive ones, never apparent energy; the openHAB "kVAh"
  channel is only the command class's generic name for scale 1.
- The maker's driver, commit by commit: 9f61559 (2024-02-22, first Z-HAN2
  driver) reads kWh, W, V, A and temperature, offers a meter reset, and drops
  temperature -999.9; its attempts to read scale 1 are commented out.
  523b628 (2024-10-18, "Tweaked Z-Han2 accumulated energy") adds "Imported
  Energy" and "Exported Energy" to a cumulative import/export energy model.
  dbf49dd (2025-02-14) replaces them with one capability fed by scale-1
  reports, still labelled kVAh. On the branch "hanenergy", ffa2eed
  (2026-01-15) declares that scale-1 capability the device's cumulative
  *exported* energy, and c65d8b6 (2026-01-19) renames it to a kWh export
  meter ("meter_power.export") read from scale 1, beside import from scale 0.
- The rate type on these reports is not documented (Meter v3), so consumed
  and produced both feed "Energy exported", and so would a produced reading
  on scale 0, exported energy by the Z-Wave standard. They are alternative
  encodings of one register: the one the node reported last is shown
  (remembered across restarts). zwave-js keeps every value it has seen, so a
  rate type or scale the node no longer sends must not hold the entity on a
  stale total. Until the node reports, the standard encoding comes first,
  then produced, then consumed. One export entity, never two.

Other readings:
- Temperature -999.9 °C is the device's "no reading" value (the maker's
  driver drops it): shown as unknown.
- Energy guard: 3 x 125 A at 400 V, the largest main fuse of a directly
  metered home, is 87 kW; with margin 100 kW. Larger installations are metered
  through current transformers and use parameter 11's scaling factor, which
  multiplies the meter values and so the limit.

Parameters, where the sources disagree:
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
- 9, 10: read only, never written. The eight bytes (big-endian) hold the
  meter's id: 16 decimal digits as BCD on AMS meters (the zwave-js defaults
  read as the ASCII placeholder "funymeme"). Shown as one diagnostic sensor,
  redacted in diagnostics: a meter id identifies a household.

Capacity tariff: the Norwegian grid tariff's capacity part ("kapasitetsledd")
is what the HAN port is bought for. The capacity sensors (templates
capacity_sensors, computed in capacity.py) follow the import total on scale 0
as its guard accepts it, and the power (W, scale 2) in between.
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
    RATE_CONSUMED,
    RATE_PRODUCED,
    ConfigParam,
    Fingerprint,
    PowerLimit,
    Quirk,
    SensorDecl,
    ValueRef,
    electric_meter,
)
from .templates import (
    capacity_sensors,
    current_sensor,
    energy_sensor,
    power_sensor,
    reset_meters_button,
    voltage_sensor,
)

SENSOR_MULTILEVEL_CC = 0x31

Z_HAN2 = Fingerprint(
    manufacturer_id=0x019B,
    product_type=0x0062,
    product_id=0x6201,
    manufacturer="Heatit",
    model="Z-HAN2",
)


def _serial_half(number: int, key: str) -> ConfigParam:
    """Half of the meter's id: read only, never written, redacted in diagnostics."""
    return ConfigParam(
        number=number,
        size=4,
        key=key,
        default=0,
        min=0,
        max=0xFFFFFFFF,
        read_only=True,
        private=True,
        doc="shown as Meter serial number",
    )


SERIAL_FIRST = _serial_half(9, "serial_first")
SERIAL_SECOND = _serial_half(10, "serial_second")
SCALING_FACTOR = ConfigParam(
    number=11,
    size=2,
    key="scaling_factor",
    icon="mdi:tune-variant",
    default=0,
    min=0,
    max=1000,
    doc="0 = no scaling; no switch: no source says what turning scaling on would mean",
)
# 3 x 125 A at 400 V is 87 kW; times the scaling factor when one is set
MAX_POWER = PowerLimit(watts=100_000, scaled_by=SCALING_FACTOR.value)


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
        icon="mdi:timer-outline",
    )


QUIRK = Quirk(
    key="heatit_z_han2",
    description="HAN-port sensor (AMS meters)",
    fingerprints=(Z_HAN2,),
    entities=(
        energy_sensor(MAX_POWER),
        energy_sensor(
            MAX_POWER,
            key="energy_export",
            icon="mdi:transmission-tower-export",
            # alternatives, in order of precedence (see the module docstring)
            sources=(
                electric_meter(0, RATE_PRODUCED),
                electric_meter(1, RATE_PRODUCED),
                electric_meter(1, RATE_CONSUMED),
            ),
            optional=True,
            # the meter reports the power it imports only
            power=None,
            doc=(
                'Meter scale 1 ("kVAh" in the Meter CC), either rate type: exported energy '
                'by the maker\'s driver; "Return to grid" in the energy dashboard'
            ),
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
            no_reading=(-999.9,),
            doc='-999.9 °C is the device\'s "no reading": shown as unknown',
        ),
        SensorDecl(
            key="meter_serial",
            icon="mdi:barcode",
            translation_key="meter_serial",
            entity_category=EntityCategory.DIAGNOSTIC,
            sources=(SERIAL_FIRST.value, SERIAL_SECOND.value),
            convert=serial_text,
            private=True,
            doc="params 9 and 10 as BCD (16 digits), else ASCII, else hex; redacted in diagnostics",
        ),
        reset_meters_button(),
        # the grid tariff's capacity part, from the guarded import total and the power
        *capacity_sensors(total="energy", power=electric_meter(2)),
    ),
    parameters=(
        ConfigParam(
            number=1,
            size=4,
            key="power_hysteresis",
            icon="mdi:tune-variant",
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
            icon="mdi:tune-variant",
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
            icon="mdi:tune-variant",
            default=20,
            min=1,
            max=65535,
            off=0,
            unit=UnitOfElectricCurrent.AMPERE,
            doc='no unit in the fact sheet; openHAB and zwave-js both say "for A"',
            device_class=NumberDeviceClass.CURRENT,
        ),
        _interval(4, "power_report_interval", 10, 10),
        _interval(5, "voltage_current_report_interval", 300, 10),
        _interval(6, "temperature_report_interval", 300, 30),
        ConfigParam(
            number=7,
            size=1,
            key="temperature_hysteresis",
            icon="mdi:thermometer",
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
            icon="mdi:thermometer",
            default=0,
            min=-60,
            max=60,
            scale=10,
            signed=True,
            unit=UnitOfTemperature.CELSIUS,
        ),
        SERIAL_FIRST,
        SERIAL_SECOND,
        SCALING_FACTOR,
    ),
)
