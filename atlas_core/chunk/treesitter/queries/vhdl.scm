; VHDL: entities, architectures (modules, qualified by their entity), packages and package
; bodies (modules), labelled processes, functions and procedures (declared and defined),
; types, package constants; `library` and `use` clauses as imports (`use a.b.all` names a.b).

(entity_declaration name: (identifier) @name) @definition.module
(architecture_body name: (identifier) @name entity: (simple_name) @qualifier) @definition.module
(package_declaration name: (identifier) @name) @definition.module
(package_body package: (simple_name) @name) @definition.module

(process_statement (label (identifier) @name)) @definition.process
[(function_body designator: (identifier) @name)
 (procedure_body designator: (identifier) @name)
 (function_declaration designator: (identifier) @name)
 (procedure_declaration designator: (identifier) @name)] @definition.function

(full_type_declaration name: (identifier) @name) @definition.type
(package_declaration (declarative_part
  (constant_declaration (identifier_list (identifier) @name)) @definition.constant))

(library_clause (logical_name_list library: (simple_name) @import.name)) @import
(use_clause (selected_name prefix: (_) @import.name suffix: (all))) @import
(use_clause (selected_name suffix: [(simple_name) (identifier)]) @import.name) @import
