"""web_root_sync applies a publish archive on a server: files put in place, nothing outside the root."""

from __future__ import annotations

import io
import tarfile

import pytest
from ansible_collections.phonefleet.provisioning.plugins.modules.web_root_sync import UnsafeMember, apply_archive


def archive(tmp_path, members: dict, links: tuple = ()) -> str:
    path = tmp_path / "publish.tar"
    with tarfile.open(path, "w") as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            bundle.addfile(info)
    return str(path)


def test_files_are_written_and_removed(tmp_path):
    root = tmp_path / "www"
    (root / "firmware").mkdir(parents=True)
    (root / "gone.cfg").write_text("old")
    written, removed = apply_archive(
        archive(tmp_path, {"a.cfg": b"A", "firmware/f.rom": b"F", ".phonefleet/manifest.json": b"{}"}),
        str(root),
        ["gone.cfg", "never-there.cfg"],
    )
    assert (written, removed) == (3, 1)
    assert (root / "a.cfg").read_bytes() == b"A" and (root / "firmware/f.rom").read_bytes() == b"F"
    assert oct((root / ".phonefleet/manifest.json").stat().st_mode & 0o777) == "0o600"
    assert not (root / "gone.cfg").exists()
    assert not list(root.rglob("*.phonefleet-tmp"))


@pytest.mark.parametrize("name", ["../escape.cfg", "/etc/escape.cfg", "a/../../escape.cfg"])
def test_members_outside_the_root_are_refused(tmp_path, name):
    with pytest.raises(UnsafeMember):
        apply_archive(archive(tmp_path, {name: b"x"}), str(tmp_path / "www"), [])
    assert not (tmp_path / "escape.cfg").exists()


def test_links_are_refused(tmp_path):
    with pytest.raises(UnsafeMember):
        apply_archive(archive(tmp_path, {}, links=("link.cfg",)), str(tmp_path / "www"), [])


def test_removing_outside_the_root_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(UnsafeMember):
        apply_archive(archive(tmp_path, {}), str(tmp_path / "www"), ["../keep.txt"])
    assert (tmp_path / "keep.txt").exists()


def test_a_changed_file_is_exchanged_with_its_spare(tmp_path):
    root = tmp_path / "www"
    inodes = []
    for version in (b"A1", b"A2", b"A3", b"A4"):
        apply_archive(archive(tmp_path, {"a.cfg": version, ".phonefleet/manifest.json": b"{}"}), str(root), [])
        assert (root / "a.cfg").read_bytes() == version
        if version != b"A1":
            assert (root / ".a.cfg.phonefleet-spare").read_bytes() == b"A" + bytes([version[1] - 1])
            inodes.append({(root / "a.cfg").stat().st_ino, (root / ".a.cfg.phonefleet-spare").stat().st_ino})
    assert inodes[0] == inodes[1] == inodes[2]  # no file made or freed after the first change
    assert oct((root / ".phonefleet/manifest.json").stat().st_mode & 0o777) == "0o600"
    # nginx reads the file in place as another user; the spare (the replaced version) is its owner's only
    assert oct((root / "a.cfg").stat().st_mode & 0o777) == "0o644"
    assert oct((root / ".a.cfg.phonefleet-spare").stat().st_mode & 0o777) == "0o600"
    apply_archive(archive(tmp_path, {}), str(root), ["a.cfg"])
    assert not (root / "a.cfg").exists() and not (root / ".a.cfg.phonefleet-spare").exists()


def test_an_archive_with_an_unsafe_member_writes_nothing(tmp_path):
    with pytest.raises(UnsafeMember):
        apply_archive(archive(tmp_path, {"a.cfg": b"A", "../escape.cfg": b"x"}), str(tmp_path / "www"), [])
    assert not (tmp_path / "www/a.cfg").exists()
