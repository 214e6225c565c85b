; Objective-C: classes (@interface and @implementation), protocols, categories (a scope:
; their methods are qualified by the extended class), methods, properties, the C parts
; (functions, structs, unions, enums, NS_ENUM/NS_OPTIONS types, typedefs, macros, top-level
; constants), #import/#include and @import.
;
; A method is named by the first keyword of its selector: `- (void)send:(id)d completion:(id)c`
; is the method `send` (the whole selector is split over several nodes).
; Patterns do not require the translation unit as parent: the grammar wraps what follows an
; unknown macro (NS_ASSUME_NONNULL_BEGIN) in an ERROR node, whose contents parse normally.

(class_interface . (identifier) @name !category) @definition.class
(class_implementation . (identifier) @name !category) @definition.class
(class_interface . (identifier) @name category: (identifier)) @scope
(class_implementation . (identifier) @name category: (identifier)) @scope
(protocol_declaration . (identifier) @name) @definition.interface

(method_definition . (method_type) . (identifier) @name) @definition.method
(method_definition . (identifier) @name) @definition.method
(method_declaration . (method_type) . (identifier) @name) @definition.method
(method_declaration . (identifier) @name) @definition.method
(property_declaration (struct_declaration (struct_declarator [
  (identifier) @name
  (pointer_declarator declarator: (identifier) @name)
]))) @definition.property

(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(function_definition declarator: (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))) @definition.function

(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(type_definition
  type: [(struct_specifier) (union_specifier) (enum_specifier) (type_identifier) (primitive_type)]
  declarator: (type_identifier) @name) @definition.type
(type_definition declarator: (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name)))) @definition.type
(type_definition declarator: (function_declarator declarator: (parenthesized_declarator (block_pointer_declarator declarator: (type_identifier) @name)))) @definition.type
(type_definition declarator: (pointer_declarator declarator: (type_identifier) @name)) @definition.type
; after NS_ASSUME_NONNULL_BEGIN (a macro without a semicolon) the grammar takes `typedef` for
; a declarator, and a block typedef becomes a declaration of a block
(translation_unit (declaration declarator: (function_declarator declarator: (parenthesized_declarator
  (block_pointer_declarator declarator: (identifier) @name)))) @definition.type)
; `typedef NS_ENUM(NSInteger, AFState) {...}`: the grammar knows no such macro; its error
; recovery leaves the type's name in an ERROR node or, after one, as the macro's type
((macro_type_specifier
  name: (identifier) @_macro
  (ERROR (identifier) @name)) @definition.enum
  (#match? @_macro "^NS_(ENUM|OPTIONS|CLOSED_ENUM|ERROR_ENUM)$"))
((macro_type_specifier
  name: (identifier) @_macro
  (ERROR) . type: (type_descriptor type: (type_identifier) @name)) @definition.enum
  (#match? @_macro "^NS_(ENUM|OPTIONS|CLOSED_ENUM|ERROR_ENUM)$"))
((type_definition type: (macro_type_specifier
  name: (identifier) @_macro
  (ERROR (identifier) @name))) @definition.enum
  (#match? @_macro "^NS_(ENUM|OPTIONS|CLOSED_ENUM|ERROR_ENUM)$"))
((type_definition type: (macro_type_specifier
  name: (identifier) @_macro
  (ERROR) . type: (type_descriptor type: (type_identifier) @name))) @definition.enum
  (#match? @_macro "^NS_(ENUM|OPTIONS|CLOSED_ENUM|ERROR_ENUM)$"))
(preproc_function_def name: (identifier) @name) @definition.macro
(preproc_def name: (identifier) @name) @definition.macro

; top-level constants: `static const NSInteger kMax = 3;`, `NSString * const AFDomain = @"x";`
(translation_unit (declaration
  (type_qualifier) @_const
  declarator: (init_declarator declarator: (identifier) @name)) @definition.constant
  (#eq? @_const "const"))
(translation_unit (declaration
  declarator: (init_declarator declarator: (pointer_declarator
    (type_qualifier) @_const
    declarator: (identifier) @name))) @definition.constant
  (#eq? @_const "const"))
(ERROR (declaration
  (type_qualifier) @_const
  declarator: (init_declarator declarator: (identifier) @name)) @definition.constant
  (#eq? @_const "const"))
(ERROR (declaration
  declarator: (init_declarator declarator: (pointer_declarator
    (type_qualifier) @_const
    declarator: (identifier) @name))) @definition.constant
  (#eq? @_const "const"))

(preproc_include path: (_) @import.name) @import
; one match per part of `@import Darwin.C;`, joined with dots
((module_import (identifier)+ @import.name) (#set! join ".")) @import
