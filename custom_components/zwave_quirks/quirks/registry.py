"""Find the quirk modules; match a node to the one quirk that supports it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import fields, is_dataclass

from ..const import LOGGER
from .codecs import parse_version
from .model import ButtonDecl, ConfigParam, Quirk, ResolvedQuirk, ValueRef

# modules of the package that are not quirks
NOT_QUIRKS = frozenset({"codecs", "export", "model", "registry", "templates", "user"})


def discover(package: str = __package__ or "") -> tuple[Quirk, ...]:
    """The QUIRK of every module in the quirks package, in the modules' name order.

    A new device's quirk module is found without being listed anywhere; a
    module without a QUIRK is an error (a helper belongs in templates.py).
    """
    found = []
    path = importlib.import_module(package).__path__
    for info in sorted(pkgutil.iter_modules(path), key=lambda i: i.name):
        if info.name in NOT_QUIRKS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        quirk = getattr(module, "QUIRK", None)
        if not isinstance(quirk, Quirk):
            raise TypeError(f"quirk module {info.name} has no QUIRK")
        found.append(quirk)
    return tuple(found)


QUIRKS: tuple[Quirk, ...] = discover()


def find_quirk_with(
    ids: tuple[int | None, int | None, int | None],
    firmware: str | None,
    user: tuple[Quirk, ...],
) -> ResolvedQuirk | None:
    """The user's quirk for a node if one matches (it wins over a shipped one), else ours."""
    return (find_quirk(ids, firmware, user) if user else None) or find_quirk(ids, firmware)


def supported_ids(quirks: tuple[Quirk, ...] = QUIRKS) -> frozenset[tuple[int, int, int]]:
    """The id triples a quirk may claim (with any firmware)."""
    return frozenset(fp.ids for quirk in quirks for fp in quirk.fingerprints)


def used_command_classes(quirks: tuple[Quirk, ...] = QUIRKS) -> frozenset[int]:
    """The command classes whose values a quirk reads, writes or refreshes.

    Every value a declaration names (also in nested declarations such as a
    power limit's scaling parameter), a button's command class and the ones
    it refreshes; the node filter leaves the values of the others out.
    """
    found: set[int] = set()

    def walk(item: object) -> None:
        if isinstance(item, ValueRef):
            found.add(item.command_class)
        elif isinstance(item, Mapping):
            for element in item.values():
                walk(element)
        elif isinstance(item, (tuple, list, set, frozenset)):
            for element in item:
                walk(element)
        elif is_dataclass(item) and not isinstance(item, type):
            for spec in fields(item):
                walk(getattr(item, spec.name))

    for quirk in quirks:
        for decl in (*quirk.entities, *quirk.parameters):
            walk(decl)
            if isinstance(decl, ConfigParam):
                walk(decl.value)
            if isinstance(decl, ButtonDecl):
                found.update((decl.command_class, *decl.refresh))
    return frozenset(found)


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
