# Private to this collection: writing the service's auto-provisioned phones into a fleet file.
"""Plan the export of auto-provisioned phones into the fleet (so that Git is the truth again); write nothing.

The provisioning service hands an unknown phone of an enabled vendor a number of
``settings.autoprovision.number_pool`` with its SIP user name. :func:`plan_export` takes those
assignments (``GET /api/v1/autoprovisioned``) and computes the fleet file ``dest`` with one phone per
assignment: MAC, name, vendor, model, the profile and firmware kit of ``settings.autoprovision``, and one
line with the number, user name and password (``!vault`` encrypted, or in clear on request), so that the
phone's config stays what the service rendered for it. The service never gives out the password: it is
derived here from the fleet's ``password_secret`` and the number (fleet/pool.py), as the service derives it
to render the phone's file and the registrar export to give the registrar its subscribers.

- A MAC already in the fleet is left alone (``present``): the fleet wins.
- A phone that has not reported its vendor and model yet cannot be rendered from the fleet, so it is not
  exported (``pending``); it stays auto-provisioned until it does.
- The fleet as it would be is validated as the inventory loads it; a phone with problems is left out
  (``error``, with the reason) and the others are exported. Problems anywhere else fail the plan.

:func:`plan_learned_models` does the same for the fleet's phones without a model (the reference product's
CSV has none; publish leaves them to the service, docs/service.md): each one the service rendered with the
model a request that proved the phone reported (``learned_model`` of ``GET /api/v1/phones``) gets ``model:``
in the file that holds it, so the next publish renders it itself and the service's render is no longer used.
A phone with no vendor either (its MAC prefix is shared by several vendors) gets the vendor the service
learned with the model (``learned_vendor``) as ``vendor:`` too: the model alone may not name its vendor.
A phone in a CSV file or a vault-encrypted file cannot be edited here and is reported (``error``, why).

Files are edited like the CSV import edits them (ruamel.yaml round trip): comments, key order, quoting and
existing ``!vault`` values stay. Passwords never appear in results, reasons or diffs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import FleetError, FleetValidationError, Problem
from .loader import display_name, load_fleet, load_fleet_documents
from .mac import InvalidMac, format_mac, normalize_mac
from .masking import mask_secrets, scrub
from .phones_import import PASSWORD_MODES
from .pool import Pool
from .yaml_edit import FleetFileError, YamlFile, check_dest, require_ruamel, scalar
from .yamlio import load_yaml

try:
    import yaml as pyyaml
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
except ImportError:  # pragma: no cover - require_ruamel reports it
    pass

EXPORTED, PRESENT, PENDING, ERROR = "exported", "present", "pending", "error"
DEFAULT_FILE = "autoprovisioned.yml"
HEADER = (
    "# Phones the provisioning service auto-provisioned, exported into the fleet by\n"
    "# phonefleet.provisioning.autoprovisioned_export (playbooks/export_autoprovisioned.yml).\n"
    "# They are ordinary fleet phones now: edit, move or rename them like any other.\n"
)

Encrypt = Callable[[str], str]
DecryptFile = Callable[[bytes, str], bytes]


class ExportOptionError(FleetError):
    """The options of an export cannot work (dest outside the fleet, no vault secret, ...)."""


@dataclass
class ExportedPhone:
    """What became of one assignment. The password stays here, on the controller, never in as_dict()."""

    mac: str
    number: str | None = None
    name: str | None = None
    vendor: str | None = None
    model: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    result: str = EXPORTED
    reason: str | None = None
    key: str = ""
    index: int | None = None

    def as_dict(self) -> dict:
        item = {
            "mac": self.mac,
            "number": self.number,
            "name": self.name,
            "vendor": self.vendor,
            "model": self.model,
            "result": self.result,
        }
        if self.reason:
            item["reason"] = self.reason
        return item

    def fail(self, message: str) -> None:
        self.result = ERROR
        self.reason = scrub(message, [self.password or ""])


@dataclass
class ExportPlan:
    phones: list
    dest: str
    text: str | None = field(default=None, repr=False)  # the new text of dest; None when it does not change
    original: str | None = field(default=None, repr=False)
    warnings: list = field(default_factory=list)
    entries: dict = field(default_factory=dict)  # mac -> the plain phone as written (password masked)

    def count(self, *results: str) -> int:
        return sum(phone.result in results for phone in self.phones)

    def macs(self, *results: str) -> list[str]:
        return [phone.key for phone in self.phones if phone.result in results]

    def diffs(self) -> list[dict]:
        """One before/after per exported phone, as YAML, with the password masked."""
        header_file = display_name(self.dest)
        return [
            {
                "before_header": f"{header_file}: {phone.mac}",
                "after_header": f"{header_file}: {phone.mac}",
                "before": "",
                "after": pyyaml.safe_dump(
                    [self.entries[phone.key]], sort_keys=False, allow_unicode=True, default_flow_style=False
                ),
            }
            for phone in self.phones
            if phone.result == EXPORTED
        ]


def _text(value: object, limit: int = 256) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError("must be text")
    text = str(value).strip()
    return text[:limit] if text else None


def _phone_of(item: object, index: int, reported: dict) -> ExportedPhone:
    """An assignment of the API checked; vendor and model fall back to what the phone reported."""
    if not isinstance(item, dict):
        phone = ExportedPhone(mac=f"phones[{index}]")
        phone.fail("the service's answer is not an object")
        return phone
    try:
        key = normalize_mac(item.get("mac"))
    except InvalidMac as exc:
        phone = ExportedPhone(mac=str(item.get("mac"))[:40])
        phone.fail(f"mac: {exc}")
        return phone
    phone = ExportedPhone(mac=format_mac(key), key=key)
    try:
        for name in ("number", "name", "vendor", "model", "username"):
            setattr(phone, name, _text(item.get(name)))
    except ValueError:
        phone.fail("the service's answer has a field that is not text")
        return phone
    seen = reported.get(key) or {}
    phone.vendor = phone.vendor or _text(seen.get("reported_vendor"))
    phone.model = phone.model or _text(seen.get("reported_model"))
    if not phone.number:
        phone.fail("the service gave no number for it")
    return phone


def plan_export(
    assignments: list,
    fleet_dir: str,
    dest: str,
    *,
    reported: dict | None = None,
    passwords: str = "vault",
    encrypt: Encrypt | None = None,
    decrypt_file: DecryptFile | None = None,
    reveal: Callable[[object], str],
) -> ExportPlan:
    """Compute ``dest`` with the assignments that are not in the fleet yet; write nothing.

    ``assignments`` are the API's objects (mac, number, name, username, vendor, model); ``reveal`` gives the
    clear text of a vault value of the fleet (``password_secret``, from which the passwords are derived);
    ``reported`` maps a MAC (12 hex) to its row of ``GET /api/v1/phones`` (for the vendor and model
    the phone reported, when the assignment has none). Raises ExportOptionError for impossible options
    and FleetValidationError for problems of the fleet that are not in the exported phones.
    """
    require_ruamel()
    if passwords not in PASSWORD_MODES:
        raise ExportOptionError(f"passwords: must be one of {', '.join(PASSWORD_MODES)}")
    try:
        dest = check_dest(fleet_dir, dest)
    except FleetFileError as exc:
        raise ExportOptionError(str(exc)) from None
    documents: list = []
    fleet = load_fleet(fleet_dir, decrypt_file, documents_out=documents)
    settings = fleet.settings.get("autoprovision") or {}
    known = {_key(warning) for warning in fleet.warnings}  # only warnings the export brings are reported
    phones = [_phone_of(item, index, reported or {}) for index, item in enumerate(assignments)]
    seen: set = set()
    for phone in phones:
        if phone.result == ERROR:
            continue
        if phone.key in fleet.phones_by_mac:
            phone.result = PRESENT
        elif phone.key in seen:
            phone.fail("the service lists this MAC twice")
        elif not phone.vendor or not phone.model:
            missing = " and ".join(name for name in ("vendor", "model") if not getattr(phone, name))
            phone.result = PENDING
            phone.reason = (
                f"the phone has not reported its {missing} yet, so the fleet could not render its config;"
                " it stays auto-provisioned until it does"
            )
        seen.add(phone.key)
    candidates = [phone for phone in phones if phone.result == EXPORTED]
    _derive_passwords(candidates, Pool(fleet, reveal))
    if candidates and passwords == "vault" and encrypt is None:
        raise ExportOptionError(
            "passwords=vault, but no vault secret is loaded to encrypt the SIP passwords: run with --vault-id or"
            " --vault-password-file, or set passwords: plain"
        )
    yaml_file = YamlFile(dest)
    plan = ExportPlan(phones=phones, dest=dest, original=yaml_file.original)
    secrets = {phone.key: _secret(phone, passwords, encrypt) for phone in candidates}
    for _attempt in range(len(candidates) + 1):
        candidates = [phone for phone in candidates if phone.result == EXPORTED]
        if not candidates:
            plan.text = None
            break
        text = _render(yaml_file, candidates, settings, secrets)
        problems, warnings = _validate(documents, {display_name(dest): text})
        plan.text, plan.warnings = text, [str(item) for item in warnings if _key(item) not in known]
        if not problems:
            break
        _assign(problems, candidates, display_name(dest))
    for phone in phones:
        if phone.result == EXPORTED:
            plan.entries[phone.key] = mask_secrets(_plain_entry(phone, settings))
    return plan


def _derive_passwords(candidates: list, pool: Pool) -> None:
    """Each exported phone's SIP password, derived from the fleet's secret and its number (fleet/pool.py; the
    fleet loaded, so the secret is there: validation requires it with auto-provisioning on)."""
    for phone in candidates:
        phone.password = pool.account(phone.number).password


def _secret(phone: ExportedPhone, passwords: str, encrypt: Encrypt | None) -> object:
    """The password as it is written: a ``!vault |`` block, or the clear text quoted as needed."""
    if phone.password is None:  # only phones to export (with their password) get here
        raise AssertionError("phone.password is None")
    if passwords == "plain":
        return scalar(phone.password)
    if encrypt is None:  # passwords=vault without a vault secret is refused before
        raise AssertionError("encrypt is None")
    text = encrypt(phone.password).rstrip("\n") + "\n"
    return TaggedScalar(value=text, style="|", tag="!vault")


def _plain_entry(phone: ExportedPhone, settings: dict) -> dict:
    entry: dict = {"mac": phone.mac, "name": phone.name, "vendor": phone.vendor, "model": phone.model}
    for name in ("profile", "firmware_kit"):
        if settings.get(name):
            entry[name] = str(settings[name])
    line = {"number": phone.number, "display_name": phone.name, "username": phone.username}
    line["password"] = phone.password
    entry["lines"] = [{key: value for key, value in line.items() if value is not None}]
    return {key: value for key, value in entry.items() if value is not None}


def _render(yaml_file: YamlFile, candidates: list, settings: dict, secrets: dict) -> str:
    """The new text of dest: its phones as they are, then one phone per candidate."""
    document = yaml_file.load()
    phones = yaml_file.phones(document)
    for phone in candidates:
        entry = CommentedMap()
        for name, value in _plain_entry(phone, settings).items():
            if name == "lines":
                line = CommentedMap()
                for line_key, line_value in value[0].items():
                    line[line_key] = secrets[phone.key] if line_key == "password" else scalar(line_value)
                entry["lines"] = CommentedSeq([line])
            else:
                entry[name] = scalar(value)
        phones.append(entry)
        phone.index = len(phones) - 1
        if len(phones) > 1 and yaml_file.spaced:
            phones.yaml_set_comment_before_after_key(len(phones) - 1, before="\n")
    text = yaml_file.dump(document)
    if yaml_file.original is None:
        text = HEADER + text
    return ("\ufeff" if yaml_file.bom else "") + text


def _key(problem: Problem) -> tuple:
    return (problem.file, problem.path, problem.message)  # without the line: documents do not give one


def _validate(documents: list, texts: dict[str, str]) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of the fleet with ``texts`` (file name -> new text) in place of those files."""
    replaced = [(name, data) for name, data in documents if name not in texts]
    replaced.extend((name, load_yaml(text.lstrip("\ufeff"))) for name, text in texts.items())
    try:
        fleet = load_fleet_documents(replaced)
    except FleetValidationError as exc:
        return exc.problems, []
    return [], list(fleet.warnings)


def _assign(problems: list[Problem], candidates: list, dest_name: str) -> None:
    """Problems in exported phones fail those phones; any other problem fails the export as a whole."""
    by_index = {phone.index: phone for phone in candidates}
    leftovers = []
    for problem in problems:
        phone = None
        if problem.file == dest_name and problem.path.startswith("phones["):
            index_text = problem.path[len("phones[") :].split("]", 1)[0]
            phone = by_index.get(int(index_text)) if index_text.isdigit() else None
        if phone is None:
            leftovers.append(problem)
            continue
        subpath = problem.path.split("]", 1)[1].lstrip(".")
        phone.fail(f"{subpath}: {problem.message}" if subpath else problem.message)
    if leftovers:
        raise FleetValidationError(leftovers)


# -- models the service learned from phones without one ------------------------------------------------------

WRITTEN = "written"


@dataclass
class LearnedModel:
    """A fleet phone without a model, and what becomes of the model the service learned for it."""

    mac: str
    name: str | None
    file: str  # the fleet file that holds the phone (as people read it)
    model: str | None = None
    result: str = WRITTEN
    reason: str | None = None
    vendor: str | None = None  # learned with the model, written only for a phone the fleet gave no vendor

    def as_dict(self) -> dict:
        item = {"mac": self.mac, "name": self.name, "file": self.file, "model": self.model, "result": self.result}
        if self.vendor:
            item["vendor"] = self.vendor
        if self.reason:
            item["reason"] = self.reason
        return item


@dataclass
class ModelPlan:
    phones: list
    texts: dict = field(default_factory=dict)  # fleet file -> its new text (only files that change)

    def count(self, *results: str) -> int:
        return sum(phone.result in results for phone in self.phones)

    def diffs(self) -> list[dict]:
        """One diff per phone given a model: the line added (nothing else of the file, which may hold secrets)."""
        return [
            {
                "before_header": f"{phone.file}: {phone.mac}",
                "after_header": f"{phone.file}: {phone.mac}",
                "before": "",
                "after": (f"vendor: {phone.vendor}\n" if phone.vendor else "") + f"model: {phone.model}\n",
            }
            for phone in self.phones
            if phone.result == WRITTEN
        ]


def plan_learned_models(rows: dict, fleet_dir: str, decrypt_file: DecryptFile | None = None) -> ModelPlan:
    """The fleet files with ``model:`` written into each phone without one that the service rendered with the
    model its phone reported; write nothing. ``rows``: ``GET /api/v1/phones`` by MAC (12 hex). Raises
    FleetValidationError when the fleet with these models would not be valid (nothing is written then)."""
    require_ruamel()
    documents: list = []
    fleet = load_fleet(fleet_dir, decrypt_file, documents_out=documents)
    plan = ModelPlan(phones=[])
    edits: dict[str, list] = {}
    for phone in fleet.phones:
        if phone.model is not None:
            continue
        item = LearnedModel(mac=format_mac(phone.mac), name=phone.name, file=phone.origin.file)
        plan.phones.append(item)
        row = rows.get(phone.mac) or {}
        try:
            item.model = _text(row.get("learned_model"), 64)
            item.vendor = _text(row.get("learned_vendor"), 64) if phone.vendor is None else None
        except ValueError:
            item.result, item.reason = ERROR, "the service's answer has a learned model or vendor that is not text"
            continue
        if item.model is None:
            item.result = PENDING
            item.reason = "the service has not rendered it yet with a model the phone reported (it awaits its model)"
        elif phone.vendor is None and item.vendor is None:
            item.result = ERROR
            item.reason = "the service learned its model but not its vendor (its MAC prefix names several)"
        elif phone.origin.file.lower().endswith(".csv"):
            item.result = ERROR
            item.reason = f"{item.file} is a CSV file: add a model column there, or move the phone into YAML"
        else:
            edits.setdefault(phone.origin.file, []).append((item, phone.origin.at))
    for path, items in edits.items():
        yaml_file = YamlFile(path)
        if (yaml_file.original or "").lstrip().startswith("$ANSIBLE_VAULT"):
            for item, _at in items:
                item.result = ERROR
                item.reason = f"{item.file} is vault-encrypted: set its model by hand (ansible-vault edit)"
            continue
        document = yaml_file.load()
        for item, at in items:
            _set_model(document, at, item.model, item.vendor)
        plan.texts[path] = ("\ufeff" if yaml_file.bom else "") + yaml_file.dump(document)
    problems, _warnings = _validate(documents, plan.texts) if plan.texts else ([], [])
    if problems:
        raise FleetValidationError(problems)
    return plan


def _set_model(document, at: tuple, model: str, vendor: str | None) -> None:
    """``model:`` (and ``vendor:`` before it, when given) into the phone mapping at path ``at`` of ``document``,
    after its vendor, name or MAC."""
    node = document
    for step in at:
        node = node[step]
    for key, value in (("vendor", vendor), ("model", model)):
        if value is None:
            continue
        keys = list(node)
        after = next((known for known in ("vendor", "name", "mac") if known in keys), None)
        node.insert(keys.index(after) + 1 if after is not None else len(keys), key, scalar(value))


__all__ = [
    "DEFAULT_FILE",
    "ERROR",
    "EXPORTED",
    "PENDING",
    "PRESENT",
    "WRITTEN",
    "ExportOptionError",
    "ExportPlan",
    "ExportedPhone",
    "LearnedModel",
    "ModelPlan",
    "plan_export",
    "plan_learned_models",
]
