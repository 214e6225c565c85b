; Ada: packages and package bodies (modules; a child package is named `Parent.Child`),
; procedures and functions (declared, defined, expression functions, null procedures,
; generic declarations), records (structs), enumerations, other types and subtypes, named
; numbers (`Max : constant := 10`, constants); `with` clauses as imports (`use` clauses
; only make names visible and are not imports). Tasks and protected objects are left out.

(package_declaration name: (_) @name) @definition.module
(package_body name: (_) @name) @definition.module

([(subprogram_body (procedure_specification name: (_) @name))
  (subprogram_body (function_specification name: (_) @name))
  (subprogram_declaration (procedure_specification name: (_) @name))
  (subprogram_declaration (function_specification name: (_) @name))
  (generic_subprogram_declaration (procedure_specification name: (_) @name))
  (generic_subprogram_declaration (function_specification name: (_) @name))
  (expression_function_declaration (function_specification name: (_) @name))
  (null_procedure_declaration (procedure_specification name: (_) @name))]) @definition.function

(full_type_declaration . (identifier) @name (record_type_definition)) @definition.struct
(full_type_declaration . (identifier) @name (enumeration_type_definition)) @definition.enum
(full_type_declaration . (identifier) @name
  [(derived_type_definition) (array_type_definition) (access_to_object_definition)
   (access_to_subprogram_definition)
   (signed_integer_type_definition) (modular_type_definition)
   (floating_point_definition) (ordinary_fixed_point_definition)
   (decimal_fixed_point_definition) (interface_type_definition)]) @definition.type
(private_type_declaration . (identifier) @name) @definition.type
(subtype_declaration . (identifier) @name) @definition.type
(number_declaration . (identifier) @name) @definition.constant

(with_clause [(identifier) (selected_component)] @import.name) @import
