"""Declarations shared by quirk modules, like zwave-js's device templates."""

from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
)

from .model import METER_CC, ButtonDecl, PowerLimit, SensorDecl, ValueRef, electric_meter


def energy_sensor(
    max_power: PowerLimit,
    key: str = "energy",
    sources: tuple[ValueRef, ...] = (electric_meter(0),),
    optional: bool = False,
    doc: str = "",
) -> SensorDecl:
    """An electric kWh total, ready for the energy dashboard and guarded.

    Several sources are alternatives (SensorDecl.alternatives): list them in
    order of precedence.
    """
    return SensorDecl(
        key=key,
        translation_key=key,
        sources=sources,
        alternatives=len(sources) > 1,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        display_precision=2,
        optional=optional,
        max_power=max_power,
        doc=doc or "ready for the energy dashboard; guarded against bad readings",
    )


def reset_meters_button() -> ButtonDecl:
    """Meter CC reset: new totals on the device, then the meters read again."""
    return ButtonDecl(
        key="reset_meters",
        translation_key="reset_meters",
        entity_category=EntityCategory.CONFIG,
        command_class=METER_CC,
        method="reset",
        refresh=(METER_CC,),
        resets_totals=True,
        doc="resets the meters (Meter CC); the totals start anew at once, then are read again",
    )


def power_sensor(display_precision: int) -> SensorDecl:
    """Electric meter power (W)."""
    return SensorDecl(
        key="power",
        translation_key="power",
        sources=(electric_meter(2),),
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        unit=UnitOfPower.WATT,
        display_precision=display_precision,
    )


def voltage_sensor() -> SensorDecl:
    """Electric meter voltage (V)."""
    return SensorDecl(
        key="voltage",
        translation_key="voltage",
        sources=(electric_meter(4),),
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        unit=UnitOfElectricPotential.VOLT,
        display_precision=1,
    )


def current_sensor() -> SensorDecl:
    """Electric meter current (A)."""
    return SensorDecl(
        key="current",
        translation_key="current",
        sources=(electric_meter(5),),
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        unit=UnitOfElectricCurrent.AMPERE,
        display_precision=2,
    )
