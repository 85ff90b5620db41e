# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: profile
short_description: Create, change or remove a profile of the fleet
version_added: 0.2.0
description:
  - A profile is what a group of phones of any vendor share (SIP server, codecs, features, time, network,
    update schedule, admin password, extended sets); phones name it with C(profile). See docs/fleet-format.md.
  - The fields of fixed shape are suboptions, so a misspelt field or a wrong type is refused by name before
    the fleet is read, and text from C(-e) or a survey is converted to the numbers and booleans the fleet wants.
    Ranges, patterns and references (an unknown extended set, a VLAN above 4094, a missing C(sip.registrar) on
    a new profile) are checked by the validation of the whole fleet, which names the file, line and field.
  - To remove a field, give it as V(null), for example O(admin_password=null), or O(sip.proxy) given as V(null);
    or give the whole profile with O(replace=true).
extends_documentation_fragment:
  - phonefleet.provisioning.fleet_item
  - phonefleet.provisioning.fleet_edit
  - phonefleet.provisioning.controller_action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
options:
  description:
    description: One line saying what the profile is for.
    type: str
  sip:
    description:
      - The SIP server the phones register with. C(registrar) is required for a new profile.
    type: dict
    suboptions:
      registrar:
        description: Registrar host name or address.
        type: str
      port:
        description: Registrar port, 1-65535.
        type: int
      transport:
        description: SIP transport.
        type: str
        choices: [udp, tcp, tls]
      proxy:
        description: SIP proxy host.
        type: str
      outbound_proxy:
        description: Outbound proxy host.
        type: str
      backup_registrar:
        description: Second registrar host.
        type: str
      backup_port:
        description: Port of the second registrar.
        type: int
      expires:
        description: Registration lifetime in seconds, 30-86400.
        type: int
      nat_keepalive:
        description: Seconds between NAT keep-alive packets, V(0) for none.
        type: int
      srtp:
        description: Media encryption.
        type: str
        choices: ["off", optional, required]
  codecs:
    description: Codecs in order of preference (replaces the list).
    type: list
    elements: str
    choices: [opus, g722, pcma, pcmu, g729, g726, g723, ilbc, gsm, amr, amr-wb, g722.1, g722.1c, speex, l16]
  features:
    description: Call features and feature codes.
    type: dict
    suboptions:
      call_waiting:
        description: Call waiting.
        type: bool
      dnd:
        description: Do not disturb allowed.
        type: bool
      call_forward:
        description: Call forwarding allowed.
        type: bool
      transfer:
        description: Call transfer allowed.
        type: bool
      intercom:
        description: Intercom calls answered automatically.
        type: bool
      voicemail_code:
        description: Number dialled for voicemail.
        type: str
      pickup_code:
        description: Call pickup code.
        type: str
      park_code:
        description: Call park code.
        type: str
      intercom_code:
        description: Intercom prefix.
        type: str
  mobility:
    description: Phones of this profile accept mobility users (log in, log out).
    type: bool
  time:
    description: Time source and display. C(timezone) is required when C(time) is first given.
    type: dict
    suboptions:
      ntp:
        description: One to four NTP servers (replaces the list).
        type: list
        elements: str
      timezone:
        description: Olson time zone name, such as C(Europe/Moscow).
        type: str
      dst:
        description: Daylight saving time.
        type: str
        choices: [auto, "on", "off"]
      time_format:
        description: Clock format.
        type: str
        choices: [12h, 24h]
      date_format:
        description: Date format as the phones take it.
        type: str
  network:
    description: Network settings of the phones.
    type: dict
    suboptions:
      vlan:
        description: Voice VLAN; C(id) is required when C(vlan) is first given.
        type: dict
        suboptions:
          id:
            description: VLAN id, 0-4094.
            type: int
          priority:
            description: 802.1p priority, 0-7.
            type: int
          pc_port_id:
            description: VLAN of the phone's PC port, 0-4094.
            type: int
      lldp:
        description: LLDP on.
        type: bool
      cdp:
        description: CDP on.
        type: bool
      dscp:
        description: DSCP marks.
        type: dict
        suboptions:
          sip:
            description: DSCP of SIP packets, 0-63.
            type: int
          rtp:
            description: DSCP of voice packets, 0-63.
            type: int
  updates:
    description: When phones look for a new config and when firmware may be upgraded.
    type: dict
    suboptions:
      config_check:
        description: Either C(every) (V(90s), V(30m), V(1h), V(1d)) or C(days) within C(hours).
        type: dict
        suboptions:
          every:
            description: Interval, a number followed by s, m, h or d.
            type: str
          days:
            description: Weekdays.
            type: list
            elements: str
            choices: [mon, tue, wed, thu, fri, sat, sun]
          hours:
            description: Time range, C(HH:MM-HH:MM).
            type: str
      firmware_window:
        description: When a firmware upgrade may run; C(days) and C(hours) are both required.
        type: dict
        suboptions:
          days:
            description: Weekdays.
            type: list
            elements: str
            choices: [mon, tue, wed, thu, fri, sat, sun]
          hours:
            description: Time range, C(HH:MM-HH:MM).
            type: str
  admin_password:
    description:
      - The phones' web admin password. Written as a C(!vault) value; never shown in results, messages or diffs.
    type: str
  extended:
    description: Names of the extended sets the profile applies, in order (replaces the list).
    type: list
    elements: str
seealso:
  - module: phonefleet.provisioning.extended_set
  - module: phonefleet.provisioning.key_template
  - module: phonefleet.provisioning.fleet_validate
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: A profile for the warehouse, over TLS
  phonefleet.provisioning.profile:
    fleet_dir: "{{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}"
    name: warehouse
    description: Warehouse floor
    sip: {registrar: sbc.example.org, port: 5061, transport: tls}
    codecs: [pcma, g729]
    time: {ntp: [ntp.example.org], timezone: Europe/Moscow}
    admin_password: "{{ vault_warehouse_admin_password }}"
  no_log: true  # the admin password is in the task's arguments

- name: Move the office to the second registrar, leaving everything else as it is
  phonefleet.provisioning.profile:
    fleet_dir: /srv/fleet
    name: office
    sip:
      registrar: pbx2.example.org
      backup_registrar: null  # removed

- name: Remove a profile no phone uses any more
  phonefleet.provisioning.profile:
    fleet_dir: /srv/fleet
    name: lab
    state: absent
"""

RETURN = r"""
changes:
  description: The profile created, changed or removed (empty when nothing changed).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The part of the fleet, V(profiles).
      type: str
      sample: profiles
    name:
      description: The profile's name.
      type: str
      sample: office
    file:
      description: The fleet file that holds (or held) it.
      type: str
      sample: inventory/site/fleet/profiles.yml
    action:
      description: V(created), V(changed) or V(removed).
      type: str
      sample: changed
files:
  description: The fleet files written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [inventory/site/fleet/profiles.yml]
"""
