; C#: classes, structs, interfaces, enums, records, delegates, methods, constructors,
; local functions, `using` directives.

(class_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(delegate_declaration name: (identifier) @name) @definition.type
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(local_function_statement name: (identifier) @name) @definition.function

(using_directive (identifier) @import.name) @import
(using_directive (qualified_name) @import.name) @import

; properties, and const fields (``public const int Limit = 3``)
(property_declaration name: (identifier) @name) @definition.property
(field_declaration (modifier) @_const
  (variable_declaration (variable_declarator (identifier) @name))
  (#eq? @_const "const")) @definition.constant
