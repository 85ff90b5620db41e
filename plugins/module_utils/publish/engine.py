# Private to this collection: publishing a whole fleet onto one web root.
"""Render every phone's files into a provisioning server's web root, in one process.

- nothing changed since the last publish (fleet files and code fingerprints) -> nothing is loaded;
- a phone whose inputs did not change is not rendered; a rendered file equal to the one on disk is
  not written; every write is atomic (temporary file + rename), flushed before the manifest records it;
- files of phones that left the fleet are removed; firmware files of the kits are copied beside the
  configs, their sha256 checked;
- one publish at a time per web root (lock); check mode plans without writing; diffs mask secrets.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..fleet.background import InThread
from ..fleet.errors import FleetError
from ..fleet.exposure import fleet_secrets, leak_beyond, secrets_beyond
from ..fleet.files import (
    STAGED_MODE,
    OutsideRoot,
    blocks_of,
    file_sha256,
    is_staged,
    leftovers,
    path_inside,
    put_in_place,
    read_bytes,
    remove_staged,
    spare_name,
    stage,
)
from ..fleet.loader import fleet_files, load_fleet
from ..fleet.mac import format_mac
from ..fleet.masking import mask_as_in, scrub, secrets_in
from ..fleet.parse_cache import ParseCache
from ..fleet.proof import ProofPolicy
from ..render.driver import RenderError
from ..render.renderer import AwaitingModel, FleetRenderer
from .bundle import BUNDLE_NAME, bundle_changes, bundle_path, make_bundle, write_bundle
from .fingerprint import InputFingerprints, code_fingerprint, files_fingerprint
from .lock import publish_lock
from .manifest import STATE_DIR, WINDOW_DIR, Manifest, read_manifest, state_dir, window_path, write_manifest
from .manifest import digests_version as _version
from .parallel import default_workers, map_phones

FIRMWARE_DIR = "firmware"


class PublishError(FleetError):
    pass


@dataclass
class PublishResult:
    changed: bool = False
    noop: bool = False
    phones: int = 0
    rendered: int = 0
    written: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    phones_changed: list = field(default_factory=list)
    firmware_copied: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    diff: list = field(default_factory=list)
    # seconds per phase: check (manifest, fingerprints), load, render (phones), shared (shared files,
    # firmware, service bundle), commit (renames, removals, flush, manifest)
    timings: dict = field(default_factory=dict)
    bundle_written: bool = False  # the service bundle (.phonefleet/service.json) was written
    # what the service serves or decides from the bundle changes (settings such as access_keys, phone_auth,
    # autoprovision; fleet data auto-provisioning renders with): written, or to be written in check mode
    service_changed: bool = False
    # MACs of the phones of a known vendor whose model the fleet does not say: left unrendered, the service
    # renders each with the model it reports at its first request (docs/service.md, Phones without a model)
    awaiting_model: list = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inside(web_root: str, name: str) -> str:
    """The path of ``name`` in the web root; a name that would leave it (a driver bug) is refused."""
    try:
        return path_inside(web_root, name)
    except OutsideRoot as exc:
        raise PublishError(str(exc)) from None


class Publisher:
    def __init__(
        self,
        fleet_source: str,
        web_root: str,
        reveal: Callable[[object], str],
        *,
        decrypt_file=None,
        firmware_dir: str | None = None,
        check_mode: bool = False,
        diff: bool = False,
        lock_timeout: float = 60.0,
        workers: int | None = None,
        min_parallel: int = 400,
    ) -> None:
        self.fleet_source = fleet_source
        self.web_root = web_root
        self.reveal = _memoized(reveal)
        self._unproven: frozenset = frozenset()  # vendors served without proof, and what they must not carry
        self._guarded: list = []
        self.decrypt_file = decrypt_file
        self.firmware_dir = firmware_dir
        self.check_mode = check_mode
        self.want_diff = diff
        self.lock_timeout = lock_timeout
        self.workers = default_workers() if workers is None else workers
        self.min_parallel = min_parallel
        # (written file, final file, exchange?) not in place yet: a temporary file renamed over the final
        # one, or the final file's spare exchanged with it
        self.staged: list[tuple[str, str, bool]] = []
        self._made_dirs: set = set()
        self._flusher: threading.Thread | None = None
        self.present = PresentFiles(web_root)  # read before any file is written; forked workers inherit it
        self.result = PublishResult()

    # -- entry point -------------------------------------------------------------------------------

    def publish(self) -> PublishResult:
        if not self.check_mode:
            os.makedirs(self.web_root, exist_ok=True)
        lock_dir = state_dir(self.web_root) if not self.check_mode or os.path.isdir(self.web_root) else None
        if lock_dir is None:
            return self._publish()
        with publish_lock(lock_dir, self.lock_timeout):
            return self._publish()

    def _publish(self) -> PublishResult:
        result = self.result
        checking = time.perf_counter()
        old = read_manifest(self.web_root)
        paths = fleet_files(self.fleet_source)
        fleet_print = files_fingerprint(paths)
        code_print = code_fingerprint()
        firmware_print = self._firmware_fingerprint()
        if (
            old.fleet == fleet_print
            and old.code == code_print
            and old.firmware == firmware_print
            and all(name in self.present for name in old.files)
            and all(window_path(name) in self.present for name in old.window_files)
        ):
            result.noop = True
            result.phones = len(old.phones)
            result.awaiting_model = sorted(mac for mac, entry in old.phones.items() if entry.get("awaiting_model"))
            return result
        started = time.perf_counter()
        result.timings["check"] = started - checking
        parse_cache = ParseCache(
            os.path.join(state_dir(self.web_root), "parsed"),
            writable=not self.check_mode,
            generation=code_print,
            deferred=True,
        )
        documents: list = []
        with _collector_paused():
            fleet = load_fleet(
                self.fleet_source,
                decrypt=self.decrypt_file,
                parse_cache=parse_cache,
                documents_out=documents,
                reveal=self.reveal,
            )
        result.timings["load"] = time.perf_counter() - started
        with _loaded_data_frozen():
            return self._render_and_commit(fleet, documents, parse_cache, old, fleet_print, code_print, firmware_print)

    def _render_and_commit(self, fleet, documents, parse_cache, old, fleet_print, code_print, firmware_print):
        result, started = self.result, time.perf_counter()
        result.warnings.extend(str(warning) for warning in fleet.warnings)
        vendors = {phone.vendor for phone in fleet.phones if phone.vendor}
        result.warnings.extend(ProofPolicy(fleet.settings).warnings(vendors))
        result.phones = len(fleet.phones)
        new = Manifest(fleet=fleet_print, code=code_print, firmware=firmware_print)
        renderer = FleetRenderer(fleet, self.reveal)
        self._renderer, self._inputs, self._old = renderer, InputFingerprints(fleet, code_print), old
        bundle_maker: list = []

        def make_bundle_meanwhile() -> None:
            # With render workers, this process mostly waits for them: meanwhile it keeps the parsed fleet
            # files for the next load and makes the service bundle.
            bundle_maker.append(InThread("phonefleet-bundle", _cache_and_bundle, parse_cache, documents, self.reveal))

        self._unproven = ProofPolicy(fleet.settings).without_proof
        self._guarded = secrets_beyond(fleet, self._unproven, self.reveal) if self._unproven else []
        try:
            phones = map_phones(self._process, fleet.phones, self.workers, self.min_parallel, make_bundle_meanwhile)
            for outcome in phones:
                self._merge(outcome, old, new)
            rendered = time.perf_counter()
            result.timings["render"] = rendered - started
            self._start_flushing()
            self._shared(renderer, old, new)
            self._firmware(fleet, old, new)
            if bundle_maker:
                bundle = bundle_maker[0].result()
            else:
                bundle = _cache_and_bundle(parse_cache, documents, self.reveal)
            result.timings["shared"] = time.perf_counter() - rendered
            self._compare_bundle(bundle, renderer.fleet)
            removed = sorted(set(old.files) - set(new.files))
            removed += sorted(window_path(name) for name in set(old.window_files) - set(new.window_files))
            if result.errors:
                raise PublishError(
                    f"{len(result.errors)} phone(s) cannot be rendered; nothing was published:\n"
                    + "\n".join(f"  - {error}" for error in result.errors)
                )
        except BaseException:
            for thread in bundle_maker:
                thread.wait()
            self._discard_staged()
            raise
        result.removed = removed
        result.changed = bool(result.written or removed or result.firmware_copied or result.service_changed)
        if not self.check_mode:
            committing = time.perf_counter()
            try:
                self._commit(removed, old, new, bundle)
            except BaseException:
                self._discard_staged()
                raise
            parse_cache.prune()
            result.timings["commit"] = time.perf_counter() - committing
        return result

    # -- phones --------------------------------------------------------------------------------------

    def _process(self, phone) -> tuple:
        """Everything about one phone, run in a worker: returns an outcome and changes no shared state.

        ("unchanged", mac, fingerprint) | ("error", mac, message) | ("awaiting", mac, fingerprint, warning) |
        ("rendered", mac, fingerprint, {name: sha256}, changed names, staged files, warnings, diffs, window):
        window is (the firmware window or None, the kit's firmware version or None, {name: sha256} of the files
        that differ inside the window)
        """
        old = self._old
        fingerprint = self._inputs.phone(phone)
        before = old.phones.get(phone.mac)
        files_before = [*before.get("files", []), *map(window_path, before.get("window_files", []))] if before else []
        # a phone awaiting its model is not "unchanged": each publish names it (the renderer says so at once)
        same = bool(before and before.get("input") == fingerprint and not before.get("awaiting_model"))
        if same and all(name in self.present for name in files_before):
            return ("unchanged", phone.mac, fingerprint)
        try:
            rendered = self._renderer.phone(phone)
        except AwaitingModel as exc:
            return ("awaiting", phone.mac, fingerprint, str(exc))
        except RenderError as exc:
            return ("error", phone.mac, str(exc))
        digests: dict[str, str] = {}
        changed, staged, diffs = [], [], []
        if phone.vendor in self._unproven and self._guarded:
            leak = leak_beyond(phone, phone.vendor, rendered.files_in_window(), self._guarded)
            if leak:
                return ("error", phone.mac, leak)
        # the files served outside the phone's firmware window (always, without one), then the ones that differ
        # inside it (they name the firmware), stored under the state, where no request reaches them by name
        window_digests: dict = {}
        for variant, into, recorded, stored_at in (
            (rendered.files, digests, old.files, str),
            (rendered.window_files, window_digests, old.window_files, window_path),
        ):
            for name in sorted(variant):
                data, stored = variant[name], stored_at(name)
                into[name] = _sha256(data)
                if self._differs_from(stored, into[name], recorded.get(name)):
                    changed.append(stored)
                    if self.want_diff:
                        secrets = self._phone_secrets(phone, self._renderer)
                        diffs.append(self._diff_entry(stored, data, secrets, phone))
                    if not self.check_mode:
                        staged.append(self._write_staged(stored, data))
        window = (rendered.window, rendered.firmware, window_digests)
        return ("rendered", phone.mac, fingerprint, digests, changed, staged, rendered.warnings, diffs, window)

    def _merge(self, outcome: tuple, old: Manifest, new: Manifest) -> None:
        kind, mac = outcome[0], outcome[1]
        if kind == "error":
            self.result.errors.append(outcome[2])
            return
        if kind == "awaiting":
            # in the manifest without files: the service knows the phone is configured, its status is 1
            new.phones[mac] = {"input": outcome[2], "awaiting_model": True, "files": []}
            self.result.awaiting_model.append(mac)
            self.result.warnings.append(outcome[3])
            return
        if kind == "unchanged":
            before = old.phones[mac]
            new.phones[mac] = before
            for name in before.get("files", []):
                new.files[name] = old.files[name]
            for name in before.get("window_files", []):
                new.window_files[name] = old.window_files[name]
            return
        _kind, _mac, fingerprint, digests, changed, staged, warnings, diffs, window = outcome
        self.staged.extend(staged)
        self.result.rendered += 1
        self.result.warnings.extend(warnings)
        self.result.diff.extend(diffs)
        for name, digest in digests.items():
            owner = new.files.get(name)
            if owner is not None:
                self.result.errors.append(f"phone {format_mac(mac)}: file {name} is also made for {owner['phone']}")
            new.files[name] = {"sha256": digest, "phone": mac}
        new.phones[mac] = {"input": fingerprint, "version": _version(digests), "files": sorted(digests)}
        days_hours, firmware, window_digests = window
        if firmware is not None:
            new.phones[mac]["firmware"] = firmware
        if days_hours is not None:
            for name, digest in window_digests.items():
                new.window_files[name] = {"sha256": digest, "phone": mac}
            new.phones[mac].update(
                window=days_hours,
                window_files=sorted(window_digests),
                window_version=_version({**digests, **window_digests}),
            )
        self.result.written.extend(changed)
        if changed:
            self.result.phones_changed.append(mac)

    def _write_staged(self, name: str, data: bytes) -> tuple[str, str, bool]:
        """Write a file's new content where the commit takes it from (see files.stage: a changed file goes
        into its spare and is exchanged with it, a new one into a temporary file renamed into place)."""
        path = _inside(self.web_root, name)
        directory = os.path.dirname(path)
        if directory != self.web_root and directory not in self._made_dirs:
            os.makedirs(directory, exist_ok=True)
            self._made_dirs.add(directory)
        written, is_spare = stage(path, (data,), replacing=name in self.present)
        return written, path, is_spare

    def _stage(self, name: str, data: bytes) -> None:
        """Write a changed file where the commit puts it in place from (see _write_staged)."""
        self.result.written.append(name)
        if not self.check_mode:
            self.staged.append(self._write_staged(name, data))

    def _discard_staged(self) -> None:
        """The publish failed: every staged file goes, spares too. A spare may hold the new version of a
        phone's file, with its passwords; and a worker whose outcome never came back (it raised) wrote
        files this process does not know of, so the web root is searched rather than self.staged. The
        next publish makes the spares again."""
        if self._flusher is not None:
            self._flusher.join()
        self.staged.clear()
        if not self.check_mode:
            remove_staged(self.web_root, skip=STATE_DIR)  # the state's parse cache is large: only its window/
            remove_staged(os.path.join(self.web_root, WINDOW_DIR), skip="")

    def _differs(self, name: str, digest: str, old: Manifest, digest_of_file=None) -> bool:
        """Whether ``name`` must be written for its content to be ``digest``; ``digest_of_file(path)`` reads
        the sha256 of a file already there (default: read whole)."""
        return self._differs_from(name, digest, old.files.get(name), digest_of_file)

    def _differs_from(self, name: str, digest: str, recorded: dict | None, digest_of_file=None) -> bool:
        """``_differs`` with the last publish's record of the file given (None: it recorded none)."""
        if recorded is not None and recorded.get("sha256") != digest:
            # The last publish wrote other content: write this (not read back to compare: a file that
            # someone else already changed to exactly this content is simply written again).
            return True
        if name not in self.present:
            return True
        if recorded is not None:
            return False
        # not ours yet: kept when it is already right
        return (digest_of_file or _bytes_sha256)(os.path.join(self.web_root, name)) != digest

    def _phone_secrets(self, phone, renderer) -> list[str]:
        secrets = [self.reveal(line.password) for line in phone.lines if line.password]
        if phone.admin_password:
            secrets.append(self.reveal(phone.admin_password))
        profile = renderer.fleet.profiles.get(phone.profile) if phone.profile else None
        if profile and profile.admin_password:
            secrets.append(self.reveal(profile.admin_password))
        return secrets + self._settings_secrets(renderer.fleet)

    def _settings_secrets(self, fleet) -> list[str]:
        return [value for _label, value in self._fleet_secrets(fleet, profiles=False)]

    def _fleet_secrets(self, fleet, profiles: bool = True) -> list[tuple[str, str]]:
        return fleet_secrets(fleet, self.reveal, profiles)

    def _diff_entry(self, name: str, data: bytes, secrets: list[str], phone=None) -> dict:
        current = read_bytes(os.path.join(self.web_root, name))
        header = name if phone is None else f"{name} ({format_mac(phone.mac)}{', ' + phone.name if phone.name else ''})"
        after = scrub(data.decode("utf-8", "replace"), secrets)
        # the file on disk may hold a password the fleet no longer gives: masked where the new one is
        before = mask_as_in(scrub(current.decode("utf-8", "replace"), secrets), after) if current is not None else ""
        return {"before_header": header, "after_header": header, "before": before, "after": after}

    # -- the service bundle ---------------------------------------------------------------------------

    def _compare_bundle(self, bundle: bytes, fleet) -> None:
        """Whether the bundle changes what the service does (no rendered file shows a change of
        access_keys, for one), with a diff of what changed."""
        path = bundle_path(self.web_root)
        before = read_bytes(path)
        if before == bundle:
            return
        self.result.service_changed = True
        if self.want_diff:
            source = self.fleet_source
            fleet_dir = source if os.path.isdir(source) else os.path.dirname(source)
            removed, added = bundle_changes(before, bundle, self._settings_secrets(fleet), fleet_dir)
            header = f"{BUNDLE_NAME} (what the provisioning service serves and decides)"
            self.result.diff.append(
                {"before_header": header, "after_header": header, "before": removed, "after": added}
            )

    # -- shared files --------------------------------------------------------------------------------

    def _shared(self, renderer: FleetRenderer, old: Manifest, new: Manifest) -> None:
        try:
            files, owners = renderer.shared()
        except RenderError as exc:
            self.result.errors.append(str(exc))
            return
        secrets = self._settings_secrets(renderer.fleet)
        vendor_of = dict(owners)
        # Shared and base files are served to whoever asks, also over TFTP: they must carry no secret. They
        # are rendered from no phone and no secret (FleetRenderer.shared); this proves it for every secret
        # such a file could be made from, so a template that someday reaches one stops the publish.
        fleet_secrets = self._fleet_secrets(renderer.fleet)
        for name in sorted(files):
            if name in new.files:
                self.result.errors.append(f"shared file {name} has the name of phone {new.files[name]['phone']}'s file")
                continue
            leaked = secrets_in(files[name].decode("utf-8", "replace"), fleet_secrets)
            if leaked:
                self.result.errors.append(
                    f"{vendor_of[name]}: shared file {name} (template {renderer.shared_templates.get(name)}) would"
                    f" carry {', '.join(leaked)}; files served without authentication must hold no secret"
                )
                continue
            digest = _sha256(files[name])
            # the vendor lets the service read a request for it with that vendor's rules alone
            new.files[name] = {"sha256": digest, "phone": None, "vendor": vendor_of[name]}
            if self._differs(name, digest, old):
                if self.want_diff:
                    self.result.diff.append(self._diff_entry(name, files[name], secrets))
                self._stage(name, files[name])

    # -- firmware ------------------------------------------------------------------------------------

    def _firmware_fingerprint(self) -> str | None:
        if not self.firmware_dir or not os.path.isdir(self.firmware_dir):
            return None
        entries = []
        for name in sorted(os.listdir(self.firmware_dir)):
            stat = os.stat(os.path.join(self.firmware_dir, name))
            entries.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        return _sha256("\n".join(entries).encode())

    def _firmware(self, fleet, old: Manifest, new: Manifest) -> None:
        used = {kit for kit in (phone.firmware_kit for phone in fleet.phones) if kit}
        wanted = sorted({name for kit in used for name in fleet.firmware_kits[kit].files})
        if not wanted:
            return
        if not self.firmware_dir:
            self.result.warnings.append(
                f"firmware of kit(s) {', '.join(sorted(used))} not published: no firmware_dir was given"
            )
            return
        for name in wanted:
            item = fleet.firmware_files[name]
            source = os.path.join(self.firmware_dir, item.file)
            target_name = f"{FIRMWARE_DIR}/{item.file}"
            try:
                stat = os.stat(source)
            except OSError:
                self.result.errors.append(f"firmware file '{name}': {source} does not exist")
                continue
            recorded = old.firmware_files.get(target_name)
            if (
                recorded
                and recorded.get("size") == stat.st_size
                and recorded.get("mtime_ns") == stat.st_mtime_ns
                and target_name in self.present
            ):
                new.firmware_files[target_name] = recorded
                new.files[target_name] = old.files.get(target_name, {"sha256": recorded["sha256"], "phone": None})
                continue
            digest = file_sha256(source)
            if item.sha256 and digest != item.sha256.lower():
                self.result.errors.append(
                    f"firmware file '{name}': {source} has sha256 {digest}, the fleet says {item.sha256.lower()}"
                )
                continue
            new.firmware_files[target_name] = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            new.files[target_name] = {"sha256": digest, "phone": None}
            if self._differs(target_name, digest, old, file_sha256):
                self.result.firmware_copied.append(target_name)

    # -- writing -------------------------------------------------------------------------------------

    def _start_flushing(self) -> None:
        """Start writing the staged files' data to disk while the rest is prepared and files are renamed.

        The flush before the manifest is written (``_commit``) then has little left to do; on a real disk
        it was a third of a cold publish's commit. Harmless when the publish fails after all.
        """
        if self.staged and not self.check_mode:
            self._flusher = threading.Thread(target=os.sync, name="phonefleet-flush", daemon=True)
            self._flusher.start()

    def _commit(self, removed: list, old: Manifest, new: Manifest, bundle: bytes) -> None:
        for written, final, is_spare in self.staged:
            put_in_place(written, final, is_spare)
        self.staged.clear()
        for target_name in self.result.firmware_copied:
            item_file = target_name.split("/", 1)[1]
            if self.firmware_dir is None:  # firmware is copied only from a firmware_dir (_firmware)
                raise AssertionError("self.firmware_dir is None")
            path = _inside(self.web_root, target_name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(os.path.join(self.firmware_dir, item_file), "rb") as source:
                written, is_spare = stage(path, blocks_of(source), replacing=target_name in self.present)
            put_in_place(written, path, is_spare)
        for name in removed:
            path = _inside(self.web_root, name)
            for leaving in (path, spare_name(path)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leaving)
        self._tidy_spares(upgraded=old.code != new.code)
        self.result.bundle_written = write_bundle(self.web_root, bundle)
        if self._flusher is not None:
            self._flusher.join()
        os.sync()  # every file on disk, and every rename, before the manifest says they are there
        write_manifest(self.web_root, new)

    def _tidy_spares(self, upgraded: bool) -> None:
        """Remove what failed or killed publishes left (temporary files, spares with no file beside them), in
        the folders listed when this publish started. After a change of this code (an upgrade), also make
        every spare private: older versions left them readable to all."""
        for folder, names in self.present.listed():
            directory = os.path.join(self.web_root, folder)
            left = leftovers(names)
            for name in left:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(directory, name))
            if upgraded:
                for name in names - set(left):
                    if is_staged(name):
                        with contextlib.suppress(FileNotFoundError):
                            os.chmod(os.path.join(directory, name), STAGED_MODE)


def _cache_and_bundle(parse_cache: ParseCache, documents: list, reveal: Callable[[object], str]) -> bytes:
    """Keep the parsed fleet files for the next load, then make the service bundle."""
    parse_cache.write_pending()
    return make_bundle(documents, reveal)


@contextlib.contextmanager
def _collector_paused():
    """Loading builds a large acyclic structure: the cyclic collector walking it again and again while
    it grows cost a sixth of the load time of a 20,000-phone fleet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _loaded_data_frozen():
    """What is alive after loading lives until the publish ends: frozen out of the cyclic collector, it is
    not walked by every full collection while rendering (~0.4 s for 20,000 phones), and forked workers
    do not touch, hence copy, the memory pages of the fleet they share with this process."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class PresentFiles:
    """Which files are in the web root when the publish starts: one directory listing per folder instead
    of a stat (or a failed open) per file, ~25,000 of them in a large fleet."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._folders: dict[str, frozenset] = {}

    def listed(self) -> list[tuple[str, frozenset]]:
        """(folder relative to the root, its entries) of every folder listed so far."""
        return list(self._folders.items())

    def __contains__(self, name: str) -> bool:
        folder, _slash, base = name.rpartition("/")
        names = self._folders.get(folder)
        if names is None:
            try:
                names = frozenset(os.listdir(os.path.join(self.root, folder) if folder else self.root))
            except OSError:  # no such folder (yet), or not one
                names = frozenset()
            self._folders[folder] = names
        return base in names


def _bytes_sha256(path: str) -> str | None:
    data = read_bytes(path)
    return None if data is None else _sha256(data)


def _memoized(reveal: Callable[[object], str]) -> Callable[[object], str]:
    """Decrypting a vault value derives a key (PBKDF2): do it once per distinct value."""
    cache: dict = {}

    def cached(value) -> str:
        key = (type(value).__name__, str.__str__(value) if isinstance(value, str) else repr(value))
        if key not in cache:
            cache[key] = reveal(value)
        return cache[key]

    return cached


def publish_fleet(fleet_source: str, web_root: str, reveal, **options) -> PublishResult:
    """Publish the fleet at ``fleet_source`` into ``web_root``; see Publisher for the options."""
    return Publisher(fleet_source, web_root, reveal, **options).publish()
