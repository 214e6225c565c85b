; Elm: the module declaration and its doc comment, type aliases, custom types, functions
; and values at the top level (an annotation and its definition are merged into one chunk),
; ports, imports.

((module_declaration) . (block_comment) @doc (#match? @doc "^\\{-\\|"))

(module_declaration name: (upper_case_qid) @name) @definition.module

(type_alias_declaration name: (upper_case_identifier) @name) @definition.type
(type_declaration name: (upper_case_identifier) @name) @definition.type
(port_annotation name: (lower_case_identifier) @name) @definition.function
(file (type_annotation name: (lower_case_identifier) @name) @definition.function @merge)
(file (value_declaration
  (function_declaration_left . (lower_case_identifier) @name)) @definition.function @merge)

(import_clause moduleName: (upper_case_qid) @import.name) @import
