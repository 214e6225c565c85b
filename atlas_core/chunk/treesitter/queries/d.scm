; D: the module declaration and its doc comment, classes, interfaces, structs, unions, enums,
; functions (methods inside an aggregate), constructors (`this`), templates, aliases,
; manifest constants (`enum x = 1;`), imports (each module of `import a.b, c.d;`).

((comment) @doc . (module_def . (module_declaration)) (#match? @doc "^/(\\*\\*|//)"))

(module_declaration (module_fqn) @name) @definition.module

(class_declaration (identifier) @name) @definition.class
(interface_declaration (identifier) @name) @definition.interface
(struct_declaration (identifier) @name) @definition.struct
(union_declaration (identifier) @name) @definition.struct
(enum_declaration (identifier) @name) @definition.enum
(function_declaration (identifier) @name) @definition.function
(constructor (this) @name) @definition.function
(template_declaration (identifier) @name) @definition.template
(alias_declaration (alias_initializer . (identifier) @name)) @definition.type
(manifest_constant (manifest_declarator . (identifier) @name)) @definition.constant

(import_declaration (imported (module_fqn) @import.name)) @import
