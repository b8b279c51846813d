"""The ``.rdsync`` file: one exchange between laptops, compressed and encrypted.

Layout::

    RDSYNC1\\n | 4-byte length | header (JSON, readable) | AES-GCM ciphertext

The header says which workspace and laptop the bundle comes from, its schema revision,
the key derivation (scrypt, with its salt) and a key check value; it is bound to the
ciphertext as associated data, so changing one byte of it or of the ciphertext is detected.
The plaintext is zlib-compressed ``manifest JSON + "\\n" + body JSON``; the manifest holds
the body's SHA-256. A wrong passphrase (key check), a changed or truncated file (GCM tag,
lengths) and a bundle of another workspace are told apart, each with its own message.
Never a home-made cipher: ``cryptography``'s AES-GCM and scrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from recovery_desk.domain.errors import RecoveryDeskError

MAGIC = b"RDSYNC1\n"
FORMAT = 1
SUFFIX = ".rdsync"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
MIN_PASSPHRASE = 8
# zlib's fastest level: the whole 60,000-case workspace (239 MB of JSON) compresses in 2.5 s to
# 58.8 MB, against 8.4 s for 52.8 MB at the default level 6 (a coordinator waits for it; the
# budget is 100 MB). Any level reads back the same.
COMPRESSION = 1


class BundleError(RecoveryDeskError):
    """A bundle that is refused; nothing was written."""


@dataclass
class Bundle:
    header: dict[str, Any]
    manifest: dict[str, Any]
    body: dict[str, Any]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return _derive(passphrase, salt, params["n"], params["r"], params["p"])


@lru_cache(maxsize=16)
def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """scrypt (deliberately slow); a bundle read by the process that wrote it derives once."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _check_value(key: bytes) -> str:
    return _b64(hmac.new(key, b"recovery-desk bundle key check", hashlib.sha256).digest()[:16])


def write_bundle(path: Path, header: dict[str, Any], manifest: dict[str, Any], body: dict[str, Any],
                 passphrase: str) -> int:
    """Write the bundle (to a temporary file, renamed when complete); returns its size."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(passphrase) < MIN_PASSPHRASE:
        raise BundleError("the passphrase is too short (at least {n} characters)", n=MIN_PASSPHRASE)
    body_bytes = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    manifest = {**manifest, "checksum": hashlib.sha256(body_bytes).hexdigest()}
    plain = zlib.compress(json.dumps(manifest, ensure_ascii=False).encode("utf-8") + b"\n" + body_bytes, COMPRESSION)
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, SCRYPT)
    header = {**header, "format": FORMAT, "kdf": {"name": "scrypt", "salt": _b64(salt), **SCRYPT},
              "nonce": _b64(nonce), "check": _check_value(key), "length": len(plain) + 16}
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes
    cipher = AESGCM(key).encrypt(nonce, plain, prefix)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as f:  # a new file of our own, never a workspace
        f.write(prefix)
        f.write(cipher)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    return len(prefix) + len(cipher)


def read_header(path: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, the bytes it is bound to, the ciphertext); refuses what is no bundle."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BundleError("{path}: no such file", path=path) from None
    except OSError as exc:
        raise BundleError("{path}: cannot be read ({detail})", path=path, detail=exc.strerror) from None
    if not data.startswith(MAGIC):
        raise BundleError("{path} is not a Recovery Desk exchange file (.rdsync)", path=path)
    try:
        (size,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
        end = len(MAGIC) + 4 + size
        header_bytes = data[len(MAGIC) + 4:end]
        header = json.loads(header_bytes.decode("utf-8")) if len(header_bytes) == size else None
    except (struct.error, UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or "kdf" not in header:
        raise BundleError("{path} is damaged: its header cannot be read (truncated or changed?)", path=path)
    if header.get("format", 0) > FORMAT:
        raise BundleError("{path} was written by a newer version of Recovery Desk; update the application to read it",
                          path=path)
    cipher = data[end:]
    if len(cipher) < header.get("length", 0):
        raise BundleError("{path} is truncated ({have} of {want} bytes): copy it again", path=path,
                          have=len(data), want=end + header["length"])
    return header, data[:end], cipher


def open_bundle(path: Path, passphrase: str) -> Bundle:
    """Decrypt and check a bundle; raises BundleError with a one-line reason."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, prefix, cipher = read_header(path)
    kdf = header["kdf"]
    try:
        key = _key(passphrase, base64.b64decode(kdf["salt"]), {k: int(kdf[k]) for k in ("n", "r", "p")})
        nonce = base64.b64decode(header["nonce"])
    except (KeyError, ValueError, TypeError):
        raise BundleError("{path} is damaged: its header cannot be read (truncated or changed?)", path=path) from None
    if not hmac.compare_digest(_check_value(key), str(header.get("check", ""))):
        raise BundleError("{path}: wrong passphrase", path=path)
    try:
        plain = AESGCM(key).decrypt(nonce, cipher, prefix)
        text = zlib.decompress(plain)
        manifest_bytes, _, body_bytes = text.partition(b"\n")
        manifest = json.loads(manifest_bytes)
    except (InvalidTag, zlib.error, ValueError):
        raise BundleError("{path} has been changed or damaged since it was written; nothing was read",
                          path=path) from None
    if hashlib.sha256(body_bytes).hexdigest() != manifest.get("checksum"):
        raise BundleError("{path} has been changed or damaged since it was written; nothing was read", path=path)
    return Bundle(header, manifest, json.loads(body_bytes))
