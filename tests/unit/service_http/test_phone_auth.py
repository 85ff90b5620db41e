"""Digest and basic checks of phone-to-server authentication, value by value (RFC 7616, MD5, qop=auth)."""

from __future__ import annotations

import base64
import time

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.phone_auth import (
    ACCEPTED,
    DENIED,
    NONCE_SECONDS,
    STALE,
    NonceCounts,
    PhoneAuth,
    make_nonce,
    parse_digest,
)

from tests.support.service import digest_authorization

SECRET = b"nonce-signing-secret"
PHONE_IP = "192.0.2.10"
SETTINGS = {
    "yealink": {"method": "digest", "username": "prov", "password": 'p@ss, "quoted"'},
    "snom": {"method": "basic", "username": "prov", "password": "s3cret"},
    "fanvil": {"method": "none"},
}


def digest_header(
    nonce: str, uri: str = "/805ec0112233.cfg", password: str = SETTINGS["yealink"]["password"], count: int = 1
) -> str:
    return digest_authorization("prov", password, nonce, uri, count)


def test_a_right_digest_passes_and_every_wrong_part_fails():
    auth = PhoneAuth(SETTINGS, SECRET)
    uri = "/805ec0112233.cfg"

    def check(header: str | None, method: str = "GET", path: str = uri, client: str = PHONE_IP):
        return auth.check("yealink", header, method, path, client)

    nonce = make_nonce(SECRET, PHONE_IP)
    assert check(digest_header(nonce, password="wrong")) == DENIED
    assert check(digest_header(nonce, count=2), path="/other.cfg") == DENIED  # signed for another URI
    assert check(digest_header(nonce, count=2), method="HEAD") == DENIED
    assert check(digest_header(nonce)) == ACCEPTED
    expired = make_nonce(SECRET, PHONE_IP, time.time() - NONCE_SECONDS - 5)
    assert check(digest_header(expired)) == STALE  # the password is right: a new nonce will do
    forged = nonce.split(".", maxsplit=1)[0] + "." + "0" * 32
    assert check(digest_header(forged)) == STALE
    assert check(digest_header(make_nonce(b"another secret", PHONE_IP))) == STALE
    assert check(None) == DENIED
    assert check("Digest garbage") == DENIED
    assert check(digest_header(nonce).replace("nc=00000001", "nc=1")) == DENIED


def test_a_replayed_digest_is_refused_as_stale_and_the_nonce_count_must_grow():
    auth = PhoneAuth(SETTINGS, SECRET)
    nonce = make_nonce(SECRET, PHONE_IP)
    header = digest_header(nonce)
    assert auth.check("yealink", header, "GET", "/805ec0112233.cfg", PHONE_IP)
    for _replay in range(3):
        assert auth.check("yealink", header, "GET", "/805ec0112233.cfg", PHONE_IP) == STALE
    assert auth.check("yealink", digest_header(nonce, count=3), "GET", "/805ec0112233.cfg", PHONE_IP)
    assert not auth.check("yealink", digest_header(nonce, count=2), "GET", "/805ec0112233.cfg", PHONE_IP)
    # a wrong password with a high count is refused and moves nothing: nobody can burn a phone's nonce
    wrong = digest_header(nonce, count=9, password="wrong")
    assert auth.check("yealink", wrong, "GET", "/805ec0112233.cfg", PHONE_IP) == DENIED
    assert auth.check("yealink", digest_header(nonce, count=4), "GET", "/805ec0112233.cfg", PHONE_IP)
    # the next publish's PhoneAuth keeps the counts (the provisioner hands them on)
    republished = PhoneAuth(SETTINGS, SECRET, auth.nonce_counts)
    assert not republished.check("yealink", digest_header(nonce, count=4), "GET", "/805ec0112233.cfg", PHONE_IP)
    # two challenges in the same second: two nonces, each phone starts its own count at 1
    now = time.time()
    for other in (make_nonce(SECRET, PHONE_IP, now), make_nonce(SECRET, PHONE_IP, now)):
        assert auth.check("yealink", digest_header(other), "GET", "/805ec0112233.cfg", PHONE_IP)


def test_a_nonce_opens_nothing_from_another_address():
    auth = PhoneAuth(SETTINGS, SECRET)
    header = digest_header(make_nonce(SECRET, PHONE_IP))
    assert auth.check("yealink", header, "GET", "/805ec0112233.cfg", "192.0.2.99") == STALE
    assert auth.check("yealink", header, "GET", "/805ec0112233.cfg", PHONE_IP)


def test_nonces_forgotten_for_room_are_refused_never_accepted_again():
    counts = NonceCounts(limit=2)
    now = time.time()
    first, second, third = (make_nonce(SECRET, PHONE_IP, now - age) for age in (3, 2, 1))
    assert counts.advance(first, 1, now) and counts.advance(second, 1, now)
    assert counts.advance(third, 1, now)  # the first is forgotten for room...
    assert not counts.advance(first, 1, now)  # ...and refused from then on, not taken for new
    assert not counts.advance(third, 1, now) and counts.advance(third, 2, now)
    expired = make_nonce(SECRET, PHONE_IP, now - NONCE_SECONDS - 10)
    assert NonceCounts(limit=1).advance(expired, 1, now)  # (its age is the caller's to check)


def test_basic_and_vendors_without_authentication():
    auth = PhoneAuth(SETTINGS, SECRET)
    good = "Basic " + base64.b64encode(b"prov:s3cret").decode()
    assert auth.check("snom", good, "GET", "/x")
    assert not auth.check("snom", "Basic " + base64.b64encode(b"prov:wrong").decode(), "GET", "/x")
    assert not auth.check("snom", "Basic !!!not-base64", "GET", "/x")
    assert not auth.check("snom", digest_header(make_nonce(SECRET, PHONE_IP)), "GET", "/x")
    assert not auth.required("fanvil") and not auth.required("poly") and not auth.required(None)
    assert auth.check("fanvil", None, "GET", "/x")
    assert auth.challenge("snom").startswith('Basic realm="phonefleet"')
    assert 'qop="auth"' in auth.challenge("yealink")


def test_quoted_values_with_commas_and_escapes_are_parsed():
    fields = parse_digest('username="a\\"b", uri="/x?a=1,b=2", nc=00000001, qop=auth')
    assert fields == {"username": 'a"b', "uri": "/x?a=1,b=2", "nc": "00000001", "qop": "auth"}
