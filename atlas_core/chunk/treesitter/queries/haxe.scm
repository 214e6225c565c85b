; Haxe: the package, classes (with their functions as methods, `new` included), interfaces,
; enums, typedefs, upper-case class constants, import and using statements.
;
; The grammar has no enum declaration: `enum Name { ... }` is a keyword, a name and a block,
; so an enum is its block named by the name before it. Abstracts are not parsed.

; `package a.b;`: one name node per part, joined with dots
((package_statement (package_name)+ @name) @definition.module (#set! join "."))

(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(typedef_declaration name: (identifier) @name) @definition.type
((keyword) @_k . (identifier) @name . (block) @definition.enum (#eq? @_k "enum"))
(function_declaration name: (identifier) @name) @definition.function
(function_declaration "new" @name) @definition.function

(class_declaration body: (block
  (variable_declaration name: (identifier) @name) @definition.constant
  (#match? @name "^[A-Z][A-Z0-9_]*$")))

; the module path of `import a.b.C;`, `import a.b.*;`, `import a.b.C.field;` and `using a.b.C;`
; (not an `as` alias), one match per part (in `using` an anchor between the parts finds
; nothing, and there is no alias)
((import_statement (package_name) @import.name) (#set! join ".")) @import
((import_statement (package_name) . (type_name) @import.name) (#set! join ".")) @import
((import_statement . (type_name) @import.name) (#set! join ".")) @import
((using_statement [(package_name) (type_name)] @import.name) (#set! join ".")) @import
