; Julia: modules (definitions inside are qualified by them) and the docstring just above
; one, functions (`function f(x)`, `f(x) = ...` at module level; `function Base.show` is
; qualified by `Base`), macros, structs and mutable structs, abstract and primitive types,
; module-level `const`s, `using`/`import` imports and `include("file.jl")` (relative).

((string_literal) @doc . (module_definition) @doc.before)
(module_definition name: (identifier) @name) @definition.module

(function_definition (signature (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))) @definition.function
(function_definition (signature (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])))) @definition.function
(function_definition (signature (where_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])))) @definition.function
(function_definition (signature (where_expression . (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))))) @definition.function
(function_definition (signature (identifier) @name)) @definition.function
(macro_definition (signature (call_expression . (identifier) @name))) @definition.macro

; short-form functions at module level (one inside a function body is a local)
(source_file (assignment . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])) @definition.function)
(source_file (assignment . (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))) @definition.function)
(source_file (assignment . (where_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))) @definition.function)
(source_file (assignment . (where_expression . (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])))) @definition.function)
(module_definition (block (assignment . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])) @definition.function))
(module_definition (block (assignment . (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))) @definition.function))
(module_definition (block (assignment . (where_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)]))) @definition.function))
(module_definition (block (assignment . (where_expression . (typed_expression . (call_expression
  . [(identifier) @name (field_expression value: (_) @qualifier (identifier) @name .)])))) @definition.function))

(struct_definition (type_head [
  (identifier) @name
  (parametrized_type_expression . (identifier) @name)
  (binary_expression . [(identifier) @name (parametrized_type_expression . (identifier) @name)])
])) @definition.struct
(abstract_definition (type_head [
  (identifier) @name
  (parametrized_type_expression . (identifier) @name)
  (binary_expression . [(identifier) @name (parametrized_type_expression . (identifier) @name)])
])) @definition.type
(primitive_definition (type_head [
  (identifier) @name
  (binary_expression . (identifier) @name)
])) @definition.type

(source_file (const_statement [
  (assignment . [(identifier) @name (typed_expression . (identifier) @name)])
  (global_statement (assignment . [(identifier) @name (typed_expression . (identifier) @name)]))
]) @definition.constant)
(module_definition (block (const_statement [
  (assignment . [(identifier) @name (typed_expression . (identifier) @name)])
  (global_statement (assignment . [(identifier) @name (typed_expression . (identifier) @name)]))
]) @definition.constant))

(using_statement [
  (identifier) @import.name
  (import_path) @import.name
  (selected_import . [(identifier) (import_path)] @import.name)
  (import_alias . [(identifier) (import_path)] @import.name)]) @import
(import_statement [
  (identifier) @import.name
  (import_path) @import.name
  (selected_import . [(identifier) (import_path)] @import.name)
  (import_alias . [(identifier) (import_path)] @import.name)]) @import
((call_expression . (identifier) @_include
  (argument_list . (string_literal (content) @import.relative) .))
  (#eq? @_include "include")) @import
