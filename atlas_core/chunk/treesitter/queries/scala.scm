; Scala: classes, case classes, objects, traits, enums, functions (methods inside
; templates), function declarations in traits, type definitions, imports.

(class_definition name: (identifier) @name) @definition.class
(object_definition name: (identifier) @name) @definition.class
(trait_definition name: (identifier) @name) @definition.trait
(enum_definition name: (identifier) @name) @definition.enum
(function_definition name: (identifier) @name) @definition.function
(function_declaration name: (identifier) @name) @definition.function
(type_definition name: (type_identifier) @name) @definition.type

((import_declaration (identifier)+ @import.name) (#set! join ".")) @import
