; Vim script: functions (`s:foo`, `foo#bar`), user commands, and `source`/`runtime` files.

(function_definition (function_declaration name: (_) @name)) @definition.function
(command_statement name: (command_name) @name) @definition.command
