; Solidity: contracts (classes), interfaces, libraries (modules), functions (methods of
; their contract or interface), modifiers (methods), events, custom errors, structs, enums,
; file-level constants; `import` paths. Constructors, `receive` and `fallback` have no name
; and are left out.

(contract_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(library_declaration name: (identifier) @name) @definition.module

(function_definition name: (identifier) @name) @definition.function
(modifier_definition name: (identifier) @name) @definition.method
(event_definition name: (identifier) @name) @definition.event
(error_declaration name: (identifier) @name) @definition.error
(struct_declaration name: (identifier) @name) @definition.struct
(enum_declaration name: (identifier) @name) @definition.enum
(source_file (constant_variable_declaration name: (identifier) @name) @definition.constant)

(import_directive source: (string) @import.name) @import
