; PureScript: the module name and its doc comment, data types, newtypes, type synonyms, type
; classes (their signatures are methods), top-level functions and values (a signature and its
; equations are merged into one chunk), foreign imports, imports. Instance members are left
; to their class.

((comment)+ @doc . (qualified_module) @doc.before)

; the whole file is the module: its name alone is the chunk, so declarations stay unqualified
(purescript name: (qualified_module) @name @definition.module)

(data name: (type) @name) @definition.type
(newtype name: (type) @name) @definition.type
(type_alias name: (type) @name) @definition.type
(class_declaration (class_head (class_name (type) @name))) @definition.class
(class_body (signature name: (variable) @name) @definition.method)
(purescript (signature name: (variable) @name) @definition.function @merge)
(purescript (function name: (variable) @name) @definition.function @merge)
(purescript (foreign_import name: (variable) @name) @definition.function)

(import module: (qualified_module) @import.name) @import
