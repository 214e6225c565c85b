; Erlang: `-module`, functions, records, macros (`-define`), types (`-type`, `-opaque`),
; `-include`/`-include_lib` as imports. A function chunk is named by the bare function
; name, without arity: the grammar gives each clause its own node, and the clauses (with the
; `-spec` just above them) are merged into one chunk, so `add/1` and `add/2` written next to
; each other become one `add`.

(module_attribute name: (atom) @name) @definition.module

(spec fun: (atom) @name) @definition.function @merge
(fun_decl clause: (function_clause name: (atom) @name)) @definition.function @merge

(record_decl name: (atom) @name) @definition.struct
(pp_define lhs: (macro_lhs name: (_) @name)) @definition.macro
(type_alias name: (type_name name: (atom) @name)) @definition.type
(opaque name: (type_name name: (atom) @name)) @definition.type

(pp_include file: (string) @import.name) @import
(pp_include_lib file: (string) @import.name) @import
