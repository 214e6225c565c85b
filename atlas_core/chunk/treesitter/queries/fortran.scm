; Fortran: modules, submodules and programs (as modules), subroutines and functions (a
; module procedure's body too), derived types with their type-bound procedures (methods),
; named interfaces; `use`, `include` and a submodule's parent module as imports.

(module (module_statement (name) @name)) @definition.module
(submodule (submodule_statement (name) @name)) @definition.module
(program (program_statement (name) @name)) @definition.module

(subroutine (subroutine_statement name: (name) @name)) @definition.function
(function (function_statement name: (name) @name)) @definition.function
(module_procedure (module_procedure_statement name: (name) @name)) @definition.function

(derived_type_definition (derived_type_statement (type_name) @name)) @definition.struct
; `procedure :: step => grid_step` binds `step` to the type
(derived_type_definition (derived_type_procedures (procedure_statement
  declarator: [(binding (binding_name (identifier) @name)) (method_name) @name]) @definition.method))
(interface (interface_statement (name) @name)) @definition.interface

(use_statement (module_name) @import.name) @import
(include_statement path: (filename) @import.name) @import
(submodule_statement ancestor: (module_name (name) @import.name)) @import
