; Gleam: functions, custom types (with their constructors), type aliases, constants,
; imports. Node names come from `syntax_tree("gleam", source)` (see docs/plugins).

(function name: (identifier) @name) @definition.function
(type_definition (type_name name: (type_identifier) @name)) @definition.type
(data_constructor name: (constructor_name) @name) @definition.constructor
(type_alias (type_name name: (type_identifier) @name)) @definition.type
(constant name: (identifier) @name) @definition.constant

(import module: (module) @import.name) @import
