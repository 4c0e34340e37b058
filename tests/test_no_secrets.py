"""No secret in the repository (issue 17): every file git tracks, or would add (not ignored), is
scanned for private keys, access tokens, Django secret keys, and passwords written into settings
or database URLs.  The web application's development key is never in a file of the project: it is
made at random by ``policingplan serve`` into ``.policingplan/secret_key`` (ignored by git), and
the production settings take it from the environment only (tests/web/test_deploy_settings.py).

A test's own placeholder (a database URL to ``db.invalid``, a made-up key) is allowed by name in
:data:`ALLOWED`, with its reason.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from policingplan.settings import PROJECT_ROOT

#: What is a secret, whatever the file.
PATTERNS = {
    "a private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
    "an AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a PyPI token": re.compile(r"\bpypi-[A-Za-z0-9_-]{50,}"),
    "a JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "Django's insecure key": re.compile(r"django-insecure-[^\s'\"]{20,}"),
    # A name that says secret, given a literal of 16 or more characters (not an environment look-up).
    "a secret written as a value": re.compile(
        r"""(?ix)\b[A-Z0-9_-]*(?:SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)[A-Z0-9_-]*
        ["']?\s*[:=]\s*["'](?P<value>[^"'\s]{16,})["']"""),
    # A constant named ..._KEY (or KEY) given a long random-looking literal.
    "a key written as a value": re.compile(
        r"""\b[A-Z0-9_]*KEY\s*=\s*["'](?P<value>(?=[^"']*[0-9])(?=[^"']*[a-z])(?=[^"']*[A-Z])[A-Za-z0-9_\-+/=!@#$%^&*()]{32,})["']"""),
    # A database or service URL with a password in it.
    "a password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]+:(?P<value>[^\s/@'\"]+)@(?P<host>[^\s/:'\"]+)"),
}

#: Hosts that resolve nowhere (RFC 2606 and 6761) or only to this machine: a URL to one is an example.
EXAMPLE_HOSTS = re.compile(r"(?:^|\.)(?:invalid|example|example\.com|example\.org|test|localhost)$|^127\.|^db$|^host$")

#: (file, what is found) → why it is not a secret.
ALLOWED = {
    ("tests/web/test_deploy_settings.py", "k3J9vQpX2mN8rT5wY7zB4cF6hL1sD0gA-aE_uI3oP9jK2nM5bV8xC7zQ4wR6tY1u"):
        "a made-up key, of the shape docs/deployment.md asks for, for a check --deploy run in a test",
}

#: Files never to be in the repository, whatever they hold.
FORBIDDEN_NAMES = re.compile(r"(?:^|/)(?:\.env(?:\..+)?|id_rsa|id_ed25519|id_ecdsa|.*\.pem|.*\.key|.*\.p12|.*\.pfx|"
                             r"secret_key|\.pgpass|\.netrc|credentials\.json)$")

#: Bigger files are data (the publishers' files), not configuration.
LIMIT = 2_000_000


def _files() -> list[str]:
    done = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                          cwd=PROJECT_ROOT, capture_output=True, check=True)
    return sorted({name for name in done.stdout.decode("utf-8").split("\0") if name})


def _placeholder(value: str) -> bool:
    """A value that says it is not a real secret: an environment look-up, a template, a word for a password."""
    lowered = value.lower()
    return (value.startswith(("$", "<", "{", "%")) or "..." in value or "…" in value
            or lowered.strip("*x") == "" or any(w in lowered for w in ("password", "changeme", "placeholder",
                                                                       "your-", "example", "not-a-", "redacted")))


def findings(name: str, text: str) -> list[str]:
    """What in the file looks like a secret, as ``file:line: what (the text)``."""
    found = []
    for what, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            value = match.groupdict().get("value") or match.group(0)
            if what == "a password in a URL" and (EXAMPLE_HOSTS.search(match.group("host")) or _placeholder(value)):
                continue
            if what in ("a secret written as a value", "a key written as a value") and _placeholder(value):
                continue
            if (name, value) in ALLOWED:
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line}: {what} ({match.group(0)[:60]})")
    return found


def test_no_file_in_the_repository_holds_a_secret():
    files = _files()
    assert len(files) > 100 and "src/policingplan/web/settings.py" in files
    found, scanned = [], 0
    for name in files:
        path = PROJECT_ROOT / name
        if not path.is_file() or path.stat().st_size > LIMIT:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a binary file (an image, a compressed data file)
        scanned += 1
        found += findings(name, text)
    assert scanned > 100
    assert not found, "\n".join(found)


def test_no_file_that_only_ever_holds_secrets_is_in_the_repository():
    assert not [name for name in _files() if FORBIDDEN_NAMES.search(name)]


def test_the_web_applications_own_files_are_ignored_by_git():
    """The development key and database (.policingplan/) never reach the repository."""
    done = subprocess.run(["git", "check-ignore", ".policingplan/secret_key", ".policingplan/web.sqlite3"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.stdout.split() == [".policingplan/secret_key", ".policingplan/web.sqlite3"]


def test_the_settings_take_the_secret_key_from_the_environment_or_make_one():
    """No key is written into either settings module; the base settings read the environment or the
    file ``serve`` made, and make a random one otherwise."""
    web = PROJECT_ROOT / "src" / "policingplan" / "web"
    for module in ("settings.py", "settings_production.py"):
        text = (web / module).read_text(encoding="utf-8")
        [assignment] = re.findall(r"^SECRET_KEY\s*=\s*(.+)$", text, re.M)
        assert assignment in ("_secret_key()", '_required("POLICINGPLAN_SECRET_KEY", "Django\'s secret key, '
                                               'at least 50 random characters")'), assignment


# --- the scanner finds what it is meant to (samples made here, so that this file holds none) -----

_RANDOM = "Q7mZ2xR9vK4pL8sT1wN6yB3cF5hJ0dG"


@pytest.mark.parametrize("sample,what", [
    ("-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow...", "a private key"),
    ("-----BEGIN " + "OPENSSH PRIVATE KEY-----", "a private key"),
    ("aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLQ", "an AWS access key"),
    ("token: gh" + "p_" + _RANDOM + "abcde", "a GitHub token"),
    ("SECRET_KEY = '" + "django-insecure-" + _RANDOM + "'", "Django's insecure key"),
    ("SECRET_KEY = '" + _RANDOM + "'", "a secret written as a value"),
    ("SIGNING_KEY = '" + _RANDOM + "xyz'", "a key written as a value"),
    ('"password": "' + _RANDOM + '"', "a secret written as a value"),
    ("DATABASE_URL=postgres://planner:" + _RANDOM + "@db.force.police.uk:5432/plans", "a password in a URL"),
])
def test_the_scanner_finds_each_kind_of_secret(sample: str, what: str):
    assert any(f": {what} (" in f for f in findings("settings.py", sample)), findings("settings.py", sample)


@pytest.mark.parametrize("sample", [
    'SECRET_KEY = os.environ["POLICINGPLAN_SECRET_KEY"]',
    "DATABASE_URL=postgres://policingplan:not-a-password@db.invalid:5432/policingplan",
    "postgres://user:password@host:5432/name",
    'password="a-test-password-1"',
    "POLICINGPLAN_SECRET_KEY=<64 random characters>",
])
def test_the_scanner_passes_over_placeholders(sample: str):
    assert findings("settings.py", sample) == []
