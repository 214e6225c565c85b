; inherits: c
; GLSL: the C queries (functions and shader entry points, structs, macros, `#include`),
; plus interface blocks (`uniform Camera { ... } camera;`, `buffer`, `in` and `out` blocks),
; top-level `const`s and `uniform` variables.

(declaration (identifier) @name . (field_declaration_list)) @definition.struct

(translation_unit (declaration (type_qualifier "const")
  declarator: (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])) @definition.constant)
(translation_unit (declaration "uniform"
  declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])]) @definition.variable)
