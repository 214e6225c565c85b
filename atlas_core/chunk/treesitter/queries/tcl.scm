; Tcl: procs (`proc ::ns::name` keeps its qualified name), `namespace eval` blocks as
; modules, TclOO classes and their methods, `package provide` as the module and
; `package require` / `source` as imports.

(procedure name: (simple_word) @name) @definition.function

((namespace (word_list . (simple_word) @_e . (simple_word) @name))
  (#eq? @_e "eval")) @definition.module

; oo::class create Counter { method incr {} {...} }; oo::define Counter method reset {} {...}
((command name: (simple_word) @_c arguments: (word_list . (simple_word) @_m . (simple_word) @name))
  (#any-of? @_c "oo::class" "::oo::class") (#eq? @_m "create")) @definition.class
((command name: (simple_word) @_m arguments: (word_list . (simple_word) @name))
  (#any-of? @_m "method" "constructor" "destructor")) @definition.method
((command name: (simple_word) @_d
  arguments: (word_list . (simple_word) @qualifier . (simple_word) @_m . (simple_word) @name))
  (#any-of? @_d "oo::define" "::oo::define") (#eq? @_m "method")) @definition.method

((command name: (simple_word) @_p arguments: (word_list . (simple_word) @_v . (simple_word) @name))
  (#eq? @_p "package") (#eq? @_v "provide")) @definition.module

; package require http / package require -exact msgcat 1.6 (not `package require Tcl 8.6`:
; that names the interpreter's version)
((command name: (simple_word) @_p arguments: (word_list . (simple_word) @_r . (simple_word) @import.name))
  (#eq? @_p "package") (#eq? @_r "require") (#not-match? @import.name "^-")
  (#not-eq? @import.name "Tcl")) @import
((command name: (simple_word) @_p
  arguments: (word_list . (simple_word) @_r . (simple_word) @_o . (simple_word) @import.name))
  (#eq? @_p "package") (#eq? @_r "require") (#match? @_o "^-")
  (#not-eq? @import.name "Tcl")) @import
((command name: (simple_word) @_s arguments: (word_list . [(simple_word) (quoted_word)] @import.name .))
  (#eq? @_s "source")) @import
