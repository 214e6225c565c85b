; inherits: cpp
; HLSL: the C++ queries (functions and shader entry points, structs, classes, macros,
; `#include`), plus constant buffers (`cbuffer`, `tbuffer`) with their members, top-level
; `const`s and the other top-level variables (textures, samplers, buffers, `groupshared`).

; `cbuffer Name { ... }` parses as a function definition; with `: register(b0)` it is a
; declaration followed by a block, whose members the buffer's name qualifies
((function_definition type: (type_identifier) @_kind declarator: (identifier) @name
  body: (compound_statement)) @definition.struct
  (#any-of? @_kind "cbuffer" "tbuffer"))
((function_definition type: (type_identifier) @_kind declarator: (identifier)
  body: (compound_statement (declaration
    declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)]) @definition.property))
  (#any-of? @_kind "cbuffer" "tbuffer"))
((translation_unit (declaration type: (type_identifier) @_kind declarator: (identifier) @name) @definition.struct)
  (#any-of? @_kind "cbuffer" "tbuffer"))
((translation_unit
  (declaration type: (type_identifier) @_kind declarator: (identifier) @qualifier) .
  (compound_statement (declaration
    declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)]) @definition.property))
  (#any-of? @_kind "cbuffer" "tbuffer"))

(translation_unit (declaration (type_qualifier "const")
  declarator: (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])) @definition.constant)
((translation_unit (declaration type: (_) @_type
  declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)]) @definition.variable)
  (#not-any-of? @_type "cbuffer" "tbuffer"))
