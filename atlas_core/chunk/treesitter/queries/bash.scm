; Bash: functions, and the files read with `source` or `.`.

(function_definition name: (word) @name) @definition.function

((command
  name: (command_name (word) @_c)
  argument: [(word) (string (string_content)) (raw_string)] @import.name)
  (#any-of? @_c "source" "."))  @import
