"""The service's settings: file < environment, and errors that name the file or variable and the field."""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import (
    SettingsError,
    load_settings,
)

SHA = "0" * 64  # a SHA-256 in hex


def write(tmp_path, text: str):
    path = tmp_path / "service.yml"
    path.write_text(text)
    return str(path)


def test_file_then_environment(tmp_path):
    path = write(tmp_path, "web_root: /srv/www\nhttp_port: 8000\nworkers: 2\ntftp_enabled: false\n")
    settings = load_settings(path, {"PHONEFLEET_HTTP_PORT": "9000", "PHONEFLEET_TFTP_ENABLED": "yes"})
    assert (settings.web_root, settings.http_port, settings.workers, settings.tftp_enabled) == (
        "/srv/www",
        9000,
        2,
        True,
    )
    assert settings.journal_days == 10


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("http_port: 8000\n", {}, "web_root is required"),
        ("web_root: /w\nhttp_port: 70000\n", {}, "http_port must be a port number"),
        ("web_root: /w\nhttp_prot: 80\n", {}, "unknown setting 'http_prot'"),
        ("web_root: /w\nworkers: many\n", {}, "workers must be a number, not 'many'"),
        ("web_root: /w\ntftp_max_transfers_per_address: 0\n", {}, "tftp_max_transfers_per_address must be 1 or more"),
        ("web_root: /w\nhttp_max_header_bytes: 100\n", {}, "http_max_header_bytes must be 1024 or more, not 100"),
        (
            "web_root: /w\n",
            {"PHONEFLEET_HTTP_MAX_HEADERS": "0"},
            "http_max_headers must be 1 or more, not 0",
        ),
        ("web_root: /w\nhttp_request_timeout: 0\n", {}, "http_request_timeout must be a positive number of seconds"),
        ("web_root: /w\n", {"PHONEFLEET_HTTP_PORT": "eighty"}, "PHONEFLEET_HTTP_PORT: http_port must be a number"),
        (f"web_root: /w\napi_tokens: [{{name: a, role: root, token_sha256: {SHA}}}]\n", {}, "api_tokens[0].role must"),
        (
            f"web_root: /w\napi_tokens: [{{name: a, role: admin, token_sha256: {SHA}}}]\n",
            {},
            "api_tokens[0].role admin is now called administrator",
        ),
        ("web_root: /w\napi_tokens: [{name: a, role: api, token_sha256: abc}]\n", {}, "token_sha256 must be a SHA-256"),
        ("web_root: /w\napi_tokens: [{name: a, role: api}]\n", {}, "api_tokens[0] needs name, role and token_sha256"),
        (
            "web_root: /w\napi_tokens: [{name: a, role: admin, token: 0123456789abcdefg}]\n",
            {},
            "api_tokens[0].token: tokens are no longer kept in clear; give token_sha256",
        ),
        ("web_root: /w\nserved_log_dir: /etc/hostname\n", {}, "served_log_dir '/etc/hostname' is not a folder"),
        ("web_root: /w\nserved_log_dir: [a]\n", {}, "served_log_dir must be a string"),
        ("- a list\n", {}, "must be a mapping of settings"),
        ("web_root: [unclosed\n", {}, "service.yml"),
    ],
)
def test_errors_name_where_and_what(tmp_path, text, environ, message):
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, text), environ)
    assert message in str(caught.value)


def test_a_token_never_shows_in_an_error(tmp_path):
    token = "0123456789abcdef-secret"
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, f"web_root: /w\napi_tokens: [{{name: a, role: god, token: {token}}}]\n"), {})
    assert token not in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"nothing\.yml: cannot be read"):
        load_settings(str(tmp_path / "nothing.yml"), {})
