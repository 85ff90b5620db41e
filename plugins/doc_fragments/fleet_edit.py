# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and behaviour every fleet-editing module shares (phone, phones_bulk, profile, ...)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  fleet_dir:
    description:
      - The fleet directory to change. Playbooks pass the fleet of their inventory with
        C({{ ansible_inventory_sources | phonefleet.provisioning.inventory_fleet_dir }}).
    type: path
    required: true
  git:
    description:
      - Record the change in Git when the fleet is in a Git work tree (C(fleet/git.py), docs/editing.md).
      - Before anything is written the files the change writes must have no uncommitted edits, and no merge or
        rebase may be under way; then the change is committed alone (exactly its files), the acting user as
        author. The history is the audit of every fleet change.
      - In check mode nothing is pulled, written or committed; the checks run.
    type: dict
    suboptions:
      commit:
        description: Commit the files this change wrote (nothing when nothing changed).
        type: bool
        default: false
      pull:
        description:
          - Before the change is computed, C(git pull --ff-only) (the whole fleet must have no uncommitted
            edits). A branch that diverged from its remote fails the task, nothing changed.
        type: bool
        default: false
      push:
        description:
          - After the commit, push. When the remote moved meanwhile the commit is rebased onto it; when that
            conflicts, the commit and the change are undone (the work tree clean, the files as before) and the
            task fails naming the conflicting files.
        type: bool
        default: false
      author:
        description:
          - The acting user, C(Name <email>). Default C($PHONEFLEET_ACTOR) (the job service sets it), else the
            repository's configured user, else the controller's user.
        type: str
      reason:
        description: Why (a ticket, a request), written in the commit message's body.
        type: str
      message:
        description:
          - The commit's first line (at most 72 characters). Default what changed, e.g. C(profile office changed).
        type: str
      remote:
        description: The remote to pull from and push to. Default the branch's upstream, else C(origin).
        type: str
      branch:
        description: The remote branch. Default the upstream's, else the current branch's name.
        type: str
attributes:
  check_mode:
    support: full
    details: Everything is computed, validated and reported, including the diff; nothing is written.
  diff_mode:
    support: full
    details: One before/after per item created, changed or removed, as YAML, with every secret masked.
  safe_file_operations:
    support: full
  vault:
    support: full
notes:
  - The module runs on the controller, which holds the vault secrets. Secrets (passwords) are written as
    C(!vault) values encrypted with the play's vault secret (C(--vault-id) or C(--vault-password-file)), and an
    existing vault value is decrypted to compare, so giving the same secret again changes nothing.
  - Files are edited round-trip; comments, key order, quoting, anchors and existing vault values stay as they
    are; only what the task names changes.
  - The whole fleet is validated as it would be after the change, as the inventory loads it; a change that
    would make it invalid writes nothing and the task fails naming the file and field.
  - Every file the change touches is written, or none (each staged beside its file, then renamed; on failure
    the files already replaced get their old text back).
  - With C(--diff), the items before and after are shown with every secret masked.
"""
