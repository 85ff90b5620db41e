# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a controller-side action talks to the provisioning service's API (besides its URL and token)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  service_timeout:
    description: Seconds to wait for each answer of the service.
    type: int
    default: 10
  service_validate_certs:
    description: Verify the service's TLS certificate when O(service_url) is C(https://).
    type: bool
    default: true
"""
