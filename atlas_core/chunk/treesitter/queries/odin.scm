; Odin: procedures (procedure groups and foreign prototypes too), structs, unions, enums,
; bit fields, constants and types declared with `::` (`Handle :: distinct int` is a type),
; package-level variables, imports (`foreign import` too) and the package comment.

((comment)+ @doc . (package_declaration) @doc.before)

(procedure_declaration (identifier) @name . "::") @definition.function
(overloaded_procedure_declaration (identifier) @name . "::") @definition.function

(struct_declaration (identifier) @name . "::") @definition.struct
(union_declaration (identifier) @name . "::") @definition.struct
(bit_field_declaration (identifier) @name . "::") @definition.struct
(enum_declaration (identifier) @name . "::") @definition.enum

; a constant whose value is a type names a type; the other constants (at package level
; or in a `when` block, not in a procedure body) are constants
(const_declaration (identifier) @name . "::" . [(distinct_type) (bit_set_type) (array_type)
  (map_type) (matrix_type) (pointer_type) (struct_type) (union_type) (enum_type)]) @definition.type
(const_declaration (identifier) @name . "::" . (tag) . (type)) @definition.type
((source_file (const_declaration (identifier) @name . "::" . (_) @_value) @definition.constant)
  (#not-match? @_value "^(distinct|bit_set|struct|union|enum|matrix|map|#type)\\b|^[\\[^]"))
((when_statement (block (const_declaration (identifier) @name . "::" . (_) @_value) @definition.constant))
  (#not-match? @_value "^(distinct|bit_set|struct|union|enum|matrix|map|#type)\\b|^[\\[^]"))
(source_file (const_type_declaration . (attributes)? . (identifier) @name) @definition.constant)

(source_file (var_declaration . (attributes)? . (identifier) @name) @definition.variable)
(source_file (variable_declaration . (attributes)? . (identifier) @name) @definition.variable)

(import_declaration (string) @import.name) @import
