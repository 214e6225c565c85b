; WGSL: functions (shader entry points too), structs, type aliases, module-level constants
; (`const`, `override` and the older `let`) and variables (`var<uniform>`, storage buffers,
; textures, samplers, workgroup memory). WGSL has no imports.

(function_declaration name: (identifier) @name) @definition.function
(struct_declaration name: (identifier) @name) @definition.struct
(type_alias_declaration . (identifier) @name) @definition.type

(global_constant_declaration (variable_identifier_declaration name: (identifier) @name)) @definition.constant
(global_constant_declaration . (identifier) @name) @definition.constant
(global_variable_declaration (variable_declaration (variable_identifier_declaration name: (identifier) @name))) @definition.variable

; the grammar predates module-level `const` and `alias`: each such statement is an error
; node of its own, opening with the keyword and the name
((source_file (ERROR . (identifier) @_keyword . (identifier) @name) @definition.constant)
  (#eq? @_keyword "const"))
((source_file (ERROR . (identifier) @_keyword . (identifier) @name) @definition.type)
  (#eq? @_keyword "alias"))
