; inherits: cpp
; CUDA: the C++ queries (kernels and `__device__` functions are functions, templates,
; classes, macros, `#include`), plus variables in device memory (only allowed outside
; functions): `__constant__` ones are constants, `__device__` and `__managed__` ones
; variables. `__shared__` arrays live in a kernel's body and are not symbols.

(declaration (type_qualifier "__constant__")
  declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])]) @definition.constant
((declaration "__device__"
  declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])]) @definition.variable
  (#not-match? @definition.variable "\\b__constant__\\b"))
(declaration (type_qualifier "__managed__")
  declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)
    (init_declarator declarator: [(identifier) @name (array_declarator declarator: (identifier) @name)])]) @definition.variable
