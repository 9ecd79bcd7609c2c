"""Tests only: compile the recorder's statistics now, in a real `hass` process.

The recorder compiles a 5-minute period once it has ended; a test cannot wait
for that. The service `zwq_recorder_hook.compile` queues the recorder's own
statistics task for every 5-minute period from `start` to the end of the hour
that holds `end` (so the hours' long-term statistics are compiled too), after
a commit, and returns once the recorder has done them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import voluptuous as vol
from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.tasks import CommitTask, StatisticsTask
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "zwq_recorder_hook"
FIVE_MINUTES = timedelta(minutes=5)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the service."""

    async def compile_statistics(call: ServiceCall) -> None:
        start: datetime = call.data["start"]
        end: datetime = call.data["end"]
        start = start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)
        end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        instance = get_instance(hass)
        instance.queue_task(CommitTask())
        while start < end:
            instance.queue_task(StatisticsTask(start, False))
            start += FIVE_MINUTES
        await instance.async_block_till_done()

    hass.services.async_register(
        DOMAIN,
        "compile",
        compile_statistics,
        vol.Schema({vol.Required("start"): cv.datetime, vol.Required("end"): cv.datetime}),
    )
    return True
