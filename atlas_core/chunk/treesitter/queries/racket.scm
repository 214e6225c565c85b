; inherits: scheme
; Racket: the Scheme definitions, plus `define/contract` and a class's `define/public` and
; friends (methods of the class bound by `(define name% (class ...))`), `struct` and
; `define-struct` as structs, and `module`, `module*` and `module+` submodules. Imports:
; `#lang`, and what `require` names: collections (`racket/list`), files relative to this
; one (`"util.rkt"` gives `./util.rkt`), inside `only-in`, `except-in`, `rename-in`,
; `prefix-in`, `for-syntax` and friends, `(lib "x")` and `(file "x")`.

((list . (symbol) @_k . (list . [(symbol) @name (list . (symbol) @name)]))
  (#any-of? @_k "define/contract" "define/public" "define/private" "define/override"
    "define/augment" "define/pubment" "define/public-final" "define/override-final"
    "define/augride" "define/overment" "define/augment-final"))
  @definition.function
((list . (symbol) @_k . (symbol) @name . (_) @_v)
  (#eq? @_k "define") (#match? @_v "^[(\\[]\\s*(class\\*?|mixin|interface)[\\s)\\]]"))
  @definition.class
((list . (symbol) @_k . [(symbol) @name (list . (symbol) @name)])
  (#any-of? @_k "struct" "define-struct")) @definition.struct
((list . (symbol) @_k . (symbol) @name)
  (#any-of? @_k "module*" "module+")) @definition.module

(extension (lang_name) @import.name) @import

((list . (symbol) @_k [(symbol) @import.name (string) @import.relative]) @import
  (#eq? @_k "require"))
((list . (symbol) @_k
  (list . (symbol) @_f . [(symbol) @import.name (string) @import.relative])) @import
  (#eq? @_k "require") (#any-of? @_f "only-in" "except-in" "rename-in" "combine-in"))
((list . (symbol) @_k
  (list . (symbol) @_f . (_) . [(symbol) @import.name (string) @import.relative])) @import
  (#eq? @_k "require") (#eq? @_f "prefix-in"))
((list . (symbol) @_k
  (list . (symbol) @_f [(symbol) @import.name (string) @import.relative])) @import
  (#eq? @_k "require") (#any-of? @_f "for-syntax" "for-template" "for-label"))
((list . (symbol) @_k (list . (symbol) @_f . (string) @import.name)) @import
  (#eq? @_k "require") (#any-of? @_f "lib" "file"))
