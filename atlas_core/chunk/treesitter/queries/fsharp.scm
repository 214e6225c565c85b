; F#: namespaces and modules (definitions inside are qualified by them), `let` functions and
; values at module level (a function when it takes arguments or is bound to `fun`/`function`,
; otherwise a constant; local `let`s are not symbols), types (records are structs, unions are
; enums, the others classes; abbreviations are types) with their members (methods when they
; take arguments, abstract ones included; properties otherwise), exceptions, `open` imports
; and the scripts `#load` runs.

(namespace name: (long_identifier) @name) @definition.namespace
(named_module name: (long_identifier) @name) @definition.module
(module_defn (identifier) @name) @definition.module

; module-level only: a `let` inside a function body is a local
(file (declaration_expression
  (function_or_value_defn (function_declaration_left (identifier) @name)) @definition.function))
((file (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((file (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b"))
(namespace (declaration_expression
  (function_or_value_defn (function_declaration_left (identifier) @name)) @definition.function))
((namespace (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((namespace (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b"))
(named_module (declaration_expression
  (function_or_value_defn (function_declaration_left (identifier) @name)) @definition.function))
((named_module (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((named_module (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b"))
(module_defn (declaration_expression
  (function_or_value_defn (function_declaration_left (identifier) @name)) @definition.function))
((module_defn (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.function))
  (#match? @_body "^(fun|function)\\b"))
((module_defn (declaration_expression (function_or_value_defn
    (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name)))
    body: (_) @_body) @definition.constant))
  (#not-match? @_body "^(fun|function)\\b"))

(type_definition (record_type_defn (type_name type_name: (identifier) @name))) @definition.struct
; `type Money = decimal` parses as a union of one case: without a `|` it counts as a type
((type_definition (union_type_defn (type_name type_name: (identifier) @name)
  block: (union_type_cases) @_cases)) @definition.enum
  (#match? @_cases "[|]"))
((type_definition (union_type_defn (type_name type_name: (identifier) @name)
  block: (union_type_cases) @_cases)) @definition.type
  (#not-match? @_cases "[|]"))
(type_definition (anon_type_defn (type_name type_name: (identifier) @name))) @definition.class
(type_definition (type_abbrev_defn (type_name type_name: (identifier) @name))) @definition.type
(exception_definition exception_name: (long_identifier) @name) @definition.type

(member_defn (method_or_prop_defn
  name: (property_or_ident [(identifier) @name method: (identifier) @name] .)
  args: (_))) @definition.method
(member_defn (method_or_prop_defn
  name: (property_or_ident [(identifier) @name method: (identifier) @name] .)
  !args)) @definition.property
(member_defn (member_signature (identifier) @name)) @definition.method
(member_defn "val" (property_or_ident (identifier) @name)) @definition.property

(import_decl (long_identifier) @import.name) @import
; `#load "lib/helpers.fsx"` in a script: the file it runs first, relative to the script
(fsi_directive_decl "#load" (string) @import.name) @import
