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

from ..capacity import CapacityReading
from .model import (
    METER_CC,
    ButtonDecl,
    CapacityDecl,
    PowerLimit,
    SensorDecl,
    ValueRef,
    electric_meter,
)

# the electric meter's power (W): what a total's power readings are by default
METER_POWER = electric_meter(2)


def energy_sensor(
    max_power: PowerLimit,
    *,
    key: str = "energy",
    sources: tuple[ValueRef, ...] = (electric_meter(0),),
    optional: bool = False,
    doc: str = "",
    power: ValueRef | None = METER_POWER,
    icon: str | None = None,
) -> SensorDecl:
    """An electric kWh total, ready for the energy dashboard and guarded.

    Several sources are alternatives (SensorDecl.alternatives): list them in
    order of precedence. ``power``: the same meter's power (W), None if it has none.
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
        power=power,
        icon=icon,
        doc=doc or "ready for the energy dashboard; guarded against bad readings",
    )


def reset_meters_button() -> ButtonDecl:
    """Meter CC reset: new totals on the device, then the meters read again."""
    return ButtonDecl(
        key="reset_meters",
        translation_key="reset_meters",
        icon="mdi:counter",
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


def capacity_sensors(total: str, power: ValueRef) -> tuple[CapacityDecl, ...]:
    """The capacity-tariff sensors of a meter: its guarded import total and its power (W).

    Energy this hour and its estimate (kWh; "this period" when the period is
    not an hour), the month's peak average and the next step threshold (kW),
    and the step (1 below the first limit).
    """

    def kwh(key: str, reading: CapacityReading, doc: str, icon: str) -> CapacityDecl:
        return CapacityDecl(
            key=key,
            doc=doc,
            icon=icon,
            translation_key=key,
            period_translation_key=key.replace("_hour", "_period"),
            reading=reading,
            total=total,
            power=power,
            device_class=SensorDeviceClass.ENERGY,
            unit=UnitOfEnergy.KILO_WATT_HOUR,
            display_precision=2,
        )

    def kw(key: str, reading: CapacityReading, doc: str, icon: str) -> CapacityDecl:
        return CapacityDecl(
            key=key,
            doc=doc,
            icon=icon,
            translation_key=key,
            reading=reading,
            total=total,
            power=power,
            device_class=SensorDeviceClass.POWER,
            state_class=SensorStateClass.MEASUREMENT,
            unit=UnitOfPower.KILO_WATT,
            display_precision=2,
        )

    return (
        kwh(
            "energy_this_hour",
            CapacityReading.ENERGY,
            "so far in the hour (tariff period): the accepted totals, shaped by the power",
            "mdi:home-lightning-bolt-outline",
        ),
        kwh(
            "estimated_energy_this_hour",
            CapacityReading.ESTIMATE,
            "so far, plus the power now for the rest of the hour",
            "mdi:crystal-ball",
        ),
        kw(
            "capacity_peak_average",
            CapacityReading.PEAK_AVERAGE,
            "the mean of the month's three largest days (a day's largest hour)",
            "mdi:chart-bar",
        ),
        CapacityDecl(
            key="capacity_step",
            translation_key="capacity_step",
            icon="mdi:stairs-up",
            doc="1 below the first step limit (options), n + 1 from the last of n",
            reading=CapacityReading.STEP,
            total=total,
            power=power,
            state_class=SensorStateClass.MEASUREMENT,
        ),
        kw(
            "next_step_threshold",
            CapacityReading.THRESHOLD,
            "what the running hour may reach before the month reaches the next step",
            "mdi:arrow-collapse-up",
        ),
    )
