"""Secret detection: credential files by name, high-confidence secrets in text.

Every planted secret is assembled at run time, so this file itself holds none.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from atlas_core.output.secrets import redact, secret_file_reason

ROOT = Path(__file__).resolve().parents[1]

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
        lambda pem: (
            "KEY = (\n" + "".join(f'    "{line}\\n"\n' for line in pem.splitlines()) + ")\n"
        ),  # string concatenation
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
        (".envrc", True),
        ("infra/prod.tfvars", True),
        ("deploy/docker-compose.yml", False),
        ("config/application.properties", False),
        ("src/credentials.py", False),
        ("src/keys.py", False),
        ("docs/environment.md", False),
        ("README.md", False),
    ],
)
def test_credential_files_are_known_by_name(path: str, secret: bool) -> None:
    assert (secret_file_reason(path) is not None) is secret


# -- the labelled corpus --------------------------------------------------------------


def _secrets_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "secrets_eval", ROOT / "scripts" / "secrets_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_corpus_precision_and_recall() -> None:
    tool = _secrets_eval()
    docs = tool.load_corpus(tool.DEFAULT_CORPUS)
    kinds = {Path(d.path).suffix or Path(d.path).name for d in docs}
    assert len(kinds) >= 10, kinds  # several kinds of file
    result = tool.score(docs)
    assert result.high >= 60 and result.non_leaks >= 60
    assert result.high_recall == 1.0, result.misses
    assert result.precision >= 0.95, result.false_positives
    assert result.recall >= 0.9, result.misses


def test_corpus_markup_is_removed_and_labels_land_on_their_lines(tmp_path: Path) -> None:
    tool = _secrets_eval()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "app.yaml.in").write_text(
        "db:\n  password: Xq7vLm2pR9tz ⟦leak⟧\n  token: ${TOKEN} ⟦ok⟧\nkey: gh⟦⟧p_\n"
    )
    [doc] = tool.load_corpus(tmp_path)
    assert doc.path == "config/app.yaml"
    assert doc.text == "db:\n  password: Xq7vLm2pR9tz\n  token: ${TOKEN}\nkey: ghp_\n"
    assert doc.labels == {2: "leak", 3: "ok"}
    result = tool.score([doc])
    assert (result.tp, result.fn, result.fp, result.tn) == (1, 0, 0, 1)


def test_eval_script_counts_false_positives_over_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _secrets_eval()
    (tmp_path / "app.py").write_text('DB_PASSWORD = "Zx8#kq2!Lm9pQw3$"\nuser = "bob"\n')
    (tmp_path / ".env").write_text("TOKEN=" + SECRETS["github-token"] + "\n")
    assert tool.main(["--repo", str(tmp_path), "-v"]) == 0
    out = capsys.readouterr().out
    assert "app.py:1: [password]" in out
    assert "1 false positives in 1 of 1 files" in out
    assert "(1 credential files skipped by name)" in out
    assert tool.main([]) == 0
    assert capsys.readouterr().out.startswith("precision 1.000, recall ")


# -- the kinds of leak from issue 9, and their look-alikes -------------------------------

PW = "Xq7vLm" + "2pR9tz"
APP_PASSWORD = "hckf " + "xmlz odun tupa"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("config/settings.yaml", f"db:\n  password: {PW}\n"),
        ("deploy/docker-compose.yml", f"    environment:\n      POSTGRES_PASSWORD: {PW}\n"),
        ("deploy/docker-compose.yml", f"    environment:\n      - MYSQL_PASSWORD={PW}\n"),
        (".envrc", f"export X_PASSWORD={PW}\n"),
        (".envrc", f'export SMTP_PASSWORD="{APP_PASSWORD}"\n'),
        ("app/settings.py", f'EMAIL_HOST_PASSWORD = "{APP_PASSWORD}"\n'),
        ("config/application.properties", f"spring.mail.password={APP_PASSWORD}\n"),
        ("config/application.properties", f"spring.datasource.password={PW}\n"),
        (".pypirc", f"[internal]\npassword = {PW}\n"),
        (".npmrc", "//host/:_auth=" + base64.b64encode(f"ci:{PW}".encode()).decode() + "\n"),
        ("config/app.ini", f"[smtp]\npassword = {PW}\n"),
        ("Dockerfile", f"ENV DB_PASSWORD={PW}\n"),
        ("config/appsettings.json", f'{{"Db": "Server=db1;User Id=sa;Password={PW};"}}\n'),
        ("pom.xml", f"<server>\n  <password>{PW}</password>\n"),
        ("scripts/deploy.sh", f"PGPASSWORD={PW} psql -h db.prod\n"),
        ("config/redis.conf", f"requirepass {PW}\n"),
        ("src/db.go", f'const dbPassword = "{PW}"\n'),
        ("app/db.py", f'engine = create_engine("postgresql://svc:{PW}@db.internal/app")\n'),
        ("tests/test_live.py", f'DB = "postgresql://ci:{PW}#x@staging.acme-corp.net/app"\n'),
    ],
)
def test_credentials_given_to_a_secret_name_are_redacted(path: str, text: str) -> None:
    out, found = redact(text, path=path)
    assert PW not in out and APP_PASSWORD not in out, out
    assert len(found) == 1, found
    assert out.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("deploy/docker-compose.yml", "      POSTGRES_PASSWORD: postgres"),
        ("deploy/docker-compose.yml", "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}"),
        ("deploy/docker-compose.yml", "      REDIS_PASSWORD: ${REDIS_PASSWORD:-changeme}"),
        ("deploy/docker-compose.yml", "      DATABASE_URL: postgres://app:app@db:5432/app"),
        (".envrc", "export API_TOKEN=$API_TOKEN"),
        (".envrc", "export GITHUB_TOKEN=$(gh auth token)"),
        ("config/settings.yaml", "  password: <your password>"),
        ("config/settings.yaml", "  token: xxxxxxxxxxxxxxxx"),
        ("config/settings.yaml", '  password: "{{ vault_db_password }}"'),
        ("config/app.ini", "password = %(DB_PASSWORD)s"),
        ("config/application.properties", "app.password-min-length=12"),
        ("docs/setup.md", "DATABASE_URL=postgres://user:password123@localhost/app"),
        ("docs/setup.md", "SMTP_PASSWORD=abcd efgh ijkl mnop"),
        ("README.md", "curl -u admin:admin http://localhost:8080/"),
        ("app/client.py", 'url = "https://user:password123@example.org/"'),
        ("app/client.py", "password = os.environ['DB_PASSWORD']"),
        ("app/client.py", 'password = click.prompt("Password", hide_input=True)'),
        ("app/client.py", 'secret_key = "my-super-secret-key"'),
        ("tests/test_auth.py", 'client.login(username="bob", password="Sup3rS3cret!")'),
        ("tests/test_auth.py", '"https://username%40gmail.com:pa%20ssword@example.com",'),
        ("tests/test_url.py", '"http://%25DOMAIN:foobar@foodomain.com/",'),
        ("tests/test_headers.py", '"authorization": "Basic dXNlcm5hbWU6cGFzc3dvcmQ=",'),
        ("config/.env.example", "STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxx"),
    ],
)
def test_placeholders_references_and_fixtures_are_left_alone(path: str, line: str) -> None:
    assert redact(line + "\n", path=path) == (line + "\n", [])


def test_unquoted_values_are_code_in_code_and_literals_in_configuration() -> None:
    line = f"password = {PW}\n"
    assert redact(line, path="app/settings.py")[1] == []  # a Python name, not a password
    # an F# or OCaml signature names a type, not a value
    assert redact(f"val password : {PW}\n", path="src/Auth.fsi")[1] == []
    assert redact(f"val password : {PW}\n", path="lib/auth.mli")[1] == []
    # in these a bare word is a name too (Groovy, Starlark, PowerShell, Vim script, awk, Nix,
    # SQL, justfiles); in a shell script or a Makefile it is the value itself
    for path in ("build.gradle", "defs.bzl", "a.ps1", "a.vim", "a.awk", "default.nix", "q.sql"):
        assert redact(line, path=path)[1] == [], path
    for path in ("deploy.sh", "Makefile"):
        assert [r.kind for r in redact(line, path=path)[1]] == ["password"], path
    assert [r.kind for r in redact(line, path="config/app.ini")[1]] == ["password"]
    assert [r.kind for r in redact(line)[1]] == ["password"]  # no path: the strictest


def test_a_generated_value_is_still_redacted_in_tests_and_docs() -> None:
    # tests and documentation are full of made-up credentials, but not of this
    for path in ("tests/test_db.py", "docs/deploy.md"):
        text = 'password = "Pq9#xLm2vWz7kR"\nADMIN_TOKEN = "' + SECRETS["github-token"] + '"\n'
        out, found = redact(text, path=path)
        assert "Pq9#xLm2vWz7kR" not in out and SECRETS["github-token"] not in out
        assert [r.line for r in found] == [1, 2]
