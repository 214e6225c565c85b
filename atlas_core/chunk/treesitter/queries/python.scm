; Python: classes, functions (methods inside classes), the module docstring, imports.

(module . (comment)* . (string) @doc)

(class_definition name: (identifier) @name) @definition.class
(decorated_definition definition: (class_definition name: (identifier) @name)) @definition.class

(function_definition name: (identifier) @name) @definition.function
(decorated_definition definition: (function_definition name: (identifier) @name)) @definition.function

(import_statement name: (dotted_name) @import.name) @import
(import_statement name: (aliased_import name: (dotted_name) @import.name)) @import
(import_from_statement module_name: (dotted_name) @import.name) @import
(import_from_statement module_name: (relative_import) @import.name
  (#match? @import.name "[A-Za-z_]")) @import
; "from . import a, b" names modules: ".a" and ".b"
(import_from_statement
  module_name: (relative_import . (import_prefix) @import.prefix .)
  name: [(dotted_name) @import.name (aliased_import name: (dotted_name) @import.name)]) @import

; module-level constants: upper-case names (``DEFAULT_TIMEOUT = 5``) and ``__version__``
(module (assignment left: (identifier) @name) @definition.constant
  (#match? @name "^([A-Z][A-Z0-9_]*[A-Z0-9]|__version__)$"))
