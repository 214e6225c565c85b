"""Keeping secrets on the machine: files that hold credentials, and secrets inside text.

Two layers protect every context document (``atlas render``, ``--format context``, the MCP
``render`` tool):

- :func:`secret_file_reason` names files that exist to hold credentials (``.env``,
  ``.envrc``, private keys, keystores, credential stores); they are left out entirely.
- :func:`redact` finds secrets in any other text and replaces each with
  ``[REDACTED <kind>]``, keeping line numbers intact, and reports where: provider tokens
  (cloud keys, API tokens, JWTs, private key blocks) by their format, and values given to a
  secret's name (``password: ...``, ``export DB_PASSWORD=...``, ``"apiKey": "..."``,
  ``Password=...;``, ``scheme://user:password@host``) when the value itself looks real.

Both lean to precision on code that merely talks about secrets: references
(``${DB_PASSWORD}``, ``%(pw)s``), placeholders (``changeme``, ``<token>``, ``xxxx``) and
the made-up values of tests and documentation are left alone
(:mod:`atlas_core.output.secret_values` judges the values).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import unquote

import attrs

from atlas_core.classify.rules import detect_language, detect_role
from atlas_core.output.secret_values import credential_like, generated, placeholder, reference

__all__ = [
    "PATTERNS",
    "Detector",
    "FileContext",
    "Redaction",
    "SecretPattern",
    "redact",
    "secret_file_reason",
]

# -- files -------------------------------------------------------------------------

#: (glob on the lowercased file name, why it is excluded)
_SECRET_FILES: tuple[tuple[str, str], ...] = (
    (".env", "environment file"),
    (".env.*", "environment file"),
    ("*.env", "environment file"),
    (".envrc", "direnv environment file"),
    (".envrc.*", "direnv environment file"),
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
    ("*.tfvars", "Terraform variables (often hold secrets)"),
    ("*.auto.tfvars.json", "Terraform variables (often hold secrets)"),
    (".vault-token", "Vault token"),
    (".dockercfg", "registry credentials"),
    (".s3cfg", "cloud credentials"),
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

#: languages whose unquoted values are expressions (``password = get_password()``), so
#: only a string literal can be a secret; elsewhere (YAML, .env, .properties, INI, shell,
#: Dockerfile, Markdown, unknown) an unquoted value is the value itself
_QUOTED_ONLY = frozenset(
    """
    python go rust javascript typescript tsx java kotlin scala c cpp csharp ruby php swift
    elixir erlang lua haskell r julia dart objc clojure ocaml ocaml_interface fsharp
    fsharp_signature zig nim perl vue svelte groovy starlark powershell vim awk nix sql just
    jupyter cuda fortran solidity verilog vhdl glsl hlsl wgsl elm purescript haxe gdscript d
    odin racket scheme commonlisp pascal ada astro coq
    json toml hcl protobuf graphql
    """.split()
)


@attrs.frozen
class FileContext:
    """What a file's path says about the values in it.

    :ivar quoted_only: unquoted values are code, not literals.
    :ivar fixtures: a test, fixture, documentation or template file, where credentials are
        usually made up; only values that look generated count there.
    """

    quoted_only: bool = False
    fixtures: bool = False

    @classmethod
    def for_path(cls, path: str | None) -> FileContext:
        """The context of the file at ``path`` (relative); without a path, the strictest."""
        if not path:
            return cls()
        rel = path.replace("\\", "/")
        language = detect_language(rel, "")
        role = detect_role(rel, language, "")
        template = rel.rsplit("/", 1)[-1].lower().endswith(_TEMPLATE_SUFFIXES)
        return cls(
            quoted_only=language in _QUOTED_ONLY,
            fixtures=role in ("test", "docs") or template,
        )


class Detector(Protocol):
    """Anything that finds secrets in text: a :class:`SecretPattern` or a custom finder."""

    def finds(self, text: str, lowered: str, context: FileContext) -> list[tuple[int, int, str]]:
        """(start, end, kind) of each secret in ``text`` (``lowered`` is ``text.lower()``)."""
        ...


#: groups that hold the secret, in order of preference: quoted and unquoted values
_VALUE_GROUPS = ("secret", "qv", "uv")


def _value_span(match: re.Match[str]) -> tuple[int, int]:
    for name in _VALUE_GROUPS:
        if name in match.re.groupindex and match.group(name) is not None:
            return match.span(name)
    return match.span()


@attrs.frozen
class SecretPattern:
    """One kind of secret.

    :ivar kind: the label shown in ``[REDACTED <kind>]``.
    :ivar regex: what to find; when it has a group named ``secret`` (or ``qv``/``uv`` for a
        quoted or unquoted value), only that part is redacted (``password =`` stays).
    :ivar needles: the regex runs only on text containing one of these (a fast filter).
    :ivar accept: an extra check on a match, given the file's context.
    :ivar ignore_case: the needles are lowercase and looked for in the lowered text (the
        regex carries its own ``(?i)``).
    :ivar by_line: run the regex only on the lines holding a needle (for patterns whose
        start is too common to scan the whole text with).
    :ivar kind_of: the kind of a match, when it depends on the match (else ``kind``).
    """

    kind: str
    regex: re.Pattern[str]
    needles: tuple[str, ...]
    accept: Callable[[re.Match[str], FileContext], bool] | None = None
    ignore_case: bool = False
    by_line: bool = False
    kind_of: Callable[[re.Match[str]], str] | None = None

    def finds(self, text: str, lowered: str, context: FileContext) -> list[tuple[int, int, str]]:
        """(start, end, kind) of each secret in ``text`` (``lowered`` is ``text.lower()``)."""
        haystack = lowered if self.ignore_case else text
        if not any(n in haystack for n in self.needles):
            return []
        spans = []
        for match in self._matches(text, haystack):
            if self.accept is None or self.accept(match, context):
                start, end = _value_span(match)
                if end > start:
                    kind = self.kind if self.kind_of is None else self.kind_of(match)
                    spans.append((start, end, kind))
        return spans

    def _matches(self, text: str, haystack: str) -> Iterator[re.Match[str]]:
        if not self.by_line:
            yield from self.regex.finditer(text)
            return
        done = -1
        for needle in _needle_regex(self.needles).finditer(haystack):
            if needle.start() < done:
                continue
            start = haystack.rfind("\n", 0, needle.start()) + 1
            end = haystack.find("\n", needle.end())
            done = len(haystack) if end < 0 else end
            yield from self.regex.finditer(text, start, done)


@lru_cache(maxsize=64)
def _needle_regex(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, needles)))


@attrs.frozen
class Redaction:
    """A secret that was replaced: the 1-based line it started on, and its kind."""

    line: int
    kind: str


# -- names of secrets ------------------------------------------------------------------

_KEY_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
#: a key whose last word ends with one of these names a secret: DB_PASSWORD, pgpassword,
#: client_secret, _authToken, APIKEY
_SECRET_ENDINGS = ("password", "passwd", "passphrase", "secret", "token", "apikey")
_PASSWORD_WORDS = frozenset({"pass", "pw", "pwd", "passwort"})
#: ``<qualifier>_key`` names a secret (api_key, AccountKey, signing-key); a bare ``key``
#: does only with a value that looks generated
_KEY_QUALIFIERS = frozenset(
    """
    api secret access private signing sign encryption encrypt master account auth app
    client license licence webhook shared storage subscription service consumer hmac jwt
    session crypt cipher aes deploy
    """.split()
)
#: a secret word after one of these names something else: csrf_token, max_tokens, eof_token
_NOT_SECRET_BEFORE = frozenset(
    """
    csrf xsrf next page continuation cancellation max min num eof pad start end sep unk
    mask cls bos eos special public reset forgot show hide confirm has is use
    """.split()
)


def _key_strength(key: str) -> str | None:
    """How ``key`` names a secret: ``"password"``, ``"secret"``, ``"key"`` (a bare key),
    ``"auth"`` (npm's ``_auth``, Docker's ``auth``: base64 ``user:password``), or None
    for a key that names something else."""
    words = [w.lower() for w in _KEY_WORDS.findall(key)]
    while words and words[-1].isdigit():
        words.pop()
    if len(words) > 1 and words[-1] == "base":  # Rails' secret_key_base
        words.pop()
    if not words:
        return None
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if before in _NOT_SECRET_BEFORE:
        return None
    if last in _PASSWORD_WORDS or last.endswith(
        ("password", "passwd", "passphrase", "requirepass")
    ):
        return "password"
    if last.endswith(_SECRET_ENDINGS) or last == "masterauth":
        return "secret"
    if last == "key":
        return "secret" if before in _KEY_QUALIFIERS else ("key" if not before else None)
    if last.endswith("key") and last[:-3] in _KEY_QUALIFIERS:
        return "secret"
    if last == "auth" and len(words) == 1:
        return "auth"
    return None


def _basic_credentials(value: str) -> bool:
    """A base64 ``user:password`` (npm's ``_auth``, Docker's ``auth``) with a real password."""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    user, colon, password = decoded.partition(":")
    return bool(colon) and password != user and not placeholder(password) and len(password) >= 6


# -- assignments: password = "...", API_TOKEN: ..., export DB_PASS=... ---------------------

_ASSIGNMENT = re.compile(
    r"(?<![\w.@/$-])(?P<key>[A-Za-z_][\w.-]*)(?P<kq>[\"']?\]?)[ \t]*"
    # a separator, or a type annotation and then one (password: str = "...")
    r"(?::[ \t]*[A-Za-z_][\w\[\], |.]*?[ \t]+=(?!=)|:=|=>|\?=|=(?!=)|:(?!:))[ \t]*"
    r"(?:(?P<q>[\"'`])(?P<qv>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q)"
    r"|(?P<uv>[a-z]{4}(?: [a-z]{4}){3}(?=[ \t]*(?:\#|$))"  # an app password, unquoted
    r"|[^\s\"'`,;&(\[{<][^\s\"'`,;&()\[\]{}<>]*))?",
    re.MULTILINE,
)


def _assigned_value(match: re.Match[str], context: FileContext) -> str | None:
    """The literal given to a secret's name, when it stands alone (not part of an
    expression such as ``os.environ[...]`` or ``get_password()``)."""
    if match.group("qv") is not None:
        return match.group("qv")
    value = match.group("uv")
    if value is None or context.quoted_only:
        return None
    after = match.string[match.end() : match.end() + 1]
    if after and after in "([{.":
        return None  # a call, subscript or attribute: code
    return value


def _secret_assignment(match: re.Match[str], context: FileContext) -> bool:
    strength = _key_strength(match.group("key"))
    if strength is None:
        return False
    value = _assigned_value(match, context)
    if value is None:
        return False
    if strength == "auth":
        return _basic_credentials(value)
    if strength == "key":  # a bare "key": only a long, generated, quoted literal
        return (
            match.group("qv") is not None
            and not context.fixtures
            and not reference(value)
            and generated(value, length=32, entropy=4.0)
        )
    return credential_like(value, context.fixtures)


def _assignment_kind(match: re.Match[str]) -> str:
    return "password" if _key_strength(match.group("key")) == "password" else "secret"


# -- URLs and command lines -----------------------------------------------------------

_DUMMY_HOST = re.compile(
    r"(?i)^(?:localhost|127(?:\.\d+){3}|0\.0\.0\.0|\[?::1\]?|"
    r"(?:[\w-]+\.)*(?:example|test|invalid|localhost)(?:\.[a-z]+)?)$"
)


def _credential_in_url(match: re.Match[str], context: FileContext) -> bool:
    """``scheme://user:password@host``: not a placeholder, not the user name again, and
    for a documentation host (localhost, example.com) or in tests only a generated one."""
    raw = match.group("secret")
    if reference(raw):
        return False
    value = unquote(raw)
    user = unquote(match.group("user") or "")
    if len(value) < 6 or value == user or reference(value) or placeholder(value):
        return False
    if context.fixtures or _DUMMY_HOST.match(match.group("host") or ""):
        return generated(value)
    return True


def _credential_value(match: re.Match[str], context: FileContext) -> bool:
    start, end = _value_span(match)
    return credential_like(match.string[start:end], context.fixtures)


def _authorization(match: re.Match[str], context: FileContext) -> bool:
    """``Authorization: Basic <base64 user:password>`` or ``Bearer <token>``."""
    value = match.group("secret")
    if match.group("scheme").lower() == "basic":
        return _basic_credentials(value) and (not context.fixtures or generated(value))
    return credential_like(value, context.fixtures)


def _named_secret(match: re.Match[str], context: FileContext) -> bool:
    """``<password>...</password>``, ``define('DB_PASSWORD', '...')``: the name (an
    element, a constant, a variable) names a secret and the value looks real."""
    if _key_strength(match.group("key")) not in ("password", "secret"):
        return False
    start, end = _value_span(match)
    return credential_like(match.string[start:end], context.fixtures)


def _spaced_setting(match: re.Match[str], context: FileContext) -> bool:
    """``requirepass S3cret``: a configuration line of a secret's name and its value."""
    return not context.quoted_only and _named_secret(match, context)


def _curl_user(match: re.Match[str], context: FileContext) -> bool:
    value = match.group("secret")
    if value == match.group("user") or len(value) < 6 or reference(value) or placeholder(value):
        return False
    return generated(value) if context.fixtures else True


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

_SECRET_NEEDLES = ("pass", "pwd", "pw", "secret", "token", "key", "auth")
_MYSQL = r"\bmysql(?:dump|admin)?\b"
_LOGIN = r"\b(?:docker|podman|buildah|skopeo|helm[ \t]+registry)[ \t]+login\b"

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
            r"(?i)aws_?secret(?:_?access)?_?key[\"']?\s*(?:[:=]|=>)\s*[\"']?"
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
        re.compile(
            r"://(?P<user>[^\s:/@\"'`]{0,64}):(?P<secret>[^\s:/@\"'`]+)@"
            r"(?P<host>[^\s/:?#\"'`<>\\]*)"
        ),
        ("://",),
        _credential_in_url,
    ),
    SecretPattern(
        "password",
        # Server=...;Password=...; (ADO.NET, JDBC, Azure connection strings)
        re.compile(
            r"(?i)(?<=[;\"'])[ \t]*(?:password|pwd|accountkey|sharedaccesskey)[ \t]*=[ \t]*"
            r"(?P<secret>[^;\"'\s<>(){}$%][^;\"'\s()]*)(?=[ \t]*;|[\"'])"
        ),
        ("password", "pwd", "accountkey", "sharedaccesskey"),
        _credential_value,
        ignore_case=True,
    ),
    SecretPattern(
        "password",
        # --password=..., --requirepass "...", --token ...
        re.compile(
            r"(?i)(?<![\w-])--?(?:requirepass|password|passwd|pass|token|api-key|apikey|secret"
            r"|auth-token|access-token|client-secret)(?:=|[ \t]+)"
            r"(?:(?P<q>[\"'])(?P<qv>[^\"'\n]+)(?P=q)|(?P<uv>[^\s\"'`;|&)$<{][^\s\"'`;|&)]*))"
        ),
        (
            "-pass",
            "-requirepass",
            "-token",
            "-api-key",
            "-apikey",
            "-secret",
            "-auth-token",
            "-access-token",
            "-client-secret",
        ),
        _credential_value,
        ignore_case=True,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # mysql -u root -pS3cret, docker login -u me -p S3cret. The scan for -p stops at
        # the next command of the same kind, which finds the same -p (retrying from
        # every "mysql" of a long line to its end took quadratic time)
        re.compile(
            rf"(?:{_MYSQL}(?:(?!{_MYSQL})[^\n])*?[ \t]-p"
            rf"|{_LOGIN}(?:(?!{_LOGIN})[^\n])*?[ \t]-p[ \t]+)"
            r"(?P<secret>[^\s\"'`$;|&<-][^\s\"'`;|&]*)"
        ),
        ("mysql", "login"),
        _credential_value,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # curl -u user:password
        re.compile(
            r"\bcurl\b(?:(?!\bcurl\b)[^\n])*?[ \t](?:-u|--user)[ \t=]*[\"']?(?P<user>[^\s:\"'$]+)"
            r":(?P<secret>[^\s\"'@]+)"
        ),
        ("curl",),
        _curl_user,
        by_line=True,
    ),
    SecretPattern(
        "secret",
        # Authorization: Bearer ...
        re.compile(
            r"(?i)authorization[\"']?(?:[ \t]*[:=][ \t]*|[ \t]+)[\"'`]?"
            r"(?P<scheme>bearer|basic|token)[ \t]+"
            r"(?P<secret>[A-Za-z0-9._~+/=-]{8,})"
        ),
        ("authorization",),
        _authorization,
        ignore_case=True,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # <password>...</password>
        re.compile(r"<(?P<key>[\w.:-]+)>(?P<secret>[^<>\n]+)</(?P=key)>"),
        ("pass", "secret", "token", "key"),
        _named_secret,
        ignore_case=True,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # define('DB_PASSWORD', '...'), os.Setenv("API_TOKEN", "..."), props.put("password", "...")
        re.compile(
            r"(?i)\b(?:define|setenv|putenv|set|put|setproperty|setdefault)[ \t]*\([ \t]*"
            r"[\"'](?P<key>[\w.-]+)[\"'][ \t]*,[ \t]*(?P<q>[\"'])(?P<qv>[^\"'\n]*)(?P=q)"
        ),
        _SECRET_NEEDLES,
        _named_secret,
        ignore_case=True,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # requirepass S3cret (redis.conf and other "name value" configuration lines)
        re.compile(r"(?m)^[ \t]*(?P<key>[A-Za-z_][\w.-]*)[ \t]+(?P<uv>[^\s\"'=:#][^\s]*)[ \t]*$"),
        _SECRET_NEEDLES,
        _spaced_setting,
        ignore_case=True,
        by_line=True,
    ),
    SecretPattern(
        "password",
        # DB_PASSWORD = "...", password: ..., export PGPASSWORD=..., "apiKey": "...",
        # API_TOKEN: ..., _authToken=...
        _ASSIGNMENT,
        _SECRET_NEEDLES,
        _secret_assignment,
        ignore_case=True,
        by_line=True,
        kind_of=_assignment_kind,
    ),
)


def redact(
    text: str,
    patterns: Sequence[Detector] = PATTERNS,
    *,
    path: str | None = None,
) -> tuple[str, list[Redaction]]:
    """Replace every high-confidence secret in ``text`` with ``[REDACTED <kind>]``.

    ``path`` (relative to the repository) tells what kind of file this is: in code only
    string literals count, and in tests, fixtures, documentation and templates only values
    that look generated (``user:password123@example.org`` there is left alone). Without a
    path every file is judged as configuration.

    Line structure is kept: a secret spanning lines (a private key block) becomes one
    marker followed by as many newlines as it had, so line numbers still point at the
    same code. Returns the new text and where each secret was, in order.
    """
    lowered = text.lower()
    context = FileContext.for_path(path)
    spans = [span for pattern in patterns for span in pattern.finds(text, lowered, context)]
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
