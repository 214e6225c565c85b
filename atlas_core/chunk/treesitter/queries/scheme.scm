; Scheme (R7RS, R6RS, Guile, Chicken): `define` of a procedure (`(define (f x) ...)`, curried
; `(define ((f a) b) ...)` or a lambda value) as a function and of anything else as a
; variable, `define-syntax` and friends as macros, `define-record-type` as a struct, and
; `define-library`, `library` and Guile's `define-module` as a library (its list name, such
; as `(my queue)`, does not qualify the definitions inside). Imports: the libraries of
; `import`, `use-modules` and `#:use-module` (through `only`, `except`, `prefix` and
; `rename`; in a library too), Chicken's `use`/`require-extension`, and the files of `include` and `load`.

((list . (symbol) @_k . (list . [(symbol) @name (list . (symbol) @name)]))
  (#any-of? @_k "define" "define*" "define-public" "define-integrable" "define-inline"))
  @definition.function
((list . (symbol) @_k . (symbol) @name . (_) @_v)
  (#any-of? @_k "define" "define-public")
  (#match? @_v "^[(\\[]\\s*(lambda|lambda\\*|case-lambda|λ|opt-lambda)[\\s)\\]]"))
  @definition.function
((list . (symbol) @_k . (symbol) @name . (_) @_v)
  (#any-of? @_k "define" "define-public")
  (#not-match? @_v "^[(\\[]\\s*(lambda|lambda\\*|case-lambda|λ|opt-lambda|class\\*?|mixin|interface)[\\s)\\]]"))
  @definition.variable
((list . (symbol) @_k . [(symbol) @name (list . (symbol) @name)])
  (#any-of? @_k "define-syntax" "define-syntax-rule" "define-macro" "define-syntax-parameter"
    "define-simple-macro" "define-syntax-parser" "defmacro" "define-syntax-class"))
  @definition.macro
((list . (symbol) @_k . [(symbol) @name (list . (symbol) @name)])
  (#any-of? @_k "define-record-type" "define-record"))
  @definition.struct
; (a query file's `(library (moduleName) @name)` is a pattern, not a library)
((list . (symbol) @_k . (list) @name) @definition.library
  (#any-of? @_k "define-library" "library" "define-module")
  (#not-match? @definition.library "\\s@[A-Za-z_]"))
((list . (symbol) @_k . (symbol) @name)
  (#eq? @_k "module") (#not-match? @name "^[.@]|:$")) @definition.module

; (import (scheme base) (only (srfi 1) fold) srfi-13), Guile's (use-modules ...). A
; tree-sitter query file reads as Scheme: `(import (string) @import.name)` is a pattern, not
; an import (no Scheme import names a ` @capture`)
((list . (symbol) @_k [(list) @import.name (symbol) @import.name]) @import
  (#any-of? @_k "import" "use-modules" "use" "require-extension")
  (#not-match? @import.name "^\\((only|except|prefix|rename)[\\s)]|^\\(\\(|:$")
  (#not-match? @import "\\s@[A-Za-z_]"))
((list . (symbol) @_k
  (list . (symbol) @_f . [(list) @import.name (symbol) @import.name])) @import
  (#any-of? @_k "import" "use-modules") (#any-of? @_f "only" "except" "prefix" "rename")
  (#not-match? @import "\\s@[A-Za-z_]"))
((list . (symbol) @_k (list . (list) @import.name . (keyword))) @import
  (#eq? @_k "use-modules"))
((list . (symbol) @_k (keyword) @_u . (list) @import.name) @import
  (#eq? @_k "define-module") (#eq? @_u "#:use-module"))
((list . (symbol) @_k . (string) @import.relative) @import
  (#any-of? @_k "include" "include-ci" "load"))
