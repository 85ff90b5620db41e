# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The O(select) option: which phones of the fleet (phones_bulk, phones_export); module_utils/fleet/selection.py."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  select:
    description:
      - Which phones of the fleet. Each filter is a string or a list of strings; the values of one filter are
        alternatives (any may match), and every filter given must match.
      - A filter left out or empty does not restrict. Without any filter, give O(select.all=true).
      - The filters O(select.status) and O(select.not_seen_for) are what the provisioning service saw; they need
        the service (its URL and an API token), and a phone the service does not know (not published yet)
        matches neither.
    type: dict
    suboptions:
      vendor:
        description: The phone's vendor (V(yealink), V(cisco), ...), in any case.
        type: raw
      model:
        description: The phone's model (V(T54W), V(CP-8845), ...), in any case.
        type: raw
      profile:
        description:
          - The phone's profile (its default profile when it names none). Names are labels, compared exactly
            (case counts) after Unicode NFC normalisation, so V(Базовый) typed with a combining breve is found.
        type: raw
      site:
        description: The phone's site (its default site when it names none), compared as O(select.profile).
        type: raw
      tenant:
        description: The tenant of the phone's site, compared as O(select.profile).
        type: raw
      status:
        description:
          - The status the provisioning service reports, V(0) to V(3) (V(1) configured, never contacted;
            V(2) change not yet fetched; V(3) up to date).
        type: raw
      not_seen_for:
        description:
          - Phones the service has not heard from for at least this long (V(90m), V(12h), V(30d), V(2w)),
            including phones it has never heard from.
        type: str
      name:
        description:
          - Shell-style patterns (V(*), V(?), V([...])) on the phone's name, case-insensitive in every script
            (V(склад*) finds C(Склад, стеллаж A)). A pattern matches the whole name; a phone without a name
            matches no pattern.
        type: raw
      number:
        description: Shell-style patterns on the numbers of the phone's lines (any line), such as V(21*).
        type: raw
      macs:
        description: MAC addresses in any notation (V(80:5E:C0:11:22:33), V(0cd0.f8a1.b2c3), V(805ec0112233)).
        type: list
        elements: str
      all:
        description: Select every phone of the fleet. Needed when no filter is given, and only then.
        type: bool
        default: false
"""
