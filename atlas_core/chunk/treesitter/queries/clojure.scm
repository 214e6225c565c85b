; Clojure: the `ns` form (a module) and the namespaces its `:require`/`:use` name, top-level
; `require`, and the def forms: functions and macros, multimethods, vars, protocols (their
; method signatures), records and types (their inline method bodies).

((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#eq? @_k "ns")) @definition.module

((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#any-of? @_k "defn" "defn-" "defmulti" "defmethod" "definline")) @definition.function
((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#eq? @_k "defmacro")) @definition.macro
((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#any-of? @_k "def" "defonce")) @definition.variable
((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#eq? @_k "defprotocol")) @definition.interface
((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#eq? @_k "definterface")) @definition.interface
((list_lit . (sym_lit name: (sym_name) @_k) . (sym_lit name: (sym_name) @name))
  (#any-of? @_k "defrecord" "deftype")) @definition.class

; a protocol's method signatures, and the methods a record or type implements inline:
; `(perimeter [s])`, `(perimeter [s] (* 2 r))` (functions nested in a protocol or record
; become methods)
((list_lit . (sym_lit name: (sym_name) @_k)
  (list_lit . (sym_lit name: (sym_name) @name) . (vec_lit)) @definition.function)
  (#any-of? @_k "defprotocol" "definterface" "defrecord" "deftype"))

; (ns my.app (:require [clojure.string :as str] clojure.set ["react" :as r]) (:use [x.y]))
((list_lit . (sym_lit name: (sym_name) @_ns)
  (list_lit . (kwd_lit name: (kwd_name) @_r)
    [(vec_lit . [(sym_lit name: (sym_name) @import.name) (str_lit) @import.name]) @import
     (sym_lit name: (sym_name) @import.name) @import]))
  (#eq? @_ns "ns") (#any-of? @_r "require" "use"))
; (require '[clojure.string :as str]) and (require 'clojure.set) in scripts and the REPL
((list_lit . (sym_lit name: (sym_name) @_r)
  (quoting_lit [(vec_lit . (sym_lit name: (sym_name) @import.name))
                (sym_lit name: (sym_name) @import.name)])) @import
  (#any-of? @_r "require" "use"))
