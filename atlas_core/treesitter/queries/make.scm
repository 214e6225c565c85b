; Makefiles: rule targets, `define` blocks and included files.

(rule (targets (word) @name)) @definition.target
(define_directive name: (word) @name) @definition.function
(include_directive filenames: (list (word) @import.name)) @import
