; Nix: top-level bindings of let blocks and attribute sets that define functions, and imports.

(binding attrpath: (attrpath . attr: (identifier) @name) expression: (function_expression)) @definition.function
((apply_expression function: (variable_expression name: (identifier) @_i) argument: (path_expression) @import.name)
  (#eq? @_i "import")) @import
