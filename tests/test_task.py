"""Reading bug reports: boilerplate out, references to files, frames, symbols and errors in."""

from __future__ import annotations

from atlas_core.rank.task import called_names, parse_task
from atlas_core.terms import tokenize

REPORT = """\
<!-- Please fill in the template below. Thanks for contributing! -->
### Describe the bug
Calling `Session.send()` with a prepared request loses the proxy; see requests/sessions.py.

### Steps to reproduce
```python
import requests
s = requests.Session()
s.send(prepared_request, allow_redirects=False)
```

```
Traceback (most recent call last):
  File "/usr/lib/python3/site-packages/requests/sessions.py", line 645, in send
    r = adapter.send(request, **kwargs)
  File "/usr/lib/python3/site-packages/requests/adapters.py", line 501, in send
    raise ProxyError(e, request=request)
requests.exceptions.ProxyError: Cannot connect to proxy 'http://localhost:3128'
```

### Expected behavior
The proxy from sphinx.ext.autodoc is used.

### Environment
- OS: Ubuntu 22.04
- Python version: 3.11.4
requests==2.31.0
urllib3 2.0.7
- [x] I searched the existing issues
"""


def test_boilerplate_does_not_become_query_terms() -> None:
    terms = set(tokenize(parse_task(REPORT).text))
    for word in (
        "template",
        "contributing",
        "reproduce",
        "expected",
        "behavior",
        "ubuntu",
        "environment",
        "urllib3",
        "searched",
        "site",
        "lib",
    ):
        assert word not in terms, word
    for word in ("session", "send", "proxy", "prepared", "adapter", "redirect"):
        assert word in terms, word


def test_paths_frames_and_modules() -> None:
    parsed = parse_task(REPORT)
    assert "requests/sessions.py" in parsed.paths
    # innermost frame last; the site-packages prefix is kept for suffix matching
    assert parsed.frames[-1].endswith("requests/adapters.py")
    assert parsed.frames[0].endswith("requests/sessions.py")
    assert "sphinx.ext.autodoc" in parsed.modules
    assert "requests.exceptions.ProxyError" not in parsed.paths


def test_identifiers_and_messages() -> None:
    parsed = parse_task(REPORT)
    for name in ("Session", "send", "prepared_request", "allow_redirects"):
        assert name in parsed.identifiers, name
    assert "the" not in parsed.identifiers
    assert parsed.messages == ("Cannot connect to proxy 'http://localhost:3128'",)


def test_javascript_frames_and_plain_paths() -> None:
    parsed = parse_task(
        "TypeError: cannot read properties of undefined\n"
        "    at AxiosHeaders.set (lib/core/AxiosHeaders.js:112:5)\n"
        "    at Object.<anonymous> (/home/u/app/index.js:3:9)\n"
        "It fails in ./lib/adapters/http.js:40 too."
    )
    # V8 prints the innermost frame first; frames are kept innermost last, as Python's
    assert parsed.frames == ("home/u/app/index.js", "lib/core/AxiosHeaders.js")
    assert "lib/adapters/http.js" in parsed.paths
    assert "AxiosHeaders" in parsed.identifiers
    assert parsed.messages == ("cannot read properties of undefined",)


def test_jvm_frames_name_their_package_directories() -> None:
    parsed = parse_task(
        "java.lang.NullPointerException: name is null\n"
        "\tat com.google.gson.internal.bind.TypeAdapters$16.write(TypeAdapters.java:452)\n"
        "\tat app//com.google.gson.Gson.toJson(Gson.java:735)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:829)\n"
        "\n"
        "Caused by: x\n"
        "\tat okhttp3.internal.http.RetryAndFollowUpInterceptor.intercept(RetryAndFollowUp"
        "Interceptor.kt:88)\n"
    )
    assert parsed.frames == (
        "java/lang/Thread.java",
        "com/google/gson/Gson.java",
        "com/google/gson/internal/bind/TypeAdapters.java",
        "okhttp3/internal/http/RetryAndFollowUpInterceptor.kt",
    )
    assert parsed.paths == ()
    # a frame's line is reduced to its class and method, the package words left out
    assert "TypeAdapters write" in parsed.text and "google" not in tokenize(parsed.text)
    assert {"TypeAdapters", "toJson", "RetryAndFollowUpInterceptor"} <= set(parsed.identifiers)


def test_dotnet_frames_and_windows_paths() -> None:
    parsed = parse_task(
        "System.ArgumentException: bad\n"
        "   at Newtonsoft.Json.Linq.JToken.ToObject(Type objectType) in "
        "C:\\dev\\Src\\Newtonsoft.Json\\Linq\\JToken.cs:line 1987\n"
        "   at App.Program.Main(String[] args) in /home/u/App/Program.cs:line 3\n"
        "\n"
        "The model is in C:\\src\\app\\Models\\User.php, see also lib\\util.ts.\n"
    )
    assert parsed.frames == ("home/u/App/Program.cs", "dev/Src/Newtonsoft.Json/Linq/JToken.cs")
    assert parsed.paths == ("src/app/Models/User.php", "lib/util.ts")
    assert {"JToken", "ToObject", "Program", "Main"} <= set(parsed.identifiers)


def test_a_rust_backtrace_is_read_innermost_last() -> None:
    parsed = parse_task(
        "thread 'main' panicked at src/walk.rs:123:9:\n"
        "stack backtrace:\n"
        "   0: fd::walk::spawn_senders\n"
        "             at ./src/walk.rs:123:9\n"
        "   1: fd::main\n"
        "             at ./src/main.rs:40:5\n"
    )
    assert parsed.frames == ("src/main.rs", "src/walk.rs")
    assert parsed.paths == ("src/walk.rs",)


def test_go_ruby_php_and_elixir_frames() -> None:
    go = parse_task(
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "\n"
        "goroutine 1 [running]:\n"
        "main.(*Server).handle(0xc000010000)\n"
        "\t/home/u/app/server.go:42 +0x1d\n"
        "main.main()\n"
        "\t/home/u/app/main.go:12 +0x25\n"
    )
    assert go.frames == ("home/u/app/main.go", "home/u/app/server.go")
    ruby = parse_task(
        "NoMethodError: undefined method `foo' for nil\n"
        "  /app/lib/jekyll/site.rb:45:in `block in process'\n"
        "  from lib/jekyll/commands/build.rb:12:in 'Jekyll::Build#build'\n"
    )
    assert ruby.frames == ("lib/jekyll/commands/build.rb", "app/lib/jekyll/site.rb")
    assert {"process", "Build", "build"} <= set(ruby.identifiers)
    php = parse_task(
        "PHP Fatal error:  Uncaught TypeError: bad\n"
        "#0 /var/www/src/Handler/CurlFactory.php(45): GuzzleHttp\\Client->send()\n"
        "#1 /var/www/src/Client.php(12): GuzzleHttp\\Handler\\CurlFactory::create()\n"
        "#2 {main}\n"
    )
    assert php.frames == ("var/www/src/Client.php", "var/www/src/Handler/CurlFactory.php")
    assert {"Client", "send", "CurlFactory", "create"} <= set(php.identifiers)
    elixir = parse_task(
        "** (FunctionClauseError) no function clause matching\n"
        "    (plug 1.14.0) lib/plug/conn.ex:402: Plug.Conn.put_status(...)\n"
        "    lib/my_app/web.ex:5: MyApp.Web.call/2\n"
    )
    assert elixir.frames == ("lib/my_app/web.ex", "lib/plug/conn.ex")
    assert {"Conn", "put_status", "Web", "call"} <= set(elixir.identifiers)


def test_a_short_task_is_left_alone() -> None:
    parsed = parse_task("add retry with backoff to the http client")
    assert parsed.text == "add retry with backoff to the http client"
    assert parsed.paths == parsed.frames == parsed.modules == parsed.messages == ()


def test_imports_of_example_code_are_weaker_than_named_modules() -> None:
    parsed = parse_task(
        "The bug is in pkg.core.function, not in the helper.\n"
        "```\n>>> from pkg.utilities.lambdify import implemented_function\n"
        ">>> Function._eval_evalf(x)\n```\n"
    )
    assert parsed.modules == ("pkg.core.function",)
    assert parsed.imported == ("pkg.utilities.lambdify",)
    assert ("Function", "_eval_evalf") in parsed.qualified


def test_prose_words_leave_out_code_blocks_and_sessions() -> None:
    parsed = parse_task(
        "cse() is wrong for `MatrixSymbol`\n```python\nx = symbols('x')\n```\n"
        ">>> Rational(1, 2)\nIn [3]: Integer(3)\n"
    )
    assert {"cse", "MatrixSymbol", "wrong"} <= parsed.prose
    assert not {"symbols", "Rational", "Integer"} & parsed.prose


def test_called_names() -> None:
    code = "def f(x):\n    y = dup_sqf_list(x)\n    return obj.strip_zero(y) + len(y) + go(1)\n"
    assert called_names(code) == ["dup_sqf_list", "strip_zero", "len"]  # not `go`: short


def test_names_led_by_an_acronym_and_capitalised_keywords_are_identifiers() -> None:
    parsed = parse_task(
        "Mod(x**2, x) is not 0\nadding these lines to MCodePrinter and HTTPAdapter fixes it;"
        " the URLs and APIs are fine, mod and function are words"
    )
    for name in ("Mod", "MCodePrinter", "HTTPAdapter"):
        assert name in parsed.identifiers, name
    for word in ("URLs", "APIs", "mod", "function"):
        assert word not in parsed.identifiers, word


def test_code_lines_that_may_be_quoted_from_a_file() -> None:
    parsed = parse_task(
        "Mod is wrong\n```\nif (p == q or p == -q or\n>>> Mod(x**2, x)\nIn [3]: Mod(x**2, x) + 1\n"
        "x = 1\n    p.is_integer and q == 1):\n```\nprose line that is long enough here\n"
    )
    assert parsed.code_lines == ("p.is_integer and q == 1):", "if (p == q or p == -q or")


def test_a_release_title_names_the_version() -> None:
    """ "Prepare 5.8.0" sets the version the code defines: the names it goes by become
    identifiers; a title that only mentions a release does not."""
    for title in ("Prepare 5.8.0", "Release v1.2.3-rc.1", "chore(main): release 11.16.2"):
        assert {"version", "VERSION", "__version__"} <= set(parse_task(title).identifiers)
    for title in ("Fix a crash in the 5.8.0 release notes", "bump deps", "Prepare the release"):
        assert "version" not in parse_task(title).identifiers


def test_a_task_is_parsed_once_per_query() -> None:
    """The engine, the mentions signal and BM25F's phrases all read the parsed task: a long
    bug report must not be parsed once for each of them."""
    report = "Crash in `Session.send`\n\n```\nTraceback (most recent call last):\n```\n" * 50
    assert parse_task(report) is parse_task(report)


def test_qualified_names_as_rust_ruby_and_php_write_them() -> None:
    parsed = parse_task(
        "Add `Arg::conflicts_with` and fix Jekyll::Site#process; $client->sendAll()"
    )
    assert {("Arg", "conflicts_with"), ("Site", "process"), ("client", "sendAll")} <= set(
        parsed.qualified
    )
    assert {"Arg", "conflicts_with", "Jekyll", "Site", "process", "sendAll"} <= set(
        parsed.identifiers
    )
    # an issue number and C# are no qualified names
    assert parse_task("see issue #123 about C# code").qualified == ()
