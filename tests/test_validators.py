"""The rules hassfest and HACS apply to the integration's files, checked locally.

Home Assistant core's repository is too large to fetch here, so hassfest cannot
run locally; the workflows in .github/workflows run the real hassfest and HACS
actions. These tests reimplement the rules that apply to this integration as
small checks. Where each rule comes from:

- hassfest, home-assistant/core ``script/hassfest/``: ``manifest.py``
  (CUSTOM_INTEGRATION_MANIFEST_SCHEMA, validate_manifest, sort_manifest with
  ``script/util.py``), ``codeowners.py`` (owners are GitHub handles),
  ``requirements.py`` (validate_requirements_format), ``dependencies.py``
  (imported integrations are declared), ``config_flow.py`` (config_flow.py
  exists; a discoverable flow sets a unique ID), ``translations.py``
  (gen_strings_schema, translation_key_validator, translation_value_validator:
  for a custom integration it validates ``translations/en.json``), ``icons.py``
  (icon_schema, icon_value_validator) and ``services.py``
  (CUSTOM_INTEGRATION_SERVICES_SCHEMA, validate_services).
- HACS, hacs/integration ``custom_components/hacs/``: ``utils/validate.py``
  (HACS_MANIFEST_JSON_SCHEMA for hacs.json, INTEGRATION_MANIFEST_JSON_SCHEMA for
  manifest.json) and the action's checks in ``validate/``: ``hacsjson.py``,
  ``integration_manifest.py``, ``brands.py`` (brand/icon.png in the
  integration), ``information.py`` (a README), ``license.py``.
- Brand images: home-assistant/brands ``README.md`` ("Image specification")
  and ``.github/workflows/validate/validate.sh``; what Home Assistant itself
  serves from ``brand/``: the installed ``homeassistant/components/brands``
  (ALLOWED_IMAGES, IMAGE_FALLBACKS) and ``loader.Integration.has_branding``.
- The installed Home Assistant: ``loader.Manifest`` (integration types),
  ``helpers/translation.py`` (``_validate_placeholders`` drops a translated
  string whose placeholders differ from the English one), ``helpers/icon.py``
  (service icons: a string or ``{"service": ..., "sections": ...}``) and the
  frontend's ``hass_frontend/static/mdi/iconList.json`` (the icons that exist).

A few rules are stricter than the tools; they say "project rule" and why.
tests/test_translations.py already checks that en and nb have the same keys,
that every entity name, option and raised error is translated, and that every
configuration entity has an icon and no icon is stale; this file does not
repeat those. Every rule here also has a test that feeds it a broken copy
(``test_*_rules_bite``), so a rule that could never fail shows up as a failure.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import string
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, NoReturn, get_args, get_type_hints

import probatio as vol
import pytest
from awesomeversion import AwesomeVersion, AwesomeVersionException, AwesomeVersionStrategy
from homeassistant.components.brands.const import ALLOWED_IMAGES
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import selector
from homeassistant.loader import Manifest
from homeassistant.requirements import DISCOVERY_INTEGRATIONS
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "zwave_quirks"
LANGUAGES = ("en", "nb")

Data = dict[str, Any]


def _load_json(path: Path) -> Data:
    data: Data = json.loads(path.read_text(encoding="utf-8"))
    return data


def _fail(message: str) -> NoReturn:
    raise vol.Invalid(message)


# --- manifest.json ---------------------------------------------------------

# hassfest manifest.py SUPPORTED_IOT_CLASSES
IOT_CLASSES = [
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
]
# hassfest manifest.py: IntegrationType without "virtual"; the installed
# loader.Manifest lists the same types
INTEGRATION_TYPES = [
    t for t in get_args(get_type_hints(Manifest)["integration_type"]) if t != "virtual"
]
# hassfest manifest.py SUPPORTED_QUALITY_SCALES (scaled and non-scaled tiers)
QUALITY_SCALES = [
    "bronze",
    "silver",
    "gold",
    "platinum",
    "custom",
    "no_score",
    "internal",
    "legacy",
]
# GitHub user "@name" or team "@org/team" (hassfest codeowners.py: "Code owners
# need to be valid GitHub handles", checked there as starting with "@")
CODEOWNER = re.compile(r"^@[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
# hassfest requirements.py PACKAGE_REGEX
PACKAGE = re.compile(r"^(?:--.+\s)?([-_\.\w\d\[\]]+)(==|>=|<=|~=|!=|<|>|===)*(.*)$")
CORE_DOCUMENTATION = "https://www.home-assistant.io/integrations"


def _version(value: Any) -> str:
    """hassfest manifest.py verify_version."""
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        raise vol.Invalid(f"'{value}' is not a valid version.") from err
    return str(value)


def _https(value: Any) -> str:
    """An https URL (hassfest custom_documentation_url; project rule for issue_tracker)."""
    if not str(value).startswith("https://"):
        raise vol.Invalid("the URL is not prefixed with https")
    return str(value)


def _custom_documentation(value: Any) -> str:
    """hassfest manifest.py custom_documentation_url."""
    if str(value).startswith(CORE_DOCUMENTATION):
        raise vol.Invalid("Documentation URL should point to the custom integration documentation")
    return str(value)


def _lowercase(value: Any) -> str:
    if str(value).lower() != value:
        raise vol.Invalid("Value needs to be lowercase")
    return str(value)


# hassfest manifest.py CUSTOM_INTEGRATION_MANIFEST_SCHEMA. The discovery keys
# this integration does not use (mqtt, ssdp, bluetooth, homekit, dhcp, usb) are
# only checked for their type here; hassfest checks their contents too.
MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): str,
        vol.Required("name"): str,
        vol.Optional("integration_type"): vol.In(INTEGRATION_TYPES),
        vol.Optional("config_flow"): bool,
        vol.Optional("mqtt"): [str],
        vol.Optional("zeroconf"): [
            vol.Any(
                str,
                vol.Schema(
                    {
                        vol.Required("type"): str,
                        vol.Optional("name"): _lowercase,
                        vol.Optional("properties"): {str: _lowercase},
                    }
                ),
            )
        ],
        vol.Optional("ssdp"): [dict],
        vol.Optional("bluetooth"): [dict],
        vol.Optional("homekit"): {vol.Optional("models"): [str]},
        vol.Optional("dhcp"): [dict],
        vol.Optional("usb"): [dict],
        vol.Required("documentation"): vol.All(vol.Url(), _https, _custom_documentation),
        vol.Optional("issue_tracker"): vol.All(vol.Url(), _https),
        vol.Optional("quality_scale"): vol.In(QUALITY_SCALES),
        vol.Optional("requirements"): [str],
        vol.Optional("dependencies"): [str],
        vol.Optional("after_dependencies"): [str],
        vol.Required("codeowners"): [str],
        vol.Optional("loggers"): [str],
        vol.Optional("disabled"): str,
        vol.Optional("iot_class"): vol.In(IOT_CLASSES),
        vol.Optional("single_config_entry"): bool,
        vol.Optional("preview_features"): dict,
        vol.Optional("version"): vol.All(str, _version),
        vol.Optional("import_executor"): bool,
    }
)

# HACS utils/validate.py INTEGRATION_MANIFEST_JSON_SCHEMA (validate/integration_manifest.py)
HACS_MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("codeowners"): list,
        vol.Required("documentation"): cv.url,
        vol.Required("domain"): str,
        vol.Required("issue_tracker"): cv.url,
        vol.Required("name"): str,
        vol.Required("version"): vol.Coerce(AwesomeVersion),
    },
    extra=vol.ALLOW_EXTRA,
)


def _leg_pins() -> dict[str, set[str]]:
    """Each package's pins over the test legs' requirements files (scripts/leg)."""
    pins: dict[str, set[str]] = {}
    for path in (*ROOT.glob("requirements_test*.txt"), *ROOT.glob("requirements_lib*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith("#"):
                name, version = line.split("==", 1)
                pins.setdefault(name.strip().lower().replace("_", "-"), set()).add(version.strip())
    return pins


def _oldest(versions: set[str]) -> str:
    return min(versions, key=AwesomeVersion)


def check_manifest(manifest: Data, directory: str) -> None:
    """Check manifest.json as hassfest and HACS do."""
    MANIFEST_SCHEMA(manifest)
    HACS_MANIFEST_SCHEMA(manifest)
    # hassfest manifest.py validate_manifest
    if manifest["domain"] != directory:
        _fail("Domain does not match dir name")
    if (Path(cv.__file__).parents[1] / "components" / manifest["domain"]).exists():
        _fail("Domain collides with built-in core integration")  # a warning in hassfest
    if "iot_class" not in manifest:
        _fail("Domain is missing an IoT Class")
    if not manifest.get("version"):
        _fail("No 'version' key in the manifest file.")
    # hassfest manifest.py sort_manifest (script/util.py)
    keys = list(manifest)
    if keys != sorted(keys, key=lambda key: {"domain": ".domain", "name": ".name"}.get(key, key)):
        _fail("Manifest keys are not sorted correctly: domain, name, then alphabetical order")
    # hassfest codeowners.py; project rule: at least one (issue 10), which
    # hassfest only demands from silver and above
    if not manifest["codeowners"]:
        _fail("the integration has no code owner")
    for owner in manifest["codeowners"]:
        if not CODEOWNER.match(owner):
            _fail(f"code owner {owner!r} is not a GitHub handle (@user or @org/team)")
    pins = _leg_pins()
    for requirement in manifest.get("requirements", []):
        # hassfest requirements.py validate_requirements_format
        if " " in requirement:
            _fail(f'Requirement "{requirement}" contains a space')
        match = PACKAGE.match(requirement)
        assert match is not None
        package, separator, version = match.groups()
        # project rule (issue 17): a lower bound only, so that whatever Home
        # Assistant's own integrations pin satisfies it; "==" made Home Assistant
        # install ours over core's zwave_js pin at every start
        if separator != ">=" or "," in version:
            _fail(f"Requirement {requirement} must be a lower bound only: <pkg name>>=<version>")
        if AwesomeVersion(version).strategy == AwesomeVersionStrategy.UNKNOWN:
            _fail(f"Unable to parse package version ({version}) for {package}.")
        # project rule: the bound is the oldest version a test leg runs with
        tested = pins.get(package.lower().replace("_", "-"), set())
        if not tested or version != _oldest(tested):
            _fail(f"{requirement} is not the oldest version the test legs pin ({sorted(tested)})")


# --- the code, as far as hassfest reads it ------------------------------------

# hassfest dependencies.py ALLOWED_USED_COMPONENTS: the entity platforms and
# Home Assistant's internal integrations may be imported without declaring them
ALLOWED_IMPORTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}


class _ImportCollector(ast.NodeVisitor):
    """hassfest dependencies.py ImportCollector, for imports outside TYPE_CHECKING."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.module.startswith("homeassistant.components."):
            self.found.add(node.module.split(".")[2])
        elif node.module == "homeassistant.components":
            self.found.update(alias.name for alias in node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("homeassistant.components."):
                self.found.add(alias.name.split(".")[2])


def _imported_integrations(source: str) -> set[str]:
    collector = _ImportCollector()
    collector.visit(ast.parse(source))
    return collector.found


def check_code(manifest: Data, sources: dict[str, str]) -> None:
    """Check the integration's Python files (relative path to text) as hassfest does."""
    # hassfest dependencies.py calc_allowed_references / find_non_referenced_integrations
    allowed = ALLOWED_IMPORTS | set(manifest.get("dependencies", []))
    allowed |= set(manifest.get("after_dependencies", []))
    allowed |= {
        domain
        for domain, keys in DISCOVERY_INTEGRATIONS.items()
        if any(key in manifest for key in keys)
    }
    own_platforms = {Path(path).stem for path in sources} | {
        Path(path).parts[0] for path in sources if len(Path(path).parts) > 1
    }
    for path, source in sorted(sources.items()):
        for domain in sorted(_imported_integrations(source) - allowed - own_platforms):
            if domain != manifest["domain"]:
                _fail(
                    f"{path}: Using component {domain} but it's not in 'dependencies' "
                    "or 'after_dependencies'"
                )
    # hassfest config_flow.py validate_integration
    if manifest.get("config_flow"):
        if "config_flow.py" not in sources:
            _fail("Config flows need to be defined in the file config_flow.py")
        discoverable = any(
            manifest.get(key) for keys in DISCOVERY_INTEGRATIONS.values() for key in keys
        )
        if discoverable and "self.async_set_unique_id" not in sources["config_flow.py"]:
            _fail("Config flows that are discoverable need to set a unique ID")


# --- hacs.json and the repository ------------------------------------------

# HACS utils/validate.py HACS_MANIFEST_JSON_SCHEMA (country is checked against
# ISO 3166 codes there; this integration sets none)
HACS_JSON_SCHEMA = vol.Schema(
    {
        vol.Optional("content_in_root"): bool,
        vol.Optional("country"): vol.Any(str, [str]),
        vol.Optional("filename"): str,
        vol.Optional("hacs"): str,
        vol.Optional("hide_default_branch"): bool,
        vol.Optional("homeassistant"): str,
        vol.Optional("persistent_directory"): str,
        vol.Optional("render_readme"): bool,
        vol.Optional("zip_release"): bool,
        vol.Required("name"): str,
    },
    extra=vol.PREVENT_EXTRA,
)


def check_hacs_json(hacs: Data) -> None:
    """Check hacs.json as the HACS action does, and that it claims what is tested."""
    HACS_JSON_SCHEMA(hacs)
    # HACS validate/hacsjson.py
    if hacs.get("zip_release") and not hacs.get("filename"):
        _fail("zip_release is True, but filename is not set")
    # project rule: the minimum version HACS installs on is the oldest release
    # a test leg runs on (requirements_test*.txt pin them)
    oldest = _oldest(_leg_pins()["homeassistant"])
    if hacs.get("homeassistant") != oldest:
        _fail(f"homeassistant must be {oldest}, the oldest version the tests run on")


def check_repository(root: Path) -> None:
    """The files the HACS action looks for in an integration repository."""
    # HACS validate/information.py
    if not (root / "README.md").is_file():
        _fail("The repository has no information file")
    # HACS validate/license.py asks GitHub for the license's SPDX id, which
    # GitHub finds from the LICENSE text; Apache-2.0 as Home Assistant
    license_text = (root / "LICENSE").read_text(encoding="utf-8")
    if not re.match(r"\s*Apache License\s+Version 2\.0, January 2004", license_text):
        _fail("LICENSE is not the Apache License 2.0")
    # HACS integration repositories: one integration under custom_components
    # (unless content_in_root); the brands check looks in that folder
    integrations = [p for p in (root / "custom_components").iterdir() if p.is_dir()]
    if [p.name for p in integrations if not p.name.startswith("__")] != [COMPONENT.name]:
        _fail("custom_components must hold exactly this one integration")


# --- brand/ --------------------------------------------------------------------

# home-assistant/brands README.md "Image specification" and validate.sh
ICON_SIZES = {"icon.png": 256, "icon@2x.png": 512, "dark_icon.png": 256, "dark_icon@2x.png": 512}
LOGO_SHORT_SIDE = {
    "logo.png": (128, 256),
    "dark_logo.png": (128, 256),
    "logo@2x.png": (256, 512),
    "dark_logo@2x.png": (256, 512),
}


def check_brand(folder: Path) -> None:
    """Check the brand images Home Assistant serves and HACS looks for."""
    names = sorted(p.name for p in folder.iterdir())
    # HACS validate/brands.py; icon.png is also where every fallback of
    # Home Assistant's brands integration ends (IMAGE_FALLBACKS)
    if "icon.png" not in names:
        _fail("brand/icon.png is missing")
    for name in names:
        # homeassistant/components/brands ALLOWED_IMAGES; validate.sh
        # "Unknown and invalid filename"
        if name not in ALLOWED_IMAGES:
            _fail(f"{name} is not an image Home Assistant serves from brand/")
        # validate.sh rejects an hDPI image without its normal version
        if "@2x" in name and name.replace("@2x", "") not in names:
            _fail(f"{name} was provided, but the normal version is missing")
    contents = {name: (folder / name).read_bytes() for name in names}
    for a, b in (("icon.png", "logo.png"), ("icon@2x.png", "logo@2x.png")):
        if a in contents and contents[a] == contents.get(b):  # validate.sh
            _fail(f"{b} is identical to {a}; leave it out, the icon is used instead")
    for name in names:
        if name.replace("@2x", "") != name and contents[name] == contents[name.replace("@2x", "")]:
            _fail(f"{name} is identical to its normal version")  # validate.sh
        with Image.open(folder / name) as image:
            image.load()
            if image.format != "PNG":  # validate.sh
                _fail(f"{name} is {image.format}, not PNG")
            width, height = image.size
            if name in ICON_SIZES and image.size != (ICON_SIZES[name],) * 2:  # validate.sh
                _fail(
                    f"{name} is {width}x{height}px, must be {ICON_SIZES[name]}x{ICON_SIZES[name]}px"
                )
            if name in LOGO_SHORT_SIDE:  # validate.sh
                low, high = LOGO_SHORT_SIDE[name]
                if not low <= min(width, height) <= high:
                    _fail(f"{name} is {width}x{height}px, shortest side must be {low} to {high}px")
            # README: "Images with transparency is preferred" (project rule:
            # required) and "The image should be trimmed"
            if image.mode != "RGBA" or image.getchannel("A").getextrema()[0] != 0:
                _fail(f"{name} has no transparent background")
            if image.getchannel("A").getbbox() != (0, 0, width, height):
                _fail(f"{name} is not trimmed: it has empty space on an edge")


# --- translations --------------------------------------------------------------

# hassfest translations.py
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")
PLACEHOLDER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def translation_key(value: Any) -> str:
    """hassfest translations.py translation_key_validator."""
    if RE_TRANSLATION_KEY.match(str(value)) is None:
        raise vol.Invalid(
            f"Invalid translation key '{value}', need to be [a-z0-9-_]+ and"
            " cannot start or end with a hyphen or underscore."
        )
    return str(value)


def placeholders(text: str) -> set[str]:
    """The placeholders of a string, as Home Assistant's translation cache reads them.

    helpers/translation.py parses every string with string.Formatter; the
    frontend formats them as ICU messages. Project rule: each placeholder is a
    plain lowercase name, with no conversion, format spec or position, which
    both read the same way.
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as err:
        raise vol.Invalid(f"placeholder syntax in {text!r}: {err}") from err
    names = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not PLACEHOLDER_NAME.match(name) or spec or conversion:
            raise vol.Invalid(f"placeholder {{{name}}} in {text!r} must be a plain lowercase name")
        names.add(name)
    return names


def translation_value(value: Any) -> str:
    """hassfest translations.py translation_value_validator, plus project rules."""
    text = cv.string_with_no_html(value)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(text):
        raise vol.Invalid("the string should not contain placeholders inside single quotes")
    if RE_COMBINED_REFERENCE.search(text):
        raise vol.Invalid("the string should not contain combined translations")
    if text != text.strip():
        raise vol.Invalid("the string should not contain leading or trailing spaces")
    # project rules: an empty string shows nothing; a [%key:...%] reference is
    # resolved only when core's strings.json is built, never in a custom
    # integration's translations/*.json, which Home Assistant reads as they are
    if not text:
        raise vol.Invalid("the string is empty")
    if "[%key:" in text:
        raise vol.Invalid("references are not resolved in a custom integration's translations")
    placeholders(text)
    return text


def _slug_keys(value_schema: Any, key: Callable[[Any], str] = translation_key) -> Any:
    return cv.schema_with_slug_keys(value_schema, slug_validator=key)


def _data_description_in_data(value: Data) -> Data:
    """hassfest translations.py gen_data_entry_schema data_description_validator."""
    for step in value["step"].values():
        for key in step.get("data_description", {}):
            if key not in step.get("data", {}):
                raise vol.Invalid(f"data_description key {key} is not in data")
    return value


# hassfest translations.py gen_data_entry_schema (config, options, repair flows)
DATA_ENTRY_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional("flow_title"): translation_value,
            vol.Required("step"): {
                str: {
                    vol.Optional("title"): translation_value,
                    vol.Optional("description"): translation_value,
                    vol.Optional("data"): {str: translation_value},
                    vol.Optional("data_description"): {str: translation_value},
                    vol.Optional("menu_options"): {str: translation_value},
                    vol.Optional("submit"): translation_value,
                    vol.Optional("sections"): {
                        str: {
                            vol.Optional("data"): {str: translation_value},
                            vol.Optional("description"): translation_value,
                            vol.Optional("name"): translation_value,
                        }
                    },
                }
            },
            vol.Optional("error"): {str: translation_value},
            vol.Optional("abort"): {str: translation_value},
            vol.Optional("progress"): {str: translation_value},
            vol.Optional("create_entry"): {str: translation_value},
        }
    ),
    _data_description_in_data,
)

# hassfest translations.py gen_strings_schema, with the sections a hub
# integration can use. Those only core or entity-component integrations use
# (entity_component, config_panel, application_credentials, conversation,
# common) are left out: adding one fails here, so look at hassfest first.
# config.title is left out too (hassfest: removed, a warning for custom ones).
STRINGS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): translation_value,
        vol.Optional("config"): DATA_ENTRY_SCHEMA,
        vol.Optional("options"): DATA_ENTRY_SCHEMA,
        vol.Optional("selector"): _slug_keys(
            {"options": _slug_keys(translation_value)}, vol.Any("_", cv.slug)
        ),
        vol.Optional("device_automation"): {
            vol.Optional(kind): {str: translation_value}
            for kind in (
                "action_type",
                "condition_type",
                "trigger_type",
                "trigger_subtype",
                "extra_fields",
            )
        },
        vol.Optional("system_health"): {vol.Optional("info"): _slug_keys(translation_value)},
        vol.Optional("issues"): {
            str: vol.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                vol.Schema(
                    {
                        vol.Required("title"): translation_value,
                        vol.Exclusive("description", "fixable"): translation_value,
                        vol.Exclusive("fix_flow", "fixable"): DATA_ENTRY_SCHEMA,
                    }
                ),
            )
        },
        vol.Optional("device"): _slug_keys({vol.Optional("name"): translation_value}),
        vol.Optional("entity"): _slug_keys(
            _slug_keys(
                {
                    vol.Optional("name"): translation_value,
                    vol.Optional("state"): _slug_keys(translation_value),
                    vol.Optional("state_attributes"): _slug_keys(
                        {
                            vol.Optional("name"): translation_value,
                            vol.Optional("state"): _slug_keys(translation_value),
                        }
                    ),
                }
            ),
            cv.slug,
        ),
        vol.Optional("exceptions"): _slug_keys(
            {vol.Optional("message"): translation_value}, cv.slug
        ),
        vol.Optional("services"): _slug_keys(
            {
                vol.Required("name"): translation_value,
                vol.Required("description"): translation_value,
                vol.Optional("fields"): _slug_keys(
                    {
                        vol.Required("name"): translation_value,
                        vol.Required("description"): translation_value,
                        vol.Optional("example"): translation_value,
                    }
                ),
                vol.Optional("sections"): _slug_keys(
                    {
                        vol.Required("name"): translation_value,
                        vol.Optional("description"): translation_value,
                    }
                ),
            }
        ),
    }
)


def _strings(data: Any, prefix: str = "") -> dict[str, str]:
    """Every string of a translation file by its dotted key."""
    if not isinstance(data, dict):
        return {prefix: data}
    flat: dict[str, str] = {}
    for key, value in data.items():
        flat |= _strings(value, f"{prefix}.{key}" if prefix else key)
    return flat


def check_translations(translations: dict[str, Data]) -> None:
    """Check every language file against hassfest's schema and against English.

    hassfest validates only translations/en.json of a custom integration; the
    other languages are read by Home Assistant just the same, so they are held
    to the same schema here (project rule).
    """
    for language, strings in translations.items():
        try:
            STRINGS_SCHEMA(strings)
        except vol.Invalid as err:
            raise vol.Invalid(f"translations/{language}.json: {err}") from err
    # helpers/translation.py _validate_placeholders: a translated string whose
    # placeholders differ from the English one is dropped (English is shown)
    english = _strings(translations["en"])
    for language, strings in translations.items():
        for key, text in _strings(strings).items():
            if key in english and placeholders(text) != placeholders(english[key]):
                _fail(f"{language} {key}: placeholders differ from English")


# --- icons.json ------------------------------------------------------------


@cache
def _mdi_icons() -> frozenset[str]:
    """The icon names of the installed frontend (scripts/setup installs it for the demo)."""
    icon_list = files("hass_frontend") / "static" / "mdi" / "iconList.json"
    return frozenset(icon["name"] for icon in json.loads(icon_list.read_text(encoding="utf-8")))


# the states an entity of these platforms has without translations
PLATFORM_STATES = {"switch": {"on", "off"}, "binary_sensor": {"on", "off"}}


def icon(value: Any) -> str:
    """hassfest icons.py icon_value_validator, and the icon must exist.

    Project rule (as Home Assistant core's pylint plugin, fed by hassfest
    mdi_icons.py): the name is in the frontend's list of Material Design Icons.
    """
    text = cv.string_with_no_html(value)
    if not text.startswith("mdi:"):
        raise vol.Invalid(
            "The icon needs to be a valid icon from Material Design Icons and start with `mdi:`"
        )
    if text.removeprefix("mdi:") not in _mdi_icons():
        raise vol.Invalid(f"{text} is not in the frontend's Material Design Icons")
    return text


def _not_same_as_default(value: Data) -> Data:
    """hassfest icons.py ensure_not_same_as_default, per translation key."""
    for state, state_icon in value.get("state", {}).items():
        if state_icon == value.get("default"):
            raise vol.Invalid(f"the icon for state {state} is the same as the default icon")
    return value


STATE_ICONS = _slug_keys(icon)
DATA_ENTRY_ICONS_SCHEMA = vol.Schema({"step": {str: {"section": {str: icon}}}})
ENTITY_ICON_SCHEMA = vol.All(
    {
        vol.Optional("default"): icon,
        vol.Optional("state"): STATE_ICONS,
        vol.Optional("state_attributes"): _slug_keys(
            vol.All(
                {vol.Optional("default"): icon, vol.Optional("state"): STATE_ICONS},
                _not_same_as_default,
            )
        ),
    },
    _not_same_as_default,
)
# hassfest icons.py icon_schema for a hub integration; service icons as
# helpers/icon.py reads them (shorthand string, or service and sections)
ICONS_SCHEMA = vol.Schema(
    {
        vol.Optional("config"): DATA_ENTRY_ICONS_SCHEMA,
        vol.Optional("options"): DATA_ENTRY_ICONS_SCHEMA,
        vol.Optional("issues"): {str: {"fix_flow": DATA_ENTRY_ICONS_SCHEMA}},
        vol.Optional("services"): _slug_keys(
            vol.Any(icon, {vol.Required("service"): icon, vol.Optional("sections"): STATE_ICONS})
        ),
        vol.Optional("entity"): _slug_keys(_slug_keys(ENTITY_ICON_SCHEMA), cv.slug),
    }
)


def check_icons(icons: Data, english: Data, services: Data) -> None:
    """Check icons.json, its services against services.yaml, its states against the entities."""
    ICONS_SCHEMA(icons)
    # hassfest services.py demands an icon per service from core integrations;
    # project rule here, and no icon for a service that does not exist
    for service in services:
        if service not in icons.get("services", {}):
            _fail(f"Service {service} has no icon in icons.json.")
    for service in icons.get("services", {}):
        if service not in services:
            _fail(f"icons.json has an icon for {service}, which is not in services.yaml")
    # project rule: a state icon is for a state the entity can have
    for platform, entries in icons.get("entity", {}).items():
        for key, entry in entries.items():
            translated = english.get("entity", {}).get(platform, {}).get(key, {})
            known = set(translated.get("state", {})) | PLATFORM_STATES.get(platform, set())
            for state in entry.get("state", {}):
                if state not in known:
                    _fail(f"icons.json {platform}.{key}: {state} is not a state of the entity")


# --- services.yaml -----------------------------------------------------------


def _exists(value: Any) -> Any:
    """hassfest services.py exists."""
    if value is None:
        raise vol.Invalid("Value cannot be None")
    return value


def _unique_fields(fields: Data) -> Data:
    """hassfest services.py unique_field_validator."""
    seen: set[str] = set()
    for key, value in fields.items():
        for field in value["fields"] if value and "fields" in value else [key]:
            if field in seen:
                raise vol.Invalid(f"Duplicate use of field {field} in service.")
            seen.add(field)
    return fields


# hassfest services.py CUSTOM_INTEGRATION_FIELD_SCHEMA / SECTION / SERVICE
# schemas. A field's filter is only checked to be a mapping here.
FIELD_SCHEMA = vol.Schema(
    {
        vol.Optional("example"): _exists,
        vol.Optional("default"): _exists,
        vol.Optional("required"): bool,
        vol.Optional("advanced"): bool,
        vol.Optional("selector"): selector.validate_selector,
        vol.Optional("filter"): dict,
        vol.Optional("description"): str,
        vol.Optional("name"): str,
    }
)
SECTION_SCHEMA = vol.Schema(
    {
        vol.Optional("description"): str,
        vol.Optional("name"): str,
        vol.Optional("collapsed"): bool,
        vol.Required("fields"): {str: FIELD_SCHEMA},
    }
)
SERVICES_SCHEMA = vol.Schema(
    {
        cv.slug: vol.Any(
            None,
            vol.Schema(
                {
                    vol.Optional("description"): str,
                    vol.Optional("name"): str,
                    vol.Optional("target"): vol.Any(selector.TargetSelector.CONFIG_SCHEMA, None),
                    vol.Optional("fields"): vol.All(
                        {str: vol.Any(FIELD_SCHEMA, SECTION_SCHEMA)}, _unique_fields
                    ),
                }
            ),
        )
    }
)


def _registered_services() -> set[str]:
    """The services the code registers (services.py SERVICE_* constants)."""
    source = (COMPONENT / "services.py").read_text(encoding="utf-8")
    return set(re.findall(r'^SERVICE_\w+ = "(\w+)"', source, re.MULTILINE))


def check_services(services: Data, translations: dict[str, Data]) -> None:
    """Check services.yaml, and that every service is translated in every language."""
    SERVICES_SCHEMA(services)
    # hassfest services.py: "Registers services but has no services.yaml";
    # project rule: the same services both ways
    if set(services) != _registered_services():
        _fail(f"services.yaml has {sorted(services)}, the code registers {_registered_services()}")
    for service, described in services.items():
        schema = described or {}
        # project rule: the translations are the one source of names and
        # descriptions (hassfest accepts them in services.yaml instead)
        for key in ("name", "description"):
            if key in schema or any(key in f for f in schema.get("fields", {}).values()):
                _fail(f"{service}: services.yaml has a {key}; the translations are the source")
        for language, strings in translations.items():
            # hassfest services.py validate_services: every service, field and
            # section has a name and description (all languages: project rule)
            where = f"translations/{language}.json services.{service}"
            translated = strings.get("services", {}).get(service)
            if not translated or not translated.get("name") or not translated.get("description"):
                _fail(f"Service {service} has no name or description in {where}")
            for name, field in schema.get("fields", {}).items():
                if "fields" in field:
                    if not translated.get("sections", {}).get(name, {}).get("name"):
                        _fail(f"Service {service} has a section {name} with no name in {where}")
                    continue
                entry = translated.get("fields", {}).get(name, {})
                if not entry.get("name") or not entry.get("description"):
                    _fail(f"Service {service} has a field {name} with no name in {where}")
                # hassfest services.py: a select selector's translation_key
                select = (field.get("selector") or {}).get("select") or {}
                if select.get("translation_key", "") not in {"", *strings.get("selector", {})}:
                    _fail(f"{service}.{name}: selector translation_key not in {where}")
            # project rule: no translation for a field that does not exist
            stale = set(translated.get("fields", {})) - set(schema.get("fields", {}))
            if stale:
                _fail(f"{where} translates fields that do not exist: {sorted(stale)}")
    for language, strings in translations.items():
        stale = set(strings.get("services", {})) - set(services)
        if stale:
            _fail(f"translations/{language}.json translates unknown services {sorted(stale)}")


# --- the real files ----------------------------------------------------------


def _translations() -> dict[str, Data]:
    return {lang: _load_json(COMPONENT / "translations" / f"{lang}.json") for lang in LANGUAGES}


def _services() -> Data:
    return dict(load_yaml_dict(str(COMPONENT / "services.yaml")))


def test_manifest() -> None:
    check_manifest(_load_json(COMPONENT / "manifest.json"), COMPONENT.name)


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(COMPONENT)): path.read_text(encoding="utf-8")
        for path in COMPONENT.rglob("*.py")
    }


def test_code() -> None:
    check_code(_load_json(COMPONENT / "manifest.json"), _sources())


def test_hacs_json_and_repository() -> None:
    check_hacs_json(_load_json(ROOT / "hacs.json"))
    check_repository(ROOT)


def test_brand() -> None:
    check_brand(COMPONENT / "brand")


async def test_home_assistant_serves_the_brand(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """The brands integration serves brand/ (dark variants fall back to the light ones)."""
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client()
    for image, served in (
        ("icon.png", "icon.png"),
        ("icon@2x.png", "icon@2x.png"),
        ("logo.png", "logo.png"),
        ("logo@2x.png", "logo@2x.png"),
        ("dark_icon.png", "icon.png"),
        ("dark_logo@2x.png", "logo@2x.png"),
    ):
        response = await client.get(f"/api/brands/integration/{COMPONENT.name}/{image}")
        assert response.status == 200, image
        assert await response.read() == (COMPONENT / "brand" / served).read_bytes(), image


def test_translations() -> None:
    check_translations(_translations())


def test_icons() -> None:
    check_icons(_load_json(COMPONENT / "icons.json"), _translations()["en"], _services())


def test_services() -> None:
    check_services(_services(), _translations())


# --- every rule can fail -----------------------------------------------------

Mutation = Callable[[Data], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: Data) -> None:
        *parents, last = path.split("/")
        for part in parents:
            data = data.setdefault(part, {})
        data[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(data: Data) -> None:
        *parents, last = path.split("/")
        for part in parents:
            data = data[part]
        del data[last]

    return mutate


def _move_first(key: str) -> Mutation:
    def mutate(data: Data) -> None:
        items = list(data.items())
        data.clear()
        data[key] = dict(items)[key]
        data.update(items)

    return mutate


def _broken(path: Path, mutate: Mutation) -> Data:
    data = copy.deepcopy(_load_json(path))
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (_drop("codeowners"), "codeowners"),
        (_set("codeowners", []), "no code owner"),
        (_set("codeowners", ["zwave-quirks"]), "GitHub handle"),
        (_set("codeowners", ["@zwave quirks"]), "GitHub handle"),
        (_set("config_flow", "yes"), "config_flow"),
        (_set("icon", "mdi:cog"), "icon"),
        (_drop("version"), "version"),
        (_set("version", "zero point one"), "not a valid version"),
        (_set("iot_class", "local_pull"), "iot_class"),
        (_drop("iot_class"), "IoT Class"),
        (_set("integration_type", "virtual"), "integration_type"),
        (_set("documentation", "http://github.com/zwave-quirks/zwave_quirks"), "https"),
        (_set("documentation", f"{CORE_DOCUMENTATION}/zwave_quirks"), "custom integration"),
        (_set("issue_tracker", "http://github.com/zwave-quirks/zwave_quirks/issues"), "https"),
        (_drop("issue_tracker"), "issue_tracker"),
        (_set("domain", "zwave_quirk"), "dir name"),
        (_move_first("version"), "not sorted"),
        (_set("requirements", ["zwave-js-server-python==0.73.1"]), "lower bound only"),
        (_set("requirements", ["zwave-js-server-python>=0.73.1,<0.76"]), "lower bound only"),
        (_set("requirements", ["zwave-js-server-python>=0.73.0"]), "oldest version"),
        (_set("requirements", ["zwave-js-server-python>=0.74.0"]), "oldest version"),
        (_set("requirements", ["zwave-js-server-python >=0.73.1"]), "space"),
        (_set("zeroconf", [{"type": "_zwave-js-server._tcp.local.", "name": "Z*"}]), "lowercase"),
    ],
)
def test_manifest_rules_bite(mutate: Mutation, error: str) -> None:
    manifest = _broken(COMPONENT / "manifest.json", mutate)
    with pytest.raises(vol.Invalid, match=error):
        check_manifest(manifest, COMPONENT.name)


def test_manifest_domain_collision_bites() -> None:
    manifest = _broken(COMPONENT / "manifest.json", _set("domain", "zwave_js"))
    with pytest.raises(vol.Invalid, match="collides with built-in core integration"):
        check_manifest(manifest, "zwave_js")


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("from homeassistant.components.mqtt import async_publish\n", "Using component mqtt"),
        ("from homeassistant.components import recorder\n", "Using component recorder"),
        ("import homeassistant.components.zha.api\n", "Using component zha"),
    ],
)
def test_code_rules_bite(source: str, error: str) -> None:
    manifest = _load_json(COMPONENT / "manifest.json")
    with pytest.raises(vol.Invalid, match=error):
        check_code(manifest, {**_sources(), "extra.py": source})


def test_imports_for_type_checking_only_are_allowed() -> None:
    source = "if TYPE_CHECKING:\n    from homeassistant.components import mqtt\n"
    check_code(_load_json(COMPONENT / "manifest.json"), {**_sources(), "extra.py": source})


def test_config_flow_rules_bite() -> None:
    manifest = _load_json(COMPONENT / "manifest.json")
    sources = _sources()
    flow = sources.pop("config_flow.py")
    with pytest.raises(vol.Invalid, match=r"defined in the file config_flow\.py"):
        check_code(manifest, sources)
    sources["config_flow.py"] = flow.replace("self.async_set_unique_id", "self.set_id")
    with pytest.raises(vol.Invalid, match="need to set a unique ID"):
        check_code(manifest, sources)


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (_drop("name"), "name"),
        (_set("render_readme", "yes"), "render_readme"),
        (_set("domains", ["zwave_quirks"]), "domains"),
        (_set("homeassistant", "2026.10.0"), "the oldest version the tests run on"),
        (_set("homeassistant", "2026.11.0"), "the oldest version the tests run on"),
        (_drop("homeassistant"), "the oldest version the tests run on"),
        (_set("zip_release", True), "filename is not set"),
    ],
)
def test_hacs_json_rules_bite(mutate: Mutation, error: str) -> None:
    with pytest.raises(vol.Invalid, match=error):
        check_hacs_json(_broken(ROOT / "hacs.json", mutate))


@pytest.mark.parametrize(
    ("breakage", "error"),
    [
        ("no README", "no information file"),
        ("MIT license", "Apache"),
        ("second integration", "exactly this one"),
    ],
)
def test_repository_rules_bite(tmp_path: Path, breakage: str, error: str) -> None:
    (tmp_path / "custom_components" / COMPONENT.name).mkdir(parents=True)
    (tmp_path / "README.md").write_text("# Z-Wave Quirks\n")
    shutil.copy(ROOT / "LICENSE", tmp_path / "LICENSE")
    check_repository(tmp_path)  # the copy passes before it is broken
    if breakage == "no README":
        (tmp_path / "README.md").unlink()
    elif breakage == "MIT license":
        (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright 2026\n")
    else:
        (tmp_path / "custom_components" / "other").mkdir()
    with pytest.raises(vol.Invalid, match=error):
        check_repository(tmp_path)


def _resize(name: str, size: tuple[int, int]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with Image.open(folder / name) as image:
            image.resize(size).save(folder / name)

    return mutate


def _pad(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with Image.open(folder / name) as image:
            padded = Image.new("RGBA", (image.width + 20, image.height), (0, 0, 0, 0))
            padded.paste(image, (10, 0))
        padded.save(folder / name)

    return mutate


def _opaque(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with Image.open(folder / name) as image:
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, (0, 0), image)
        flat.save(folder / name)

    return mutate


def _as_jpeg(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with Image.open(folder / name) as image:
            image.convert("RGB").save(folder / name, format="JPEG")

    return mutate


def _copy(source: str, target: str) -> Callable[[Path], None]:
    return lambda folder: shutil.copy(folder / source, folder / target)


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (_remove("icon.png"), "icon.png is missing"),
        (_copy("icon.png", "icon.svg"), "not an image Home Assistant serves"),
        (_remove("logo.png"), "normal version is missing"),
        (_copy("icon.png", "logo.png"), "identical to icon.png"),
        (_copy("logo.png", "logo@2x.png"), "identical to its normal version"),
        (_resize("icon.png", (250, 250)), "must be 256x256px"),
        (_resize("icon@2x.png", (512, 500)), "must be 512x512px"),
        (_resize("logo.png", (400, 100)), "shortest side"),
        (_resize("logo@2x.png", (1400, 600)), "shortest side"),
        (_as_jpeg("icon.png"), "not PNG"),
        (_opaque("logo.png"), "transparent"),
        (_pad("logo@2x.png"), "not trimmed"),
    ],
)
def test_brand_rules_bite(tmp_path: Path, mutate: Callable[[Path], None], error: str) -> None:
    folder = tmp_path / "brand"
    shutil.copytree(COMPONENT / "brand", folder)
    mutate(folder)
    with pytest.raises(vol.Invalid, match=error):
        check_brand(folder)


@pytest.mark.parametrize(
    ("language", "mutate", "error"),
    [
        ("en", _set("entity/switch/outlet/name", ""), "empty"),
        ("nb", _set("entity/switch/outlet/name", "Stikkontakt "), "trailing spaces"),
        ("en", _set("entity/switch/outlet/name", "<b>Outlet</b>"), "HTML"),
        ("en", _set("entity/switch/outlet/name", "[%key:common::state::on%]"), "references"),
        ("en", _set("entity/switch/outlet/name", "Out [%key:x%]"), "combined"),
        ("en", _set("entity/switch/Outlet", {"name": "Outlet"}), "Invalid translation key"),
        ("en", _set("entity/select/led_indicator/state/when__on", "On"), "translation key"),
        ("en", _set("entity/Switch", {}), "invalid slug"),
        ("en", _set("entity/switch/outlet/icon", "mdi:power"), "icon"),
        (
            "en",
            _set("exceptions/read_only/message", "Parameter '{parameter}' is read only."),
            "single quotes",
        ),
        (
            "en",
            _set("exceptions/read_only/message", "Parameter {parameter is read only."),
            "syntax",
        ),
        (
            "en",
            _set("exceptions/read_only/message", "Parameter {0} is read only."),
            "plain lowercase",
        ),
        (
            "en",
            _set("exceptions/read_only/message", "Parameter {parameter!r} is read only."),
            "plain",
        ),
        (
            "nb",
            _set("exceptions/read_only/message", "Parameter {parametre} er skrivebeskyttet."),
            "differ",
        ),
        ("nb", _set("config/step/zeroconf_confirm/description", "Legge til serveren?"), "differ"),
        ("en", _set("config/step/user/data_description/port", "The port."), "data_description"),
        ("en", _drop("config/step"), "step"),
        ("en", _drop("services/set_parameter/fields/value/description"), "description"),
        ("en", _set("issues/server_too_old", {"title": "Update the server"}), "description"),
        ("en", _set("repairs", {}), "repairs"),
    ],
)
def test_translation_rules_bite(language: str, mutate: Mutation, error: str) -> None:
    translations = _translations()
    mutate(translations[language])
    with pytest.raises(vol.Invalid, match=error):
        check_translations(translations)


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (_set("entity/switch/outlet/default", "power-socket-eu"), "start with `mdi:`"),
        (_set("entity/switch/outlet/default", "mdi:power-socket-euro"), "Material Design Icons"),
        (_set("entity/switch/outlet/state", {"off": "mdi:power-socket-eu"}), "same as the default"),
        (_set("entity/switch/outlet/state", {"standby": "mdi:sleep"}), "not a state of the entity"),
        (_set("entity/select/led_indicator/state", {"blink": "mdi:led-off"}), "not a state"),
        (_set("entity/switch/outlet/colour", "red"), "colour"),
        (_drop("services/set_parameter"), "has no icon"),
        (_set("services/set_parameter", {"service": "mdi:cogs-wheel"}), "Material Design"),
        (_set("services/reset_meters", "mdi:counter"), "not in services.yaml"),
    ],
)
def test_icon_rules_bite(mutate: Mutation, error: str) -> None:
    icons = _broken(COMPONENT / "icons.json", mutate)
    with pytest.raises(vol.Invalid, match=error):
        check_icons(icons, _translations()["en"], _services())


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (_set("set_parameter/fields/parameter/selector", {"number": {"mode": "dial"}}), "mode"),
        (_set("set_parameter/fields/parameter/selector", {"numbr": {}}), "numbr"),
        (_set("set_parameter/fields/parameter/required", "yes"), "required"),
        (_set("set_parameter/fields/parameter/example", None), "cannot be None"),
        (_set("set_parameter/fields/parameter/unit", "W"), "unit"),
        (_set("set_parameter/name", "Set parameter"), "translations are the source"),
        (_set("set_parameter/fields/value/description", "A value."), "translations are the source"),
        (_set("set_parameter/fields/new_field", {"selector": {"text": None}}), "new_field"),
        (
            _set(
                "set_parameter/fields/value/selector",
                {"select": {"options": ["a"], "translation_key": "nope"}},
            ),
            "translation_key",
        ),
        (_set("Set-Parameter", None), "slug"),
        (_set("reset_meters", None), "the code registers"),
        (_drop("set_parameter/fields/value"), "fields that do not exist"),
    ],
)
def test_service_rules_bite(mutate: Mutation, error: str) -> None:
    services = _services()
    mutate(services)
    with pytest.raises(vol.Invalid, match=error):
        check_services(services, _translations())


@pytest.mark.parametrize(
    ("language", "mutate", "error"),
    [
        ("nb", _drop("services/set_parameter/fields/device_id/name"), "field device_id"),
        ("en", _drop("services/set_parameter/description"), "no name or description"),
        ("nb", _set("services/reset_meters", {"name": "Nullstill", "description": "x"}), "unknown"),
    ],
)
def test_service_translation_rules_bite(language: str, mutate: Mutation, error: str) -> None:
    translations = _translations()
    mutate(translations[language])
    with pytest.raises(vol.Invalid, match=error):
        check_services(_services(), translations)
