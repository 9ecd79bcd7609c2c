"""The check that no deprecation names us (conftest's no_deprecation_names_us) can fail."""

from __future__ import annotations

import logging
import warnings

from .helpers import OUR_FILES, deprecations_of_ours


def test_the_deprecation_check_bites() -> None:
    """conftest's no_deprecation_names_us finds what Home Assistant reports about us."""
    line = (
        "Detected that custom integration 'zwave_quirks' calls device_registry.async_get_or_create"
        " with a deprecated via_device parameter at custom_components/zwave_quirks/network.py,"
        " line 1: ... This will stop working in Home Assistant 2027.8.0"
    )
    record = logging.LogRecord(
        "homeassistant.helpers.frame", logging.WARNING, "", 0, line, (), None
    )
    other = logging.LogRecord("x", logging.WARNING, "", 0, "zwave_js is deprecated", (), None)
    ours = warnings.WarningMessage(
        DeprecationWarning("old"), DeprecationWarning, f"{OUR_FILES}/entity.py", 1
    )
    theirs = warnings.WarningMessage(DeprecationWarning("old"), DeprecationWarning, "/x.py", 1)
    found = deprecations_of_ours([record, other], [ours, theirs])
    assert len(found) == 2
    assert "via_device" in found[0]
    assert "entity.py" in found[1]
