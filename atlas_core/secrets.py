"""Keeping secrets on the machine: files that hold credentials, and secrets inside text.

Two layers protect every context document (``atlas render``, ``--format context``, the MCP
``render`` tool):

- :func:`secret_file_reason` names files that exist to hold credentials (``.env``, private
  keys, keystores, credential stores); they are left out of a document entirely.
- :func:`redact` finds high-confidence secrets in any other text (cloud keys, private key
  blocks, API tokens, JWTs) and replaces each with ``[REDACTED <kind>]``, keeping line
  numbers intact, and reports where.

Both are deliberately precise rather than exhaustive: a pattern earns its place only when
a match is almost certainly a real credential, so code that merely talks about passwords
is left alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

import attrs

__all__ = ["PATTERNS", "Redaction", "SecretPattern", "redact", "secret_file_reason"]

# -- files -------------------------------------------------------------------------

#: (glob on the lowercased file name, why it is excluded)
_SECRET_FILES: tuple[tuple[str, str], ...] = (
    (".env", "environment file"),
    (".env.*", "environment file"),
    ("*.env", "environment file"),
    ("*.pem", "PEM key or certificate bundle"),
    ("*.key", "private key"),
    ("*.p8", "private key"),
    ("*.ppk", "PuTTY private key"),
    ("id_rsa", "SSH private key"),
    ("id_dsa", "SSH private key"),
    ("id_ecdsa", "SSH private key"),
    ("id_ed25519", "SSH private key"),
    ("id_ecdsa_sk", "SSH private key"),
    ("id_ed25519_sk", "SSH private key"),
    ("*.p12", "PKCS#12 keystore"),
    ("*.pfx", "PKCS#12 keystore"),
    ("*.jks", "Java keystore"),
    ("*.keystore", "keystore"),
    ("*.kdbx", "KeePass database"),
    ("credentials", "credentials file"),
    ("credentials.json", "credentials file"),
    ("credentials.yml", "credentials file"),
    ("credentials.yaml", "credentials file"),
    ("credentials.xml", "credentials file"),
    ("*.credentials", "credentials file"),
    ("client_secret*.json", "OAuth client secret"),
    ("*service-account*.json", "cloud service account key"),
    ("*service_account*.json", "cloud service account key"),
    ("secrets.json", "secrets file"),
    ("secrets.yml", "secrets file"),
    ("secrets.yaml", "secrets file"),
    ("secrets.toml", "secrets file"),
    (".netrc", "credential store"),
    ("_netrc", "credential store"),
    (".npmrc", "package registry credentials"),
    (".pypirc", "package registry credentials"),
    (".git-credentials", "credential store"),
    (".pgpass", "credential store"),
    (".htpasswd", "password file"),
    ("*.tfstate", "Terraform state (holds secrets)"),
    ("*.tfstate.backup", "Terraform state (holds secrets)"),
)

#: templates meant to be shared; their content is still scanned
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def secret_file_reason(rel: str) -> str | None:
    """Why the file at ``rel`` must not be shown (e.g. ``"environment file"``), or None."""
    name = PurePosixPath(rel.replace("\\", "/")).name.lower()
    if not name or name.endswith(_TEMPLATE_SUFFIXES):
        return None
    for pattern, reason in _SECRET_FILES:
        if fnmatchcase(name, pattern):
            return reason
    return None


# -- content -----------------------------------------------------------------------


@attrs.frozen
class SecretPattern:
    """One kind of secret.

    :ivar kind: the label shown in ``[REDACTED <kind>]``.
    :ivar regex: what to find; when it has a group named ``secret``, only that part is
        redacted (the ``password =`` before it stays readable).
    :ivar needles: the regex runs only on text containing one of these (a fast filter).
    :ivar accept: an extra check on the secret text, for patterns that need one.
    :ivar ignore_case: match ``regex`` (written in lowercase) and ``needles`` without
        regard to case.
    """

    kind: str
    regex: re.Pattern[str]
    needles: tuple[str, ...]
    accept: Callable[[str], bool] | None = None
    ignore_case: bool = False

    def finds(self, text: str, lowered: str) -> list[tuple[int, int]]:
        """Spans of the secrets in ``text`` (``lowered`` is ``text.lower()``)."""
        haystack = lowered if self.ignore_case else text
        if not any(n in haystack for n in self.needles):
            return []
        regex = self.regex
        if self.ignore_case and len(lowered) != len(text):
            # lowering changed offsets (rare Unicode); match the original, slower
            regex = re.compile(regex.pattern, regex.flags | re.IGNORECASE)
            haystack = text
        group = "secret" if "secret" in regex.groupindex else 0
        spans = []
        for match in regex.finditer(haystack):
            start, end = match.span(group)
            if self.accept is None or self.accept(text[start:end]):
                spans.append((start, end))
        return spans


@attrs.frozen
class Redaction:
    """A secret that was replaced: the 1-based line it started on, and its kind."""

    line: int
    kind: str


_PLACEHOLDER = re.compile(
    r"(?i)example|sample|dummy|placeholder|changeme|change_me|your|xxxx|\*\*\*|<|>|\$\{|\{\{|%\(|"
    r"redacted|secret|password|passw|token|test|fake|todo|none|null|undefined"
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _random_looking(value: str) -> bool:
    """A value that looks generated: long, mixed character classes, high entropy."""
    if len(value) < 12 or _PLACEHOLDER.search(value):
        return False
    classes = sum(
        bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    return classes >= 3 and _entropy(value) >= 3.5


_COMMON_PASSWORDS = frozenset(
    "password passwd pass secret pwd admin root user guest test postgres mysql redis "
    "changeme example letmein".split()
)
_TEMPLATE_VALUE = re.compile(r"(?i)^[$%<{*]|xxx|example|placeholder|changeme|your[_-]")


def _real_url_password(value: str) -> bool:
    """Not a documentation placeholder such as ``user:password@`` or ``${DB_PASS}``."""
    return value.lower() not in _COMMON_PASSWORDS and not _TEMPLATE_VALUE.search(value)


_END_OF_KEY = r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
# Between the lines of a key: newlines (also escaped, as in JSON), quotes and the glue of
# string concatenation. No base64 character may appear here, so the pattern cannot
# backtrack exponentially.
_KEY_SEP = r"(?:\\[nr]|[\"'`]\s*\+|[\s\"'`,;])+"
_KEY_BLOCK = (
    r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:"
    + _KEY_SEP
    + r"[A-Za-z-]+:[ \t][^\n\\\"']*)*"  # Proc-Type:, Version: headers
    + _KEY_SEP
    + r"[A-Za-z0-9+/=]{40,}"  # a real key has a body; a mere mention of the marker does not
    + r"(?:(?:"
    + _KEY_SEP
    + r"[A-Za-z0-9+/=]+)*?"
    + _KEY_SEP
    + _END_OF_KEY
    + r"|(?:"
    + _KEY_SEP
    + r"[A-Za-z0-9+/=]{16,})*)"  # unterminated: the base64 lines that follow
)

#: the order matters only for overlapping matches: earlier, longer matches win
PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern(
        "private-key",
        # a whole PEM, PGP or OpenSSH private key block
        re.compile(_KEY_BLOCK),
        ("PRIVATE KEY",),
    ),
    SecretPattern(
        "aws-access-key-id",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    SecretPattern(
        "aws-secret-access-key",
        re.compile(
            r"aws_?secret(?:_?access)?_?key[\"']?\s*(?:[:=]|=>)\s*[\"']?"
            r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
        ("secret",),
        ignore_case=True,
    ),
    SecretPattern(
        "github-token",
        re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    SecretPattern(
        "github-token",
        re.compile(r"\bgithub_pat_[A-Za-z0-9_]{50,255}\b"),
        ("github_pat_",),
    ),
    SecretPattern("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), ("glpat-",)),
    SecretPattern("slack-token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,250}\b"), ("xox",)),
    SecretPattern(
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}"),
        ("hooks.slack.com",),
    ),
    SecretPattern(
        "stripe-secret-key",
        re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,247}\b"),
        ("_live_",),
    ),
    SecretPattern("anthropic-api-key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{32,}"), ("sk-ant-",)),
    SecretPattern(
        "openai-api-key",
        re.compile(
            r"\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}"
            r"|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])"
        ),
        ("sk-",),
    ),
    SecretPattern(
        "google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), ("AIza",)
    ),
    SecretPattern("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), ("npm_",)),
    SecretPattern(
        "pypi-token", re.compile(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"), ("pypi-",)
    ),
    SecretPattern("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{34,}\b"), ("hf_",)),
    SecretPattern(
        "sendgrid-api-key",
        re.compile(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
        ("SG.",),
    ),
    SecretPattern(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
        ("eyJ",),
    ),
    SecretPattern(
        "url-password",
        # scheme://user:password@host
        re.compile(r"://[^\s:/@\"'`]{0,64}:(?P<secret>[^\s:/@\"'`]{6,})@"),
        ("://",),
        _real_url_password,
    ),
    SecretPattern(
        "password",
        # password = "x7$Kq..." only when the quoted value looks generated
        re.compile(
            r"(?:password|passwd|secret|api_?key|access_?token|auth_?token|private_?key)"
            r"[a-z0-9_]*[\"']?\s*(?::=|[:=]|=>)\s*"
            r"(?P<q>[\"'])(?P<secret>[^\"'\s]{12,200})(?P=q)"
        ),
        ("pass", "pwd", "secret", "key", "token"),
        _random_looking,
        ignore_case=True,
    ),
)


def redact(
    text: str, patterns: tuple[SecretPattern, ...] = PATTERNS
) -> tuple[str, list[Redaction]]:
    """Replace every high-confidence secret in ``text`` with ``[REDACTED <kind>]``.

    Line structure is kept: a secret spanning lines (a private key block) becomes one
    marker followed by as many newlines as it had, so line numbers still point at the
    same code. Returns the new text and where each secret was, in order.
    """
    lowered = text.lower()
    spans = [
        (start, end, pattern.kind)
        for pattern in patterns
        for start, end in pattern.finds(text, lowered)
    ]
    if not spans:
        return text, []
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[str] = []
    found: list[Redaction] = []
    pos = 0
    line = 1
    for start, end, kind in spans:
        if start < pos:  # overlaps a secret already replaced
            continue
        before = text[pos:start]
        line += before.count("\n")
        secret = text[start:end]
        out.append(before)
        out.append(f"[REDACTED {kind}]" + "\n" * secret.count("\n"))
        found.append(Redaction(line, kind))
        line += secret.count("\n")
        pos = end
    out.append(text[pos:])
    return "".join(out), found
