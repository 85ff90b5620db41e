# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: mobility_session
short_description: List who is logged in on which phone (mobility, hot-desking), or log users out
version_added: 0.2.0
description:
  - A mobility user logs in on a phone with his number and PIN and the phone takes his lines and keys until he
    logs out (docs/mobility.md). The provisioning service keeps the sessions; this module reads them
    (C(GET /api/v1/mobility/sessions)) or ends them (C(DELETE /api/v1/mobility/sessions/<phone|user|site>/...)).
  - With O(state=query) (the default) the sessions are listed, those of O(phone), O(user) or O(site) when one is
    given; nothing changes.
  - With O(state=absent) the sessions of O(phone), of O(user) (wherever he is logged in) or of every phone of
    O(site) (end of shift) end. Each of those phones gets its own config back and is told to re-sync, as after
    a logout on the phone. Ending a session that does not exist changes nothing.
  - A logout needs a token of the C(api) or C(administrator) role; an C(auditor) token lists, and its logout
    fails naming the role. The service journals every logout with the token's user (C(mobility_logout)).
  - The module runs on the controller whatever the host. The API token never appears in results or messages.
options:
  state:
    description:
      - V(query) lists the sessions; V(absent) ends the sessions of O(phone), O(user) or O(site) (one is required).
    type: str
    choices: [query, absent]
    default: query
  phone:
    description: The MAC of a phone, in any usual notation (V(0c:d0:f8:a1:b2:c3), V(0CD0F8A1B2C3)).
    type: str
  user:
    description: The number of a mobility user (C(mobility_users[].number) of the fleet).
    type: str
  site:
    description: A site of the fleet (C(sites)); its phones are those whose C(site) it is.
    type: str
  service_url:
    required: true
  service_token:
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - phonefleet.provisioning.controller_action
  - phonefleet.provisioning.service_connection
attributes:
  check_mode:
    support: full
    details: The sessions are read and those that would end are returned (RV(ended)) with the diff; none ends.
      Check mode only reads, so it does not tell whether the token's role may log out.
  diff_mode:
    support: full
    details: The sessions before and after, one line each (phone, number, name, since when).
notes:
  - The service answers with the sessions it ended; a session that started between the list and the logout is
    ended too, and returned.
seealso:
  - module: phonefleet.provisioning.mobility_user
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Who is logged in where
  phonefleet.provisioning.mobility_session:
    service_url: http://prov1.example.com:8480
    service_token: "{{ phonefleet_service_token }}"
  register: phonefleet_sessions

- name: Log Ivan out, wherever he is
  phonefleet.provisioning.mobility_session:
    user: "5001"
    state: absent
  environment:
    PHONEFLEET_SERVICE_URL: https://prov1.example.com
    PHONEFLEET_SERVICE_TOKEN: "{{ phonefleet_service_token }}"

- name: End of shift in the Moscow office
  phonefleet.provisioning.mobility_session:
    site: moscow-hq
    state: absent
  module_defaults:
    group/phonefleet.provisioning.fleet:
      service_url: https://prov1.example.com
      service_token: "{{ phonefleet_service_token }}"
"""

RETURN = r"""
sessions:
  description:
    - With O(state=query), the sessions listed (those of O(phone), O(user) or O(site) when given).
    - With O(state=absent), the sessions left after the logout (in check mode, that would be left).
  returned: always
  type: list
  elements: dict
  contains:
    mac:
      description: The phone's MAC, in colon notation.
      type: str
      sample: 0c:d0:f8:a1:b2:c3
    number:
      description: The logged-in user's number.
      type: str
      sample: "5001"
    user_name:
      description: The user's name.
      type: str
      sample: Ivan Petrov
    site:
      description: The site of the phone in the published fleet.
      type: str
      sample: moscow-hq
    started:
      description: When the session started (epoch seconds).
      type: float
    expires:
      description: When it ends by itself (epoch seconds; the service's C(mobility_session_hours)), null without.
      type: float
    started_by:
      description: V(phone) (logged in on the phone), or C(api:<user>).
      type: str
      sample: phone
ended:
  description: The sessions ended (in check mode, that would end), as in RV(sessions).
  returned: always
  type: list
  elements: dict
lines:
  description: RV(sessions), one line each, for a person to read (phone, number, name, site, since when, UTC).
  returned: always
  type: list
  elements: str
  sample: ["0c:d0:f8:a1:b2:c3  5001  Ivan Petrov  moscow-hq  since 2026-12-06 18:30Z"]
ended_lines:
  description: RV(ended), one line each, as RV(lines).
  returned: always
  type: list
  elements: str
msg:
  description: What was listed or ended.
  returned: always
  type: str
  sample: ended 3 sessions (site moscow-hq)
"""
