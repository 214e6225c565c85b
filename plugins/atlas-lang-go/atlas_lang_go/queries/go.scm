; Go, as atlas-lang-go sees it: the package clause and its doc comment, functions, methods
; qualified by their receiver type, types, interface methods, embedded types (in structs and
; interfaces), package-level constants and variables, imports.
; Build constraints and the generated-code header are read by atlas_lang_go.header.

((comment)+ @doc . (package_clause) @doc.before)
(package_clause (package_identifier) @name) @definition.package

(function_declaration name: (identifier) @name) @definition.function
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @qualifier
        (pointer_type (type_identifier) @qualifier)
        (generic_type type: (type_identifier) @qualifier)
        (pointer_type (generic_type type: (type_identifier) @qualifier))
      ]))
  name: (field_identifier) @name) @definition.method

(type_declaration (type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct)
(type_declaration (type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface)
(type_declaration (type_spec name: (type_identifier) @name
  type: [(type_identifier) (qualified_type) (pointer_type) (function_type) (map_type)
         (slice_type) (array_type) (channel_type) (generic_type)]) @definition.type)
(type_declaration (type_alias name: (type_identifier) @name) @definition.type)
(interface_type (method_elem name: (field_identifier) @name) @definition.method)

; embedded types: a struct field without a name, an interface element that is one type
(field_declaration_list
  (field_declaration !name type: [
    (type_identifier) @name
    (qualified_type name: (type_identifier) @name)
    (generic_type type: [(type_identifier) @name (qualified_type name: (type_identifier) @name)])
  ]) @definition.embed)
(interface_type
  (type_elem . [(type_identifier) @name (qualified_type name: (type_identifier) @name)] .)
  @definition.embed)

(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))

(import_spec path: (_) @import.name) @import
