# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a controller-side action reaches the provisioning service's API: its URL, its token, how to talk to it.

The action plugins take these options from plugins/plugin_utils/service_api_action.py. A module that cannot run
without the service marks O(service_url) and O(service_token) C(required: true) in its own documentation, and says
there which role its token needs.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  service_url:
    description:
      - Base URL of the provisioning service (its API), for example V(http://127.0.0.1:8480).
      - When not given, the environment variable E(PHONEFLEET_SERVICE_URL) is used (AWX's credential for the service
        sets it).
    type: str
  service_token:
    description:
      - An API token of the service, of the role the module needs; a token of a user of the job service (which the
        provisioning service shares) or one of the C(api_tokens) of the service's settings.
      - A secret. It is sent only to O(service_url) (redirects are not followed) and never shown in results,
        messages or diffs.
      - When not given, the environment variable E(PHONEFLEET_SERVICE_TOKEN) is used.
    type: str
  service_timeout:
    description: Seconds to wait for each answer of the service.
    type: int
    default: 10
  service_validate_certs:
    description: Verify the service's TLS certificate when O(service_url) is C(https://).
    type: bool
    default: true
notes:
  - A service that refuses requests for a while (HTTP 429, after repeated failed logins from the controller's
    address) fails the task with the time its C(Retry-After) gives.
"""
