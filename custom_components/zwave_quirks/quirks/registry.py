"""Match a node to the one quirk that supports it."""

from __future__ import annotations

from ..const import LOGGER
from . import hank_hkzw_so03, heatit_z_han2
from .codecs import parse_version
from .model import Quirk, ResolvedQuirk

QUIRKS: tuple[Quirk, ...] = (hank_hkzw_so03.QUIRK, heatit_z_han2.QUIRK)


def supported_ids(quirks: tuple[Quirk, ...] = QUIRKS) -> frozenset[tuple[int, int, int]]:
    """The id triples a quirk may claim (with any firmware)."""
    return frozenset(fp.ids for quirk in quirks for fp in quirk.fingerprints)


class AmbiguousQuirkError(LookupError):
    """More than one quirk matches a device."""


def find_quirk(
    ids: tuple[int | None, int | None, int | None],
    firmware: str | None,
    quirks: tuple[Quirk, ...] = QUIRKS,
) -> ResolvedQuirk | None:
    """Return the quirk, with its variants resolved, for a node; None if unsupported.

    Raises AmbiguousQuirkError when two quirks match: the test suite checks that no
    shipped quirks overlap.
    """
    version = parse_version(firmware)
    matches = [
        (quirk, fingerprint)
        for quirk in quirks
        if (fingerprint := quirk.match(ids, version)) is not None
    ]
    if len(matches) > 1:
        raise AmbiguousQuirkError(f"{ids} matches {[q.key for q, _ in matches]}")
    if not matches:
        return None
    quirk, fingerprint = matches[0]
    LOGGER.debug("%s (firmware %s) uses quirk %s", fingerprint.model, firmware, quirk.key)
    return quirk.resolve(fingerprint, version)
