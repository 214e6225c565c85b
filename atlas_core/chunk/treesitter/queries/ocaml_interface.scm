; OCaml interfaces (.mli, the pack's `ocaml_interface` grammar) and the part of OCaml
; shared with implementations (ocaml.scm inherits it): `val` specifications (functions when
; their type is a function type, otherwise constants), `external`s, types and exceptions,
; modules and module types (definitions inside are qualified by them), classes and methods,
; the `let` bindings of nested structures, `open`/`include` as imports.

(value_specification (value_name) @name
  type: [(function_type) (polymorphic_type (function_type))]) @definition.function
(value_specification (value_name) @name
  type: [(type_constructor_path) (constructed_type) (tuple_type) (parenthesized_type)
         (polymorphic_variant_type) (object_type) (package_type) (type_variable)
         (hash_type) (local_open_type) (aliased_type)]) @definition.constant
(external (value_name) @name) @definition.function

(type_binding name: (type_constructor) @name) @definition.type
(exception_definition (constructor_declaration (constructor_name) @name)) @definition.type

(module_binding (module_name) @name) @definition.module
(module_type_definition (module_type_name) @name) @definition.interface

(class_binding (class_name) @name) @definition.class
(method_definition (method_name) @name) @definition.method

; `let` in a `struct ... end`: a function when it takes parameters or is bound to
; `fun`/`function` (both start with their keyword), otherwise a constant; `let _` is skipped
(structure (value_definition (let_binding
  pattern: [(value_name) @name (parenthesized_operator (_) @name)]
  (parameter)) @definition.function))
((structure (value_definition (let_binding
  pattern: [(value_name) @name (parenthesized_operator (_) @name)]
  . [":" "="]
  body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((structure (value_definition (let_binding
  pattern: (value_name) @name
  . [":" "="]
  body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b")
  (#not-eq? @name "_"))

(compilation_unit (open_module module: (module_path) @import.name) @import)
(structure (open_module module: (module_path) @import.name) @import)
(signature (open_module module: (module_path) @import.name) @import)
(structure (include_module module: (module_path) @import.name) @import)
