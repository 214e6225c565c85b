; Verilog and SystemVerilog: modules, packages (modules), interfaces, classes, functions and
; tasks (functions; methods in a class, `extern` prototypes too), typedefs, `define macros;
; `include files and `import pkg::` packages as imports. The grammar does not parse an
; out-of-class method body (`function void C::f();`: it would be named `C`); it is left out.
;
; The `.` anchors keep the label of `endmodule : m` (the same identifier again) out.

(module_declaration (module_header (simple_identifier) @name)) @definition.module
(package_declaration . (package_identifier (simple_identifier) @name)) @definition.module
(interface_declaration
  [(interface_ansi_header (interface_identifier (simple_identifier) @name))
   (interface_nonansi_header (interface_identifier (simple_identifier) @name))]) @definition.interface
(class_declaration . (class_identifier (simple_identifier) @name)) @definition.class

((function_declaration (function_body_declaration
  (function_identifier (function_identifier (simple_identifier) @name))) @_header) @definition.function
  (#not-match? @_header "^[^(;]*::"))
(task_declaration (task_body_declaration
  . (task_identifier (task_identifier (simple_identifier) @name)))) @definition.function
(class_method [
  (function_prototype (function_identifier (function_identifier (simple_identifier) @name)))
  (task_prototype (task_identifier (task_identifier (simple_identifier) @name)))]) @definition.method

(type_declaration (simple_identifier) @name) @definition.type
(text_macro_definition (text_macro_name (text_macro_identifier (simple_identifier) @name))) @definition.macro

(include_compiler_directive
  [(double_quoted_string) (include_compiler_directive_standard)] @import.name) @import
(package_import_item (package_identifier (simple_identifier) @import.name)) @import
