"""Fleet YAML reads exactly as Ansible (PyYAML, YAML 1.1) reads it, fast path or not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import yamlio
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yaml_edit import FleetFileError, YamlFile

from tests.yaml_bombs import alias_bomb

REPO = Path(__file__).resolve().parents[2]

# Plain scalars whose meaning differs between YAML 1.1 and 1.2, and look-alikes that do not.
SNIPPETS = [
    "a: yes\n",
    "a: 'yes'\n",
    "- on\n",
    "a: [1, off]\n",
    "yes: 1\n",
    "a: 0755\n",
    "a: 755\n",
    "mac: 00:15:65:4c:4c:26\n",
    "mac: 10:15:25:30:40:50\n",
    "mac: 0004130000e2\n",
    "mac: '0004130000e2'\n",
    "a: 1e3\n",
    "a: 1.5\n",
    "a: 1.0e+3\n",
    "d: 2026-01-01\n",
    "d: 2026-1-1\n",
    "d: 2026-q3\n",
    "k: {a: 1, b: n}\n",
    "<<: {a: 1}\n",
    "a: no way\n",
    "name: Anna on duty\n",
    "a: 0o17\n",
    "a: 1_000\n",
    "a: 0b11\n",
    "a: -5\n",
    "ports: [80, 443]\n",
    "a: ~\n",
    "a: null\n",
    "a: True\n",
    "a: 0x1F\n",
    "a: .inf\n",
    "k: [a,yes]\n",
    "mac: 00:00:00:00:00:00\n",
    "a: 1:20\n",
    "a: 190:20:30.15\n",
    "s: |\n  yes\n  0755\n",
    "a: &x {b: 1}\nc: *x\n",
    "a: 1\na: 2\n",
    "v: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_same_data_as_pyyaml(text):
    expected = yaml.load(text, Loader=yamlio.FleetYamlLoader)
    assert yamlio.load_yaml(text) == expected


@pytest.mark.parametrize("text", ["a: yes\n", "a: 0755\n", "mac: 10:15:25:30:40:50\n", "a: 1e3\n", "d: 2026-1-1\n"])
def test_yaml_1_1_only_scalars_are_left_to_pyyaml(text):
    assert yamlio.yaml11_only(text)


def test_demo_fleet_reads_the_same_both_ways():
    for path in sorted((REPO / "inventory/demo/fleet").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert yamlio.load_yaml(text) == yaml.load(text, Loader=yamlio.FleetYamlLoader), path


def test_vault_values_are_marked_on_both_paths():
    text = "v: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\nw: yes\n"  # "yes" sends it to PyYAML
    for source in (text, text.replace("w: yes\n", "")):
        value = yamlio.load_yaml(source)["v"]
        assert isinstance(value, yamlio.VaultValue)
        assert value.ciphertext == "$ANSIBLE_VAULT;1.1;AES256\n3031\n"
        assert "3031" not in repr(value)


def test_syntax_error_names_the_line():
    with pytest.raises(yamlio.YamlSyntaxError) as caught:
        yamlio.load_yaml("phones:\n  - mac: x\n  bad: [\n")
    assert caught.value.line == 3  # "  bad: [" where a "- " item was expected


@pytest.mark.parametrize("tail", ["", "  register: yes\n", "  bad: [\n"])
def test_a_large_file_reads_as_a_small_one_does(tail):
    """Past 256 KB yaml-rs parses in a thread beside the YAML 1.1 scan: same data, same fallbacks."""
    phone = "- mac: '{mac:012x}'\n  name: Phone {index}\n  lines: [{{number: '{index}', password: pw}}]\n"
    text = "phones:\n" + "".join(phone.format(mac=index, index=index) for index in range(5000)) + tail
    assert len(text) > yamlio._PARSE_BESIDE_SCAN  # pylint: disable=protected-access
    if "bad" in tail:
        with pytest.raises(yamlio.YamlSyntaxError):
            yamlio.load_yaml(text)
        return
    data = yamlio.load_yaml(text)
    assert data == yaml.load(text, Loader=yamlio.FleetYamlLoader)
    assert len(data["phones"]) == 5000
    assert data["phones"][-1].get("register", True) is True  # "yes" read as YAML 1.1 does


def test_an_alias_bomb_is_refused_before_it_expands_with_its_line():
    text = "phones:\n  - mac: 80:5e:c0:11:22:33\n    description: " + alias_bomb() + "\n"
    started = time.perf_counter()
    with pytest.raises(yamlio.YamlSyntaxError) as caught:
        yamlio.load_yaml(text)
    assert time.perf_counter() - started < 1
    assert "YAML aliases would expand 27 values to 1,234,567,907 (an alias bomb?)" in str(caught.value)
    assert caught.value.line == 11  # the anchor the last level repeats: &a7


def test_anchors_used_as_defaults_on_every_phone_are_read():
    phones = "".join(f"  - {{<<: *office, mac: '{index:012x}'}}\n" for index in range(3000))
    text = "defaults: &office {model: T54W, profile: office, site: hq, lines: [{number: '1', password: x}]}\n"
    loaded = yamlio.load_yaml(text + "phones:\n" + phones)
    assert len(loaded["phones"]) == 3000 and loaded["phones"][-1]["lines"] == [{"number": "1", "password": "x"}]


def test_an_alias_inside_the_value_it_names_is_refused():
    with pytest.raises(yamlio.YamlSyntaxError, match="alias refers to the value that holds it") as caught:
        yamlio.load_yaml("a: 1\nb: &loop [1, *loop]\n")
    assert caught.value.line == 2


def test_the_round_trip_editor_refuses_an_alias_bomb_naming_the_file(tmp_path):
    fleet_file = tmp_path / "phones.yml"
    fleet_file.write_text(
        "# preamble\n---\nphones:\n  - mac: 80:5e:c0:11:22:33\n    description: " + alias_bomb() + "\n"
    )
    with pytest.raises(FleetFileError, match=r"phones\.yml:13: YAML aliases would expand .* \(an alias bomb\?\)"):
        YamlFile(str(fleet_file)).load()


@pytest.mark.parametrize(
    "text",
    ['holidays:\n  - "2026-12-31"\n', "holidays:\n  - '2026-12-31'\n", 'name: "2026-01-02T10:00"\n'],
)
def test_a_quoted_date_stays_a_string_as_yaml_says(text):
    # yaml-rs reads a quoted date as a date; YAML (and PyYAML, as Ansible reads the file) has a string
    assert yamlio.load_yaml(text) == yaml.safe_load(text)
    assert all(isinstance(value, str) for value in _leaves(yamlio.load_yaml(text)))


def _leaves(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _leaves(value)
    else:
        yield data
