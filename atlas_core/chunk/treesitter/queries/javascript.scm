; JavaScript (also the base of typescript.scm): classes, functions, methods, functions
; assigned to names, imports, re-exports, require() and import().

(class_declaration name: (_) @name) @definition.class
(class name: (_) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @definition.method

(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @definition.function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @definition.function
(expression_statement
  (assignment_expression
    left: (member_expression property: (property_identifier) @name)
    right: [(arrow_function) (function_expression)])) @definition.function
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (member_expression
        object: (identifier) @qualifier
        property: (property_identifier) @_prototype)
      property: (property_identifier) @name)
    right: [(arrow_function) (function_expression)])
  (#eq? @_prototype "prototype")) @definition.method
(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(import_statement source: (string (string_fragment) @import.name)) @import
(export_statement source: (string (string_fragment) @import.name)) @import
((call_expression
  function: (identifier) @_require
  arguments: (arguments . (string (string_fragment) @import.name) .))
  (#eq? @_require "require")) @import
(call_expression
  function: (import)
  arguments: (arguments . (string (string_fragment) @import.name))) @import

; top-level constants: upper-case names (``const MAX_RETRIES = 3``, exported or not)
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @definition.constant
  (#match? @name "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name)) @definition.constant)
  (#match? @name "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))
