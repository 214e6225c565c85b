; inherits: ocaml_interface
; OCaml implementations: module-level `let` bindings (a function when it takes parameters or
; is bound to `fun`/`function`, otherwise a constant; `let ()` and `let _` are skipped) and
; `include`; types, modules, `val`s, opens and nested structures come from
; ocaml_interface.scm. Local `let ... in` bindings are not symbols.
;
; .mli files are classified as `ocaml` and so parsed with the implementation grammar, which
; does not accept a top-level `val` (there only types, modules and opens are found); the
; `ocaml_interface` grammar parses them, and ocaml_interface.scm is its query.

(compilation_unit (value_definition (let_binding
  pattern: [(value_name) @name (parenthesized_operator (_) @name)]
  (parameter)) @definition.function))
((compilation_unit (value_definition (let_binding
  pattern: [(value_name) @name (parenthesized_operator (_) @name)]
  . [":" "="]
  body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((compilation_unit (value_definition (let_binding
  pattern: (value_name) @name
  . [":" "="]
  body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b")
  (#not-eq? @name "_"))

(compilation_unit (include_module module: (module_path) @import.name) @import)
