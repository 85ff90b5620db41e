# Private to this collection: the Snom data sheet.
"""Snom D7xx and D3xx desk phones, HTTP(S) provisioning.

Files the phone fetches: ``snom<model>-<MAC>.htm`` (a ``<setting-files>`` list of URLs), then
``<MAC>.xml`` and ``snom<model>.xml``, and ``snom<model>-firmware.xml`` for the firmware URL. Format:
XML ``<settings><phone-settings>`` (``user_host``, ``user_name``, ``user_pass`` …) and
``<functionKeys><fkey idx=…>``. Server from DHCP option 66; option 60 ``snomD785``. User-Agent
``Mozilla/4.0 (compatible; snomD785-SIP <firmware> … <MAC>)``, hence the ``snom<model>`` aliases.
Control: SIP ``check-sync;reboot=false``; ``/advanced_update.htm?reboot=Reboot``.

Sources: research/phone-vendors.md §6 (wazo ``wazo_snom``).

Unverified (``verified=False``): every model's account and key counts, the D7/D7C expansion modules
and their maximum counts (from memory); screenshot (``/screen.bmp``) is only remembered, so it is not
claimed.

Rendering (``SnomDriver``), files (MAC upper case, as Snom writes it):

- ``snom<model>.htm`` and ``snom<model>.xml``: shared by the fleet's phones of a model (base files
  for the catalogue's other models). The ``.htm`` is a ``<setting-files>`` list naming
  ``snom<model>.xml`` and ``{mac}.xml`` (the phone puts its MAC in place of ``{mac}``); the ``.xml``
  sets only ``setting_server``, i.e. how to reach us.
- ``snom<model>-<MAC>.htm``: the phone's own setting-files list, naming ``<MAC>.xml``.
- ``<MAC>.xml``: ``<settings><phone-settings>`` and ``<functionKeys>``.
- ``<MAC>-firmware.xml``: with a firmware kit only, ``<firmware-settings><firmware>`` = the kit's URL,
  named by ``firmware_status`` in ``<MAC>.xml``.

Extended-set ``params`` become ``<name perm="R">value</name>`` elements at the end of
``<phone-settings>``; a ``timezone`` param replaces our time zone code.

Time zone: Snom wants its own codes (``GER+1``, ``RUS+3``), not Olson names or POSIX rules, so the
driver keeps a small table (``SNOM_TIMEZONES``); a zone missing there fails rendering loudly unless
the profile's extended set gives ``timezone``. Snom codes carry their DST rule: ``time.dst`` is not
rendered.

Verified (research/phone-vendors.md §6, wazo ``wazo_snom``): file names ``snom<model>-<MAC>.htm``,
``<MAC>.xml``, the ``<setting-files><file url>`` list, ``<firmware-settings><firmware>``,
``user_active``, ``user_host``, ``user_outbound`` (``host:port;transport=…``), ``user_name``,
``user_pname``, ``user_pass``, ``user_realname``, ``user_mailbox``, ``user_srtp``, ``user_savp``,
``codec_priority_list``, ``ntp_server``, ``timezone``, ``vlan_id``/``vlan_qos``/``vlan_pc_id``,
``codec_tos``/``signaling_tos`` (TOS byte = DSCP × 4), ``http_user``/``http_pass``,
``admin_mode_password``, ``setting_server``, ``call_waiting``, ``<fkey idx context label perm>``
with ``speed``/``blf <sip:…>|<pickup code>``/``orbit``, and the User-Agent.

Unverified (from memory, check on a real D785): ``{mac}`` substitution in setting-file URLs;
``firmware_status``, ``update_policy`` values (``auto_update``, ``settings_only``),
``settings_refresh_timer``, ``user_expiry``, ``user_idle_text``, ``time_24_format``; fkey types
``line``, ``keyevent F_DND``, ``url``, ``transfer``; codec names ``opus``, ``g726-32``; every entry
of ``SNOM_TIMEZONES``; expansion-module keys numbered on from the phone's last key (``fkey`` idx
from 0). Not rendered, with a warning: ``dst: off`` for a zone with summer time.

Backup registrar (issue 11; research/param-audit.md §9): Snom fails over to another identity, named by
``user_failover_identity`` (wazo ``wazo_snom`` ``base.tpl``: the line's account again, at the backup host, in
the next identity, ``hide_identity`` on; ``none`` when there is no backup). A phone with N lines gets its
backup identities after them (N+1 .. 2N), so lines and backups never share an identity; a line whose backup
identity would pass the model's identity count gets none, with a warning.
"""

from __future__ import annotations

import re
import typing

from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import VENDOR

#: Olson zone -> Snom time zone code (unverified, see the module docstring)
SNOM_TIMEZONES = {
    "UTC": "GBR-0",
    "Europe/London": "GBR-0",
    "Europe/Berlin": "GER+1",
    "Europe/Paris": "FRA+1",
    "Europe/Amsterdam": "NLD+1",
    "Europe/Rome": "ITA+1",
    "Europe/Madrid": "ESP+1",
    "Europe/Moscow": "RUS+3",
    "America/New_York": "USA-5",
    "America/Chicago": "USA-6",
    "America/Denver": "USA-7",
    "America/Los_Angeles": "USA-8",
}
_SAVP = {"off": "off", "optional": "optional", "required": "mandatory"}
_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class SnomDriver(VendorDriver):
    """Snom D-series: setting-file lists, one XML settings file per phone, firmware by URL."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    # the fkey type; its value follows in the template (number, <sip:…>, URL)
    key_functions: typing.ClassVar[dict] = {
        "line": "line",
        "speed_dial": "speed",
        "blf": "blf",
        "park": "orbit",
        "transfer": "transfer",
        "dnd": "keyevent",
        "url": "url",
    }
    codec_names: typing.ClassVar[dict] = {
        "g722": "g722",
        "pcma": "pcma",
        "pcmu": "pcmu",
        "g729": "g729",
        "g726": "g726-32",
        "gsm": "gsm",
        "opus": "opus",
    }
    defaults: typing.ClassVar[dict] = {
        "sip": {"transport": "udp", "expires": 3600},
        "time": {"time_format": "24h"},
    }
    mac_case = "upper"
    requested_files = (
        r"snom(?P<model>[A-Z]?\d{3})-(?P<mac>[0-9A-F]{12})\.htm",
        r"(?P<mac>[0-9A-F]{12})\.xml",
        r"(?P<mac>[0-9A-F]{12})-firmware\.xml",
        r"snom(?P<model>[A-Z]?\d{3})\.(?:htm|xml)",
    )
    user_agents = (
        r"\bsnom(?P<model>\w+)-SIP (?P<firmware>[\d.]+) \S+ (?P<mac>[0-9A-Fa-f]{12})\b",
        r"\bsnom(?P<model>\w+)-SIP (?P<firmware>[\d.]+)",
    )

    @property
    def environment(self):
        environment = super().environment
        if "snom_keys" not in environment.globals:
            environment.globals.update(
                snom_keys=self.key_plan, snom_model=self.model_name, snom_timezone=SNOM_TIMEZONES, savp=_SAVP
            )
        return environment

    def key_plan(self, keys: list, modules: list, line_keys: int | None) -> list[dict]:
        """Keys with their fkey idx (from 0), phone first, then module after module."""
        placed = [(key["index"] - 1, key) for key in keys]
        offset = line_keys or 0
        for module in modules:
            sheet = self.vendor.expansion_module(module["name"])
            placed.extend((offset + key["index"] - 1, key) for key in module["keys"])
            offset += sheet.keys if sheet else 0
        return [{"idx": idx, **key} for idx, key in placed]

    def failover_identities(self, context: dict) -> dict[int, int | None]:
        """Each line's backup identity (the line's index + the number of lines), None without a backup
        registrar or when the model has too few identities for it."""
        lines = context["lines"]
        model = self.vendor.model(context["phone"]["model"] or "")
        identities = model.lines if model else len(lines)
        if not context["sip"]["backup_registrar"]:
            return {line["index"]: None for line in lines}
        return {
            line["index"]: backup if (backup := len(lines) + line["index"]) <= identities else None for line in lines
        }

    def warnings(self, context: dict) -> list[str]:
        found = []
        if "lines" in context and context["sip"]["backup_registrar"]:
            left_out = [index for index, backup in self.failover_identities(context).items() if backup is None]
            if left_out:
                lines = ", ".join(str(index) for index in left_out)
                found.append(f"snom: no identity left for the backup registrar of line(s) {lines}")
        time = context["time"]
        if time["dst"] == "off" and time["dst_start"] and "timezone" not in context["params"]:
            found.append("snom: dst 'off' cannot be expressed; the Snom time zone code keeps its DST rule")
        return found

    def model_name(self, name: str) -> str:
        model = self.vendor.model(name)
        return model.name if model else name

    def phone_files(self, context: dict) -> list[FileSpec]:
        who = f"snom phone {context['phone']['mac_colon']}"
        bad = [str(name) for name in context["params"] if not _SETTING_NAME.match(str(name))]
        if bad:
            raise RenderError(f"{who}: extended-set parameter(s) {', '.join(bad)} are not Snom setting names")
        zone = context["time"]["timezone"]
        if zone not in SNOM_TIMEZONES and "timezone" not in context["params"]:
            raise RenderError(f"{who}: no Snom time zone code known for {zone}; give 'timezone' in a snom extended set")
        mac = context["phone"]["mac_upper"]
        model = self.model_name(context["phone"]["model"])
        files = [
            FileSpec(f"snom{model}-{mac}.htm", "phone-files.htm.xml.j2"),
            FileSpec(f"{mac}.xml", "phone.xml.j2"),
        ]
        if context["firmware"]:
            files.append(FileSpec(f"{mac}-firmware.xml", "firmware.xml.j2"))
        return files

    def _model_files(self, models: list) -> list[FileSpec]:
        files = []
        for model in models:
            files.append(FileSpec(f"snom{model}.htm", "model-files.htm.xml.j2"))
            files.append(FileSpec(f"snom{model}.xml", "model.xml.j2"))
        return files

    def _fleet_models(self, context: dict) -> list[str]:
        return sorted({self.model_name(name) for name in context["models"]})

    def shared_files(self, context: dict) -> list[FileSpec]:
        return self._model_files(self._fleet_models(context))

    def base_files(self, context: dict) -> list[FileSpec]:
        fleet = set(self._fleet_models(context))
        return self._model_files([model.name for model in self.vendor.models if model.name not in fleet])

    def render(self, spec: FileSpec, context: dict) -> bytes:
        # model files name their model: it is the part of the file name after "snom"
        if spec.template.startswith("model"):
            context = {**context, "model": spec.name[len("snom") :].rsplit(".", 1)[0]}
        if "lines" in context:
            context = {**context, "failover": self.failover_identities(context)}
        return super().render(spec, context)


DRIVER = SnomDriver()
