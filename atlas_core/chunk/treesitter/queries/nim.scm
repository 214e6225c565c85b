; Nim: procs, funcs, converters, iterators, methods (qualified by the type of their first
; parameter), templates and macros; type sections (enums, objects, concepts, other types);
; top-level constants; import, include, from ... import; the leading ## doc comment.

(proc_declaration name: [(identifier) @name
                         (exported_symbol (identifier) @name)
                         (accent_quoted (identifier) @name)
                         (exported_symbol (accent_quoted (identifier) @name))]) @definition.function
(func_declaration name: [(identifier) @name
                         (exported_symbol (identifier) @name)
                         (accent_quoted (identifier) @name)
                         (exported_symbol (accent_quoted (identifier) @name))]) @definition.function
(converter_declaration name: [(identifier) @name
                              (exported_symbol (identifier) @name)]) @definition.function
(iterator_declaration name: [(identifier) @name
                             (exported_symbol (identifier) @name)
                             (accent_quoted (identifier) @name)
                             (exported_symbol (accent_quoted (identifier) @name))]) @definition.function
(method_declaration name: [(identifier) @name
                           (exported_symbol (identifier) @name)
                           (accent_quoted (identifier) @name)
                           (exported_symbol (accent_quoted (identifier) @name))]) @definition.method
(method_declaration
  name: [(identifier) @name
         (exported_symbol (identifier) @name)
         (accent_quoted (identifier) @name)
         (exported_symbol (accent_quoted (identifier) @name))]
  parameters: (parameter_declaration_list . (parameter_declaration
    type: (type_expression [(identifier) @qualifier
                            (ref_type (type_expression (identifier) @qualifier))
                            (pointer_type (type_expression (identifier) @qualifier))]))))
  @definition.method
(template_declaration name: [(identifier) @name
                             (exported_symbol (identifier) @name)
                             (accent_quoted (identifier) @name)
                             (exported_symbol (accent_quoted (identifier) @name))]) @definition.macro
(macro_declaration name: [(identifier) @name
                          (exported_symbol (identifier) @name)]) @definition.macro

(type_declaration
  (type_symbol_declaration name: [(identifier) @name (exported_symbol (identifier) @name)])
  (enum_declaration)) @definition.enum
(type_declaration
  (type_symbol_declaration name: [(identifier) @name (exported_symbol (identifier) @name)])
  [(object_declaration)
   (ref_type (object_declaration))
   (pointer_type (object_declaration))]) @definition.class
(type_declaration
  (type_symbol_declaration name: [(identifier) @name (exported_symbol (identifier) @name)])
  (concept_declaration)) @definition.interface
(type_declaration
  (type_symbol_declaration name: [(identifier) @name (exported_symbol (identifier) @name)])
  [(type_expression)
   (distinct_type)
   (ref_type (type_expression))
   (pointer_type (type_expression))]) @definition.type

(source_file (const_section (variable_declaration (symbol_declaration_list (symbol_declaration
  name: [(identifier) @name (exported_symbol (identifier) @name)]))) @definition.constant))

; import os, strutils / import pkg/foo as f / import "../lib/util.nim" / import foo except bar
(import_statement (expression_list [(identifier) (interpreted_string_literal)] @import.name)) @import
(import_statement (expression_list
  (infix_expression operator: (operator) right: (identifier)) @import.name)) @import
(import_statement (expression_list
  (infix_expression left: (_) @import.name operator: "as"))) @import
(import_statement . (identifier) @import.name (except_clause)) @import
; import std/[strutils, tables]
((import_statement (expression_list (infix_expression
    left: (_) @import.prefix
    operator: (operator)
    right: (array_construction (identifier) @import.name))))
  (#set! separator "/")) @import
(include_statement (expression_list [(identifier) (interpreted_string_literal)] @import.name)) @import
(include_statement (expression_list
  (infix_expression operator: (operator) right: (identifier)) @import.name)) @import
(import_from_statement module: (_) @import.name) @import

(source_file . (documentation_comment)+ @doc)
(source_file . (block_documentation_comment (comment_content) @doc))
