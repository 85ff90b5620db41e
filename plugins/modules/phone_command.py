# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phone_command
short_description: Reboot or resync IP desk phones through their vendor's own control interface
version_added: 0.2.0
description:
  - "Tells phones to V(resync) (fetch their configuration again, without rebooting) or to V(reboot), each through
    its vendor's real mechanism, from the controller. Reboot and resync are never swapped: a vendor with no
    resync of its own reports the phone as unsupported rather than rebooting it, and every result says whether
    the phone reboots (RV(reboots))."
  - "Mechanisms, in order of preference (the verified one first): Yealink SIP NOTIFY C(check-sync)
    (C(;reboot=true) to reboot) or the Action URI C(/servlet?key=AutoP|Reboot); Cisco enterprise SIP NOTIFY
    C(service-control) C(action=restart) (resync) or C(action=reset) (reboot), C(POST /CGI/Execute), SSH C(reset),
    Telnet C(reset) on the CP-3905; Cisco MPP C(/admin/resync|reboot); Avaya SIP NOTIFY C(check-sync);
    Unify WPI contact-me (resync only); Poly REST C(safeRestart|safeReboot); Grandstream
    C(api-sys_operation?request=PROV|REBOOT); Snom C(check-sync;reboot=false) and C(/advanced_update.htm?reboot=Reboot);
    Fanvil C(check-sync) and C(ConfigManApp.com?key=Reboot); Atcom C(server.cgi?key=REBOOT)."
  - Facts not verified on a real phone are marked in each result (RV(verified)) and listed in the collection's
    C(docs/control.md).
  - Per-host mode (no O(phones)) drives the current host's phone. Batch mode (O(phones)) drives thousands of
    phones in one task with bounded concurrency and a progress line, and returns one result per phone; use it
    with C(run_once) for a fleet.
  - Runs on the controller. The phone must accept control from the controller's address (for SIP, a NOTIFY
    from a host other than its registrar; for Yealink HTTP, the controller in C(features.action_uri_limit_ip)).
options:
  command:
    description:
      - V(resync) makes the phone fetch its configuration again without rebooting; V(reboot) restarts it (and it
        fetches its configuration, and firmware when its kit changed, while starting).
    type: str
    required: true
    choices: [reboot, resync]
  firmware_window_minutes:
    description:
      - First open the phone's firmware window at the provisioning service for this many minutes (1 to 240), so
        that the configuration it fetches names its kit's firmware now, outside its profile's window
        (C(POST /api/v1/phones/<mac>/firmware-window)); it closes by itself at the end. What
        C(firmware_upgrade.yml -e phonefleet_ignore_window=true) uses.
      - Needs O(service_url) and an O(service_token) of the C(api) or C(administrator) role; without them the task
        fails saying so.
      - In check mode nothing is opened.
    type: int
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - phonefleet.provisioning.controller_action
  - phonefleet.provisioning.phone_control
  - phonefleet.provisioning.service_connection
attributes:
  check_mode:
    support: full
    details: Nothing is sent; each phone's result says what would be sent (RV(mechanism)), and C(changed) is true.
  diff_mode:
    support: none
  vault:
    description: Can decrypt vault-encrypted values it reads.
    support: full
    details: The fleet's control password (a vault value) is decrypted with the play's vault secrets.
notes:
  - With O(fleet_dir), the login is read from the fleet once and kept (its password still vault-encrypted) in
    C(~/.cache/phonefleet/control) while the fleet files do not change, so one task per phone stays cheap. A
    fleet whose settings file is vault-encrypted whole is read again for every task (its password would be
    clear text in that cache); give O(username) and O(password) then.
  - A phone that cannot do the command is reported as V(unsupported) (per host, the task is skipped with the
    reason); a phone the provisioning service has not seen has no address and is reported as V(no_address).
seealso:
  - module: phonefleet.provisioning.phone_info
  - plugin: phonefleet.provisioning.fleet
    plugin_type: inventory
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Resync every Yealink phone, one task per phone
  hosts: vendor_yealink
  gather_facts: false
  tasks:
    - name: Resync this phone
      phonefleet.provisioning.phone_command:
        command: resync
        fleet_dir: "{{ inventory_dir }}/fleet"

- name: Reboot the play's phones in one batch, 100 at a time
  hosts: phones
  gather_facts: false
  tasks:
    - name: Reboot them all
      phonefleet.provisioning.phone_command:
        command: reboot
        phones: "{{ ansible_play_hosts }}"
        concurrency: 100
        max_fail_percentage: 5
        fleet_dir: "{{ inventory_dir }}/fleet"
      run_once: true
      register: rebooted

- name: Resync two phones given by hand, over SIP only
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Resync them
      phonefleet.provisioning.phone_command:
        command: resync
        method: sip
        phones:
          - {mac: "80:5e:c0:11:22:33", vendor: yealink, model: T54W, address: 10.20.0.31}
          - {mac: "0c:d0:f8:a1:b2:c3", vendor: cisco, model: CP-8845, address: 10.20.0.32}
"""

RETURN = r"""
command:
  description: Per-host mode; the command.
  returned: per-host mode
  type: str
  sample: resync
status:
  description:
    - Per-host mode; V(sent), V(would_send) (check mode), V(failed), V(unsupported) (this vendor or model cannot do
      it, or not with this O(method)) or V(no_address).
  returned: per-host mode
  type: str
method:
  description: The transport used (V(http), V(sip), V(ssh), V(telnet), V(wpi)).
  returned: per-host mode, when sent or would be sent
  type: str
  sample: sip
mechanism:
  description: What was sent, to which address and port (passwords as C(********)).
  returned: per-host mode, when sent or would be sent
  type: str
  sample: "SIP NOTIFY Event: check-sync to 10.20.0.31:5060"
reboots:
  description: Whether this mechanism reboots the phone.
  returned: per-host mode, when sent or would be sent
  type: bool
verified:
  description: Whether the mechanism is verified in the vendor's or a reference implementation's material.
  returned: per-host mode, when sent or would be sent
  type: bool
detail:
  description: The phone's answer.
  returned: per-host mode, when sent
  type: str
  sample: "SIP/2.0 200 OK in 3 ms"
phones:
  description:
    - Batch mode; one result per phone, in the order given, each with C(mac), C(name), C(vendor), C(model),
      C(address), C(command), C(status), C(msg), C(elapsed) (seconds), and when sent C(method), C(mechanism),
      C(reboots), C(verified), C(detail); failures carry C(error) (V(unreachable), V(authentication),
      V(protocol), V(unsupported), V(error)).
  returned: batch mode
  type: list
  elements: dict
counts:
  description: Batch mode; how many phones ended in each status.
  returned: batch mode
  type: dict
  sample: {"sent": 4980, "failed": 12, "unsupported": 8}
failed_phones:
  description: Batch mode; MACs of the phones that failed.
  returned: batch mode
  type: list
  elements: str
"""
