# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every phone-control action (phone_command, phone_info) shares: which phones, how to reach them."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  phones:
    description:
      - Batch mode. The phones to drive in this one task, on the controller, at most O(concurrency) at a time,
        with a progress line. Without it, the task drives the phone of the current host (per-host mode).
      - Each element is an inventory host name (a phone of the P(phonefleet.provisioning.fleet#inventory)
        inventory, whose C(phone_mac), C(phone_vendor), C(phone_model), C(phone_name), C(phone_lines) and
        C(ansible_host) are used), or a mapping with C(mac) (required), C(vendor) (else found from the MAC's
        vendor block), C(model), C(address), C(ports), C(name), C(sip_user), C(scheme), C(username) and
        C(password).
      - Use C(run_once) and V({{ ansible_play_hosts }}) to drive the play's phones in one task.
    type: list
    elements: raw
  concurrency:
    description: Batch mode; how many phones are driven at the same time.
    type: int
    default: 50
  address:
    description:
      - Per-host mode; the phone's IP address. Defaults to the host's C(ansible_host), which the fleet inventory
        plugin sets from the provisioning service's live facts (the address the phone last asked from).
      - A phone with no address is reported (status V(no_address)), not failed.
    type: str
  ports:
    description:
      - Ports of the phone's services, when not the standard ones (C(http) 80, C(https) 443, C(sip) 5060,
        C(ssh) 22, C(telnet) 23, C(contact_me) 8085, the Unify contact-me port).
      - In batch mode a phone's own C(ports) win.
    type: dict
  method:
    description:
      - The transport to use. V(auto) takes the vendor's preferred way (the verified one first), and the next
        one only when the phone answers that it does not support the first.
      - V(http) the web interface or REST API, V(sip) an out-of-dialog SIP NOTIFY, V(ssh) or V(telnet) the
        console, V(wpi) the Unify contact-me. A vendor without such a way reports the phone as unsupported.
    type: str
    choices: [auto, http, sip, ssh, telnet, wpi]
    default: auto
  username:
    description:
      - Login of the phones' web interface, SSH and Telnet. Defaults to the environment variable
        E(PHONEFLEET_PHONE_USERNAME) (AWX's PhoneFleet phone control credential sets it), else to
        C(settings.phone_control.username) of the fleet in O(fleet_dir). Poly phones always use C(Polycom)
        (their REST API's user).
    type: str
  password:
    description:
      - Password of that login. Defaults to the environment variable E(PHONEFLEET_PHONE_PASSWORD), else to
        C(settings.phone_control.password) of the fleet in O(fleet_dir) (a vault value, decrypted with the
        play's vault secrets). Never shown in results or messages.
    type: str
  fleet_dir:
    description:
      - The fleet directory. When given, O(username) and O(password) default to the fleet's
        C(settings.phone_control). Relative to the playbook directory.
      - Phone facts in batch mode come from the inventory (host names) or the O(phones) entries, not from the
        fleet files.
    type: path
  scheme:
    description: How the web interface is reached. Phones answer HTTPS with self-signed certificates.
    type: str
    choices: [http, https]
    default: http
  validate_certs:
    description: With O(scheme=https), check the phone's certificate.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for a phone's answer. A SIP NOTIFY is sent again on the RFC 3261 schedule (after 0.5,
        1, 2, 4 s) within this time.
    type: float
    default: 5
  max_fail_percentage:
    description:
      - Batch mode; the task fails when more than this percentage of the phones failed. Phones whose vendor or
        model cannot do what was asked (V(unsupported)) and phones with no address (V(no_address)) are
        reported, not counted as failures.
    type: int
    default: 0
  progress:
    description: Batch mode; print a progress line every few seconds.
    type: bool
    default: true
notes:
  - The provisioning service (O(service_url), O(service_token) of the C(api) or C(administrator) role) carries out
    what only it can (today the reboot of a Unify phone, which the service sends as WPI C(Restart) at the phone's
    next contact; the task queues it, then sends the contact-me). Without it, or without a token, rebooting a Unify
    phone is reported V(unsupported). Only a reboot and a firmware window ask the service; other runs ignore
    O(service_url) and O(service_token).
"""
