# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: phone_info
short_description: Read IP desk phones' model, firmware, line registrations and IP, and save their screen as PNG
version_added: 0.2.0
description:
  - Asks each phone what it is (model, firmware, MAC, IP) and the registration state of each line, through its
    vendor's status interface; saves a screenshot as PNG for the models that have one.
  - "Status: Yealink C(/servlet?phonecfg=get&accounts=1&fw=1); Cisco enterprise C(/DeviceInformationX) (or
    C(show version) over SSH); Cisco MPP C(/admin/status.xml); Poly C(/api/v1/mgmt/device/info). Screenshots:
    Yealink C(/screencapture), Cisco C(/CGI/Screenshot), Poly C(/captureScreen), Snom C(/screen.bmp). Other
    vendors and models are reported as V(unsupported), with the reason (for example, Avaya and Unify report
    their firmware to the provisioning service instead: C(phone_firmware) in the inventory's live facts)."
  - With O(fleet_dir), each result also says what the fleet expects, the firmware version of the phone's kit for
    its model, and whether the phone is inside its profile's firmware window now.
  - Per-host mode reads the current host's phone; batch mode (O(phones)) reads thousands in one task and adds a
    printable RV(table) (phone, provisioning status 0-3, registration, firmware, last contact).
  - Runs on the controller.
options:
  info:
    description: Read the phone's model, firmware, MAC, IP and line registrations.
    type: bool
    default: true
  screenshot_dest:
    description:
      - Save the phone's screen as PNG. A path ending in C(.png) is the file (per-host mode only); any other path
        is a directory that receives C(<mac>.png) per phone. Created if missing; each file is written atomically.
      - Phones send BMP (converted to PNG on the controller, without an imaging library) or PNG.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - action_common_attributes.files
  - phonefleet.provisioning.controller_action
  - phonefleet.provisioning.phone_control
  - phonefleet.provisioning.service_connection
attributes:
  check_mode:
    support: full
    details: Phones are read (reading changes nothing on them); screenshots are not taken or written.
  diff_mode:
    support: none
  safe_file_operations:
    support: full
  vault:
    support: full
    details: The fleet's control password (a vault value) is decrypted with the play's vault secrets.
notes:
  - O(max_fail_percentage) counts phones whose reading failed (unreachable, refused login, unreadable answer).
  - With O(fleet_dir) the fleet is loaded once per task (unchanged files come from a parse cache in
    C(~/.cache/phonefleet/control)); in per-host mode that is once per phone.
seealso:
  - module: phonefleet.provisioning.phone_command
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Status of every phone, as a table
  hosts: phones
  gather_facts: false
  tasks:
    - name: Read every phone
      phonefleet.provisioning.phone_info:
        phones: "{{ ansible_play_hosts }}"
        fleet_dir: "{{ inventory_dir }}/fleet"
        max_fail_percentage: 100
      run_once: true
      register: status

    - name: Print the table
      ansible.builtin.debug:
        msg: "{{ status.table }}"
      run_once: true

- name: Screenshot of the Yealink phones
  hosts: vendor_yealink
  gather_facts: false
  tasks:
    - name: Save this phone's screen
      phonefleet.provisioning.phone_info:
        info: false
        screenshot_dest: "{{ playbook_dir }}/screens"
        fleet_dir: "{{ inventory_dir }}/fleet"
"""

RETURN = r"""
status:
  description: Per-host mode; V(ok), V(failed), V(unsupported) (nothing asked is supported) or V(no_address).
  returned: per-host mode
  type: str
info:
  description: What the phone says of itself; C(None) for what it does not say.
  returned: per-host mode, when read
  type: dict
  contains:
    model:
      description: Model as the phone reports it.
      type: str
    firmware:
      description: Firmware version.
      type: str
    mac:
      description: MAC as the phone writes it.
      type: str
    ip:
      description: IP address.
      type: str
    lines:
      description:
        - One per line, C(line) (1-based), C(user) and C(status) (V(registered), V(registering), V(failed),
          V(disabled) or V(unknown) when the phone does not say).
      type: list
      elements: dict
firmware:
  description: The firmware version the phone reports.
  returned: per-host mode, when read
  type: str
  sample: 96.86.0.45
info_status:
  description: V(ok), V(failed), V(unsupported) or V(no_address) for the info part; C(info_msg) says why.
  returned: per-host mode, when O(info=true)
  type: str
info_verified:
  description: Whether the status interface and its format are verified for this vendor.
  returned: per-host mode, when read
  type: bool
expected_firmware:
  description: The firmware version the phone's firmware kit names for its model, with O(fleet_dir).
  returned: with O(fleet_dir), per-host mode
  type: str
firmware_current:
  description: Whether the reported firmware is the expected one; C(None) when it could not be read.
  returned: with O(fleet_dir) when the kit names a version, per-host mode
  type: bool
firmware_window:
  description: The profile's firmware window, with its time zone.
  returned: with O(fleet_dir), per-host mode
  type: str
  sample: sat, sun 02:00-05:00 Europe/Moscow
in_firmware_window:
  description: Whether now is inside the profile's firmware window; C(None) when the profile has none.
  returned: with O(fleet_dir), per-host mode
  type: bool
screenshot_status:
  description:
    - V(ok), V(would_send) (check mode), V(failed), V(unsupported) or V(no_address); C(screenshot_msg) says why.
  returned: per-host mode, with O(screenshot_dest)
  type: str
screenshot_path:
  description: Where the PNG was (or would be) written.
  returned: per-host mode, when saved
  type: str
screenshot_size:
  description: Width and height in pixels.
  returned: per-host mode, when saved
  type: list
  elements: int
phones:
  description: Batch mode; one result per phone with the per-host fields above, plus C(mac), C(name), C(vendor),
    C(model), C(address) and C(service) (the provisioning service's C(status), C(status_text), C(last_contact),
    C(firmware) from the inventory's live facts).
  returned: batch mode
  type: list
  elements: dict
counts:
  description: Batch mode; how many phones ended in each status.
  returned: batch mode
  type: dict
failed_phones:
  description: Batch mode; MACs of the phones whose reading failed.
  returned: batch mode
  type: list
  elements: str
table:
  description: Batch mode; aligned text lines, one per phone (phone, model, provisioning status 0-3, registration,
    firmware, last contact), for display.
  returned: batch mode
  type: list
  elements: str
"""
