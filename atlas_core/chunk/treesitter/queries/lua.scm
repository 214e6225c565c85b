; Lua: functions (`function M.new` and `function M:send` are qualified by the table),
; functions assigned to locals, require().

(function_declaration name: (identifier) @name) @definition.function
(function_declaration name: (dot_index_expression table: (identifier) @qualifier field: (identifier) @name)) @definition.function
(function_declaration name: (method_index_expression table: (identifier) @qualifier method: (identifier) @name)) @definition.method
(variable_declaration (assignment_statement
  (variable_list name: (identifier) @name)
  (expression_list value: (function_definition)))) @definition.function
(assignment_statement
  (variable_list name: (dot_index_expression table: (identifier) @qualifier field: (identifier) @name))
  (expression_list value: (function_definition))) @definition.function

((function_call
  name: (identifier) @_r
  arguments: (arguments . (string content: (string_content) @import.name)))
  (#eq? @_r "require")) @import

; module fields set at the top level to a value (``M.version = "11.16.1"``, ``M.defaults = {}``)
; and upper-case top-level locals (``local MAX_RETRIES = 3``)
(chunk (assignment_statement
  (variable_list name: (dot_index_expression table: (identifier) @qualifier field: (identifier) @name))
  (expression_list value: [(string) (number) (table_constructor)])) @definition.constant)
(chunk (variable_declaration (assignment_statement
  (variable_list name: (identifier) @name)
  (expression_list value: [(string) (number) (table_constructor)]))) @definition.constant
  (#match? @name "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))
