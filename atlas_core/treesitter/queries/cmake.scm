; CMake: functions and macros, and included modules.

(function_def (function_command (argument_list . (argument) @name))) @definition.function
(macro_def (macro_command (argument_list . (argument) @name))) @definition.function
((normal_command (identifier) @_c (argument_list . (argument) @import.name))
  (#match? @_c "^(include|INCLUDE|add_subdirectory|ADD_SUBDIRECTORY)$")) @import
