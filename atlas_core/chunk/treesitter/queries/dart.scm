; Dart: classes, mixins, extensions, extension types, enums, typedefs, functions, getters
; and setters (methods inside a class-like body), named and factory constructors (`Shape.named`
; is the method `named` of `Shape`; unnamed constructors are left to the class), fields,
; top-level constants (`const`/`final`) and variables, import/export/part/part of directives, and a
; library's doc comment.
;
; A function's body is a sibling of its signature in this grammar, so a function with a body
; is the body node (its lines) named by the signature; a declaration without one (an abstract
; method, an external function) is its signature.

((documentation_comment)+ @doc . (library_name) @doc.before)

(class_definition name: (identifier) @name) @definition.class
(mixin_declaration (mixin) . (identifier) @name) @definition.trait
(extension_declaration name: (identifier) @name) @definition.class
(extension_declaration !name class: (type_identifier) @name) @scope
(extension_type_declaration name: (identifier) @name) @definition.class
(enum_declaration name: (identifier) @name) @definition.enum
(type_alias . (type_identifier) @name) @definition.type

; top-level functions, getters and setters
((function_signature name: (identifier) @name) . (function_body) @definition.function)
((getter_signature name: (identifier) @name) . (function_body) @definition.function)
((setter_signature name: (identifier) @name) . (function_body) @definition.function)
; and without a body (`external`); where there is one, the wider node is kept
(program (function_signature name: (identifier) @name) @definition.function)

; members with a body (functions, getters, setters, named and factory constructors)
((method_signature [
  (function_signature name: (identifier) @name)
  (getter_signature name: (identifier) @name)
  (setter_signature name: (identifier) @name)
  (constructor_signature name: (identifier) . name: (identifier) @name)
  (factory_constructor_signature . (identifier) . (identifier) @name)
]) . (function_body) @definition.function)

; members without one (abstract methods and getters, redirecting or bodiless constructors)
(declaration [
  (function_signature name: (identifier) @name)
  (getter_signature name: (identifier) @name)
  (setter_signature name: (identifier) @name)
  (constructor_signature name: (identifier) . name: (identifier) @name)
  (constant_constructor_signature . (identifier) . (identifier) @name)
  (redirecting_factory_constructor_signature . (identifier) . (identifier) @name)
]) @definition.function

; fields of a class-like body (a local variable is a local_variable_declaration)
(declaration (initialized_identifier_list (initialized_identifier . (identifier) @name))) @definition.property
(declaration (static_final_declaration_list (static_final_declaration . (identifier) @name))) @definition.property

; top-level `const`/`final` names are constants, `var` and typed ones variables
(program (static_final_declaration_list (static_final_declaration . (identifier) @name) @definition.constant))
(program (initialized_identifier_list (initialized_identifier . (identifier) @name) @definition.variable))

(library_import (import_specification [
  (configurable_uri (uri (string_literal) @import.name))
  (uri (string_literal) @import.name)
])) @import
(library_export [
  (configurable_uri (uri (string_literal) @import.name))
  (uri (string_literal) @import.name)
]) @import
; a part names its file, a part file its library
(part_directive (uri (string_literal) @import.name)) @import
(part_of_directive (uri (string_literal) @import.name)) @import
