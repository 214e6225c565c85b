"""Secret detection: credential files by name, high-confidence secrets in text.

Every planted secret is assembled at run time, so this file itself holds none.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from atlas_core.secrets import redact, secret_file_reason

# -- planted secrets, built from parts ------------------------------------------------

B64 = base64.b64encode(bytes(range(256)) * 2).decode()
KEY_LINES = [B64[i : i + 64] for i in range(0, 640, 64)]
PEM = "\n".join(
    ["-----BEGIN RSA " + "PRIVATE KEY-----", *KEY_LINES, "-----END RSA " + "PRIVATE KEY-----"]
)

SECRETS = {
    "aws-access-key-id": "AKIA" + "Q3EXZ7TJ2MVB4NHA",
    "github-token": "gh" + "p_" + "x9Kq2Lm7Zt" * 3 + "Ab3dE5",
    "gitlab-token": "glp" + "at-" + "Zq8xWmm22LLpaRt5Yb1c",
    "slack-token": "xo" + "xb-" + "1234567890-abcdefghijKLMN",
    "stripe-secret-key": "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "anthropic-api-key": "sk-" + "ant-api03-" + "Qx7_" * 10,
    "openai-api-key": "sk-" + "proj-" + "Zx81LmQ0" * 6,
    "google-api-key": "AI" + "za" + "SyD8Qx2Lm0Zt9Wv4Kp7Rj3Nb6Hc1Fy5Ge8x",
    "npm-token": "np" + "m_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "jwt": "ey" + "JhbGciOiJIUzI1NiJ9.ey" + "JzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_each_kind_of_token_is_redacted_with_its_line(kind: str) -> None:
    secret = SECRETS[kind]
    text = f"import os\n\n# set up\nVALUE = '{secret}'\nprint(VALUE)\n"
    out, found = redact(text)
    assert secret not in out
    assert f"[REDACTED {kind}]" in out
    assert [(r.line, r.kind) for r in found] == [(4, kind)]
    assert out.count("\n") == text.count("\n")


def test_aws_secret_key_is_redacted_only_in_an_assignment() -> None:
    value = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzAbCdEfGhI"
    out, found = redact(f'aws_secret_access_key = "{value}"\nchecksum = "{value}"\n')
    assert out.splitlines()[0] == 'aws_secret_access_key = "[REDACTED aws-secret-access-key]"'
    assert value in out.splitlines()[1]  # 40 base64 characters alone prove nothing
    assert [r.kind for r in found] == ["aws-secret-access-key"]


@pytest.mark.parametrize(
    "wrap",
    [
        lambda pem: f"header\n{pem}\nfooter\n",  # a key file pasted into code
        lambda pem: '{"private_key": "' + pem.replace("\n", "\\n") + '\\n"}\n',  # JSON
        lambda pem: "KEY = (\n"
        + "".join(f'    "{line}\\n"\n' for line in pem.splitlines())
        + ")\n",  # string concatenation
    ],
)
def test_private_key_blocks_are_redacted_whole_keeping_line_numbers(wrap: object) -> None:
    text = wrap(PEM)  # type: ignore[operator]
    out, found = redact(text)
    assert not any(line in out for line in KEY_LINES)
    assert "PRIVATE KEY" not in out.replace("[REDACTED private-key]", "")
    assert [r.kind for r in found] == ["private-key"]
    assert out.count("\n") == text.count("\n")


def test_code_that_only_mentions_secrets_is_left_alone() -> None:
    code = "\n".join(
        [
            'PEM_HEADERS = ["-----BEGIN RSA ' + 'PRIVATE KEY-----",',
            '               "-----BEGIN EC ' + 'PRIVATE KEY-----"]',
            'if line.startswith("-----BEGIN ' + 'PRIVATE KEY-----"):',
            "    password = os.environ['DB_PASSWORD']",
            '    password = "changeme-please"',
            '    api_key = "YOUR_API_KEY_HERE_1234"',
            '    url = "postgres://user:password@localhost:5432/app"',
            '    dsn = "redis://:${REDIS_PASSWORD}@cache:6379"',
            '    token = "sk-short"',
            "    self.secret_key = secret_key",
        ]
    )
    out, found = redact(code)
    assert found == [] and out == code


def test_generated_passwords_and_url_credentials_are_redacted() -> None:
    text = (
        'DB_PASSWORD = "Zx8#kq2!Lm9pQw3$"\n'
        'DATABASE_URL = "postgres://app:S3cr3tPassw0rd!x@db.internal:5432/app"\n'
    )
    out, found = redact(text)
    assert "Zx8#kq2!Lm9pQw3$" not in out and "S3cr3tPassw0rd!x" not in out
    assert 'DB_PASSWORD = "[REDACTED password]"' in out
    assert "postgres://app:[REDACTED url-password]@db.internal" in out
    assert [(r.line, r.kind) for r in found] == [(1, "password"), (2, "url-password")]


def test_atlas_own_source_has_no_false_positives() -> None:
    source = Path(__file__).resolve().parents[1] / "atlas_core"
    for path in sorted(source.rglob("*.py")):
        found = redact(path.read_text(encoding="utf-8"))[1]
        assert found == [], f"{path}: {found}"


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (".env", True),
        ("config/.env.production", True),
        ("deploy/prod.env", True),
        (".env.example", False),
        ("certs/server.pem", True),
        ("tls/server.key", True),
        ("home/.ssh/id_rsa", True),
        ("home/.ssh/id_ed25519", True),
        ("home/.ssh/id_rsa.pub", False),
        ("android/release.jks", True),
        ("android/debug.keystore", True),
        ("certs/client.p12", True),
        ("certs/client.pfx", True),
        ("aws/credentials", True),
        ("gcp/credentials.json", True),
        ("gcp/my-service-account-prod.json", True),
        (".netrc", True),
        (".npmrc", True),
        (".pypirc", True),
        ("passwords.kdbx", True),
        ("infra/terraform.tfstate", True),
        ("src/credentials.py", False),
        ("src/keys.py", False),
        ("docs/environment.md", False),
        ("README.md", False),
    ],
)
def test_credential_files_are_known_by_name(path: str, secret: bool) -> None:
    assert (secret_file_reason(path) is not None) is secret
