; Starlark (Bazel, Buck): functions (rules' implementations, macros), module-level values
; (rules, constants), each target a BUILD file declares, the .bzl module docstring, loads.

(module . (comment)* . (expression_statement (string) @doc))

(function_definition name: (identifier) @name) @definition.function

; ``my_rule = rule(...)``: a rule kind, named where it is assigned
(module (expression_statement
  (assignment
    left: (identifier) @name
    right: (call function: (identifier) @_callee)) @definition.rule)
  (#any-of? @_callee "rule" "repository_rule"))
; ``my_macro = macro(...)``: a symbolic macro (Bazel 8)
(module (expression_statement
  (assignment
    left: (identifier) @name
    right: (call function: (identifier) @_callee)) @definition.macro)
  (#eq? @_callee "macro"))
; every other module-level name (Starlark freezes them when the file is loaded), but for
; MODULE.bazel's proxies of an extension or a repository rule
(module (expression_statement
  (assignment left: (identifier) @name right: (_) @_value) @definition.constant)
  (#not-match? @_value "^(rule|repository_rule|macro|use_extension|use_repo_rule)[ \t]*\\("))

; a target: ``cc_library(name = "foo", ...)`` at the top of a BUILD file; in a WORKSPACE or
; MODULE.bazel file, the repository or module it names (``http_archive(name = "zlib")``)
(module (expression_statement
  (call
    arguments: (argument_list
      (keyword_argument
        name: (identifier) @_key
        value: (string (string_content) @name)))) @definition.target)
  (#eq? @_key "name"))

; load("//pkg:defs.bzl", "sym"), and the .bzl files a MODULE.bazel takes extensions and
; repository rules from (``ext = use_extension("//:ext.bzl", "ext")``)
(call
  function: (identifier) @_callee
  arguments: (argument_list . (string (string_content) @import.name))
  (#any-of? @_callee "load" "use_extension" "use_repo_rule")) @import
