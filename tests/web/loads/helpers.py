"""A multipart request built by hand, so that a file's name reaches the server exactly as sent
(Django's test client keeps only the last part of a name, as a browser does)."""

from __future__ import annotations

import re
from html import unescape

BOUNDARY = b"----policingplan-test-boundary-7f3a"


def multipart(fields: dict[str, str], file_name: bytes | str, content: bytes, field: str = "file") -> bytes:
    """The body of a multipart/form-data request: the fields, then one file named ``file_name`` (raw bytes)."""
    name = file_name.encode("utf-8") if isinstance(file_name, str) else file_name
    parts = []
    for key, value in fields.items():
        parts.append(b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data; name=\"" + key.encode() + b"\"\r\n\r\n"
                     + value.encode("utf-8") + b"\r\n")
    parts.append(b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data; name=\"" + field.encode()
                 + b"\"; filename=\"" + name + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                 + content + b"\r\n")
    return b"".join(parts) + b"--" + BOUNDARY + b"--\r\n"


def post_raw(client, url: str, fields: dict[str, str], file_name, content: bytes):
    return client.generic("POST", url, multipart(fields, file_name, content),
                          content_type="multipart/form-data; boundary=" + BOUNDARY.decode())


def csrf_fields(client, url: str) -> dict[str, str]:
    """The CSRF token of the form (the test client does not check it, but a real form sends it)."""
    page = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return {"csrfmiddlewaretoken": match.group(1)} if match else {}


def summary(page: str) -> list[str]:
    """The error summary's items, as text."""
    block = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    if not block:
        return []
    items = re.findall(r"<li>(.*?)</li>", block.group(0), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]
