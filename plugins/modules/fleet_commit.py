# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_commit
short_description: Commit fleet changes to the site's Git repository
version_added: 0.1.0
description:
  - For playbooks that change the fleet with other modules (P(phonefleet.provisioning.phones_import#module),
    P(phonefleet.provisioning.autoprovisioned_export#module)). Before them, O(step=prepare) checks that the
    fleet files can be committed alone and, with O(pull=true), brings the branch up to date. After them,
    O(step=commit) commits what they changed, as one commit, and with O(push=true) pushes it.
  - The commit holds exactly the files under O(paths) that changed (untracked files included, ignored files
    not); other files of the work tree, even staged, stay out of it. Nothing changed, no commit.
  - The author is the acting user (O(author), else the environment variable C(PHONEFLEET_ACTOR), else the
    repository's configured user, else the operating-system user at the host); the committer is the
    repository's configured identity, else C(PhoneFleet <phonefleet@localhost>). The message is O(message)
    (what, the first line, at most 72 characters), then O(reason) (why), the author, the files, and a
    C(Phonefleet-Run) trailer naming the playbook.
  - When the push is refused because the remote moved, the commit is rebased onto it and pushed again. If the
    rebase conflicts, or the push fails otherwise, the rebase is aborted, the commit is undone and the files
    under O(paths) are put back as they were before the run (the other modules' changes are undone too);
    the task fails naming the conflicting files. Nothing is half applied.
  - Git runs on the controller as the C(git) command, never prompting for credentials; messages never show
    the credentials of a remote URL.
  - The module runs on the controller whatever the host. Relative paths are relative to the playbook (or
    role) directory.
options:
  fleet_dir:
    description:
      - The fleet directory; it must be inside a Git work tree.
    type: path
    required: true
  paths:
    description:
      - The files or folders the change writes, relative to O(fleet_dir) (or absolute, inside the work tree).
      - Defaults to the whole fleet directory.
    type: list
    elements: path
    default: ['.']
  step:
    description:
      - V(prepare), before the other modules write, fails if a file under O(paths) has uncommitted changes (a
        commit would carry someone's unrelated edits) or the repository is in the middle of a merge or rebase.
        With O(pull=true) it runs C(git pull --ff-only); a diverged branch fails, nothing changed.
      - V(commit), after them, commits, and with O(push=true) pushes.
    type: str
    choices: [prepare, commit]
    default: commit
  message:
    description:
      - What changed, as the commit's first line (cut to 72 characters); further lines go to the body.
      - Required with O(step=commit).
    type: str
  reason:
    description: Why (a ticket number, a request), written in the body as C(Why:).
    type: str
  author:
    description:
      - The acting user, as C(Name <email>).
      - Defaults to C(PHONEFLEET_ACTOR) from the environment (the job service sets it), else the repository's
        C(user.name) and C(user.email), else the operating-system user at the host.
    type: str
  pull:
    description: With O(step=prepare), C(git pull --ff-only) from O(remote) O(branch) before any write.
    type: bool
    default: false
  push:
    description: With O(step=commit), push the commit to O(remote) O(branch).
    type: bool
    default: false
  remote:
    description:
      - The remote to pull from and push to, by name (preferred) or URL.
      - Defaults to the current branch's upstream remote, else C(origin).
    type: str
  branch:
    description: The remote branch. Defaults to the current branch.
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - phonefleet.provisioning.controller_action
attributes:
  check_mode:
    support: full
    details:
      - O(step=commit) reports the files it would commit and commits nothing.
      - O(step=prepare) checks but does not pull.
  diff_mode:
    support: none
seealso:
  - module: phonefleet.provisioning.phones_import
  - module: phonefleet.provisioning.autoprovisioned_export
author:
  - PhoneFleet developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check that the fleet can be committed, and pull
  phonefleet.provisioning.fleet_commit:
    fleet_dir: "{{ phonefleet_fleet_dir }}"
    step: prepare
    pull: true

- name: Import the phone list
  phonefleet.provisioning.phones_import:
    src: phones.csv
    fleet_dir: "{{ phonefleet_fleet_dir }}"

- name: Commit and push the import
  phonefleet.provisioning.fleet_commit:
    fleet_dir: "{{ phonefleet_fleet_dir }}"
    message: "import_csv: phones.csv"
    reason: "TICKET-42: new warehouse phones"
    author: Ivan Petrov <ivan@example.com>
    push: true
"""

RETURN = r"""
files:
  description: The files committed (in check mode, that would be committed), relative to the work tree.
  returned: always
  type: list
  elements: str
  sample: [inventory/fleet/phones.yml]
sha:
  description: The commit made (after a push with a rebase, the rebased one); null when nothing changed.
  returned: when O(step=commit) and not in check mode
  type: str
  sample: 3f1c2a9e0d5b7c4e8f6a1b2c3d4e5f60718293a4
author:
  description: The commit's author.
  returned: when O(step=commit)
  type: str
  sample: Ivan Petrov <ivan@example.com>
"""
