; Java: classes, interfaces, enums, records, annotation types, methods and constructors,
; imports.

(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(annotation_type_declaration name: (identifier) @name) @definition.interface
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(compact_constructor_declaration name: (identifier) @name) @definition.method

(import_declaration (scoped_identifier) @import.name) @import
(import_declaration (identifier) @import.name) @import

; constants: upper-case fields (``static final int MAX_DEPTH = 3``)
(field_declaration declarator: (variable_declarator name: (identifier) @name)
  (#match? @name "^[A-Z][A-Z0-9_]*$")) @definition.constant
