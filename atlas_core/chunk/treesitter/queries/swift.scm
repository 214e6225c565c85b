; Swift: classes, structs, enums, actors, protocols, extensions (a scope: their members
; are qualified by the extended type), functions, initialisers, type aliases, imports.

(class_declaration declaration_kind: "class" name: (type_identifier) @name) @definition.class
(class_declaration declaration_kind: "actor" name: (type_identifier) @name) @definition.class
(class_declaration declaration_kind: "struct" name: (type_identifier) @name) @definition.struct
(class_declaration declaration_kind: "enum" name: (type_identifier) @name) @definition.enum
(class_declaration declaration_kind: "extension" name: (user_type (type_identifier) @name)) @scope
(protocol_declaration name: (type_identifier) @name) @definition.interface
(function_declaration name: (simple_identifier) @name) @definition.function
(protocol_function_declaration name: (simple_identifier) @name) @definition.method
(init_declaration "init" @name) @definition.method
(typealias_declaration name: (type_identifier) @name) @definition.type

(import_declaration (identifier) @import.name) @import

; a type's stored and computed properties (an enum's too: ``enum AFInfo { static let
; version = "5.8.0" }``), and top-level constants
(class_body (property_declaration (pattern (simple_identifier) @name)) @definition.property)
(enum_class_body (property_declaration (pattern (simple_identifier) @name)) @definition.property)
(source_file (property_declaration (pattern (simple_identifier) @name)) @definition.constant)
