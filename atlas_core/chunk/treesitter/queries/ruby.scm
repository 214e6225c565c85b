; Ruby: modules, classes, methods (`def self.x` too), require and require_relative.

(module name: [(constant) (scope_resolution)] @name) @definition.module
(class name: [(constant) (scope_resolution)] @name) @definition.class
(method name: (_) @name) @definition.function
(singleton_method name: (_) @name) @definition.function

((call
  method: (identifier) @_m
  arguments: (argument_list . (string (string_content) @import.name)))
  (#any-of? @_m "require" "load" "autoload")) @import
((call
  method: (identifier) @_m
  arguments: (argument_list . (string (string_content) @import.relative)))
  (#eq? @_m "require_relative")) @import

; constants (``DEFAULT_TIMEOUT = 5`` in a module or class)
(assignment left: (constant) @name) @definition.constant
