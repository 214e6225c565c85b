; Haskell: the module header and its haddock, data types, newtypes, type synonyms, type
; classes (their signatures are methods), functions (a signature and its equations are
; merged into one chunk), imports.

((haddock) @doc . (header))

(header module: (module) @name) @definition.module

(data_type name: (name) @name) @definition.type
(newtype name: (name) @name) @definition.type
(type_synomym name: (name) @name) @definition.type
(class name: (name) @name) @definition.class
(class_declarations (signature name: (variable) @name) @definition.method)
(declarations (signature name: (variable) @name) @definition.function @merge)
(declarations (function name: (variable) @name) @definition.function @merge)
(declarations (bind name: (variable) @name) @definition.function @merge)

((import module: (module (module_id)+ @import.name)) (#set! join ".")) @import
