"""Digest and basic checks of phone-to-server authentication, value by value (RFC 7616, MD5, qop=auth)."""

from __future__ import annotations

import base64
import hashlib
import time

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.phone_auth import (
    NONCE_SECONDS,
    REALM,
    PhoneAuth,
    make_nonce,
    parse_digest,
)

SECRET = b"nonce-signing-secret"
SETTINGS = {
    "yealink": {"method": "digest", "username": "prov", "password": 'p@ss, "quoted"'},
    "snom": {"method": "basic", "username": "prov", "password": "s3cret"},
    "fanvil": {"method": "none"},
}


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_header(nonce: str, uri: str = "/805ec0112233.cfg", password: str = SETTINGS["yealink"]["password"]) -> str:
    ha1 = md5(f"prov:{REALM}:{password}")
    ha2 = md5(f"GET:{uri}")
    response = md5(f"{ha1}:{nonce}:00000001:abcdef:auth:{ha2}")
    return (
        f'Digest username="prov", realm="{REALM}", nonce="{nonce}", uri="{uri}", qop=auth, nc=00000001, '
        f'cnonce="abcdef", response="{response}", algorithm=MD5'
    )


def test_a_right_digest_passes_and_every_wrong_part_fails():
    auth = PhoneAuth(SETTINGS, SECRET)
    nonce = make_nonce(SECRET)
    assert auth.check("yealink", digest_header(nonce), "GET", "/805ec0112233.cfg")
    assert not auth.check("yealink", digest_header(nonce, password="wrong"), "GET", "/805ec0112233.cfg")
    assert not auth.check("yealink", digest_header(nonce), "GET", "/other.cfg")  # signed for another URI
    assert not auth.check("yealink", digest_header(nonce), "HEAD", "/805ec0112233.cfg")
    stale = make_nonce(SECRET, time.time() - NONCE_SECONDS - 5)
    assert not auth.check("yealink", digest_header(stale), "GET", "/805ec0112233.cfg")
    forged = nonce.split(".", maxsplit=1)[0] + "." + "0" * 32
    assert not auth.check("yealink", digest_header(forged), "GET", "/805ec0112233.cfg")
    other_server = make_nonce(b"another secret")
    assert not auth.check("yealink", digest_header(other_server), "GET", "/805ec0112233.cfg")
    assert not auth.check("yealink", None, "GET", "/805ec0112233.cfg")
    assert not auth.check("yealink", "Digest garbage", "GET", "/805ec0112233.cfg")


def test_basic_and_vendors_without_authentication():
    auth = PhoneAuth(SETTINGS, SECRET)
    good = "Basic " + base64.b64encode(b"prov:s3cret").decode()
    assert auth.check("snom", good, "GET", "/x")
    assert not auth.check("snom", "Basic " + base64.b64encode(b"prov:wrong").decode(), "GET", "/x")
    assert not auth.check("snom", "Basic !!!not-base64", "GET", "/x")
    assert not auth.check("snom", digest_header(make_nonce(SECRET)), "GET", "/x")
    assert not auth.required("fanvil") and not auth.required("poly") and not auth.required(None)
    assert auth.check("fanvil", None, "GET", "/x")
    assert auth.challenge("snom").startswith('Basic realm="phonefleet"')
    assert 'qop="auth"' in auth.challenge("yealink")


def test_quoted_values_with_commas_and_escapes_are_parsed():
    fields = parse_digest('username="a\\"b", uri="/x?a=1,b=2", nc=00000001, qop=auth')
    assert fields == {"username": 'a"b', "uri": "/x?a=1,b=2", "nc": "00000001", "qop": "auth"}
