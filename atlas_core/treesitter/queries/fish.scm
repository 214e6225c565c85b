; Fish: functions, and the files read with `source`.

(function_definition name: (word) @name) @definition.function

((command
  name: (word) @_c
  argument: [(word) (double_quote_string) (single_quote_string) (concatenation)] @import.name)
  (#any-of? @_c "source" "."))  @import
