"""Certificates for tests that speak TLS on loopback: a CA of their own and a server certificate it signs
(``cryptography``; throw-away keys, one day of validity)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Authority:
    """A CA: its certificate (``certificate``: the PEM file a client trusts) and key."""

    name: str
    certificate: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _window(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return builder.not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(
        now + datetime.timedelta(days=1)
    )


def authority(folder: Path, name: str) -> Authority:
    """A self-signed CA named ``name``, its certificate written to ``folder/<name>.crt``."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _window(x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name)))
    cert = (
        builder.public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Authority(name, path, key, cert)


def server_certificate(folder: Path, issuer: Authority, host: str) -> tuple[Path, Path]:
    """(certificate, key) files of a server certificate for DNS name ``host``, signed by ``issuer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _window(x509.CertificateBuilder().subject_name(_name(host)).issuer_name(issuer.cert.subject))
    cert = (
        builder.public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(issuer.key, hashes.SHA256())
    )
    certificate, private = folder / f"{host}.crt", folder / f"{host}.key"
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate, private
