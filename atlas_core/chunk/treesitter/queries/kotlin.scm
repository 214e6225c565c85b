; Kotlin: classes, interfaces, enum classes, objects, functions (methods inside classes and
; objects; extension functions qualified by their receiver type), type aliases, imports.

(class_declaration "interface" (type_identifier) @name) @definition.interface
(class_declaration "enum" (type_identifier) @name) @definition.enum
(class_declaration (type_identifier) @name) @definition.class
(object_declaration (type_identifier) @name) @definition.class
(function_declaration (simple_identifier) @name) @definition.function
(function_declaration
  (receiver_type [(user_type (type_identifier) @qualifier)
                  (nullable_type (user_type (type_identifier) @qualifier))])
  (simple_identifier) @name) @definition.function
(type_alias (type_identifier) @name) @definition.type

(import_header (identifier) @import.name) @import

; top-level properties and constants (``const val MAX_IDLE = 5``), and a class's properties
(source_file (property_declaration (variable_declaration (simple_identifier) @name)) @definition.constant)
(class_body (property_declaration (variable_declaration (simple_identifier) @name)) @definition.property)
