# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes every controller-side action of this collection shares."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  platform:
    platforms: posix
  action_group:
    description: Use C(group/phonefleet.provisioning.fleet) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - phonefleet.provisioning.fleet
"""
