; PHP: classes, interfaces, traits, enums, functions, methods, `use` imports, require and
; include.

(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum
(function_definition name: (name) @name) @definition.function
(method_declaration name: (name) @name) @definition.method

(namespace_use_declaration (namespace_use_clause (qualified_name) @import.name)) @import
(namespace_use_declaration (namespace_use_clause (name) @import.name) .) @import
((namespace_use_declaration
  (namespace_name) @import.prefix
  body: (namespace_use_group (namespace_use_clause [(name) (qualified_name)] @import.name)))
  (#set! separator "\\")) @import
(require_expression [
  (string (string_content) @import.name)
  (encapsed_string (string_content) @import.name)
  (binary_expression right: [(string (string_content) @import.name) (encapsed_string (string_content) @import.name)])
]) @import
(require_once_expression [
  (string (string_content) @import.name)
  (encapsed_string (string_content) @import.name)
  (binary_expression right: [(string (string_content) @import.name) (encapsed_string (string_content) @import.name)])
]) @import
(include_expression [
  (string (string_content) @import.name)
  (encapsed_string (string_content) @import.name)
  (binary_expression right: [(string (string_content) @import.name) (encapsed_string (string_content) @import.name)])
]) @import
(include_once_expression [
  (string (string_content) @import.name)
  (encapsed_string (string_content) @import.name)
  (binary_expression right: [(string (string_content) @import.name) (encapsed_string (string_content) @import.name)])
]) @import

; class constants and properties
(const_element (name) @name) @definition.constant
(property_declaration (property_element (variable_name (name) @name))) @definition.property
