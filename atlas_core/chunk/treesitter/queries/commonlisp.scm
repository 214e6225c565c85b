; Common Lisp: defun (and `(setf name)` functions), defgeneric and defmethod as functions,
; defmacro and define-compiler-macro as macros, defclass and define-condition as classes,
; defstruct, deftype, defvar and defparameter as variables, defconstant, and defpackage and
; ASDF's defsystem as modules (named by a symbol: the grammar gives a string no node for
; its text without the quotes). Imports: the packages of a defpackage's `(:use ...)` and
; `(:import-from pkg ...)`, `require`, and a system's `:depends-on`.

(list_lit (defun (defun_header keyword: (defun_keyword) @_k function_name: (_) @name))
  (#any-of? @_k "defun" "defgeneric" "defmethod")) @definition.function
(list_lit (defun (defun_header keyword: (defun_keyword) @_k function_name: (_) @name))
  (#eq? @_k "defmacro")) @definition.macro

((list_lit . (sym_lit) @_k . (sym_lit) @name)
  (#match? @_k "^(?i:define-compiler-macro)$")) @definition.macro
((list_lit . (sym_lit) @_k . (sym_lit) @name)
  (#match? @_k "^(?i:defclass|define-condition)$")) @definition.class
((list_lit . (sym_lit) @_k . [(sym_lit) @name (list_lit . (sym_lit) @name)])
  (#match? @_k "^(?i:defstruct)$")) @definition.struct
((list_lit . (sym_lit) @_k . (sym_lit) @name)
  (#match? @_k "^(?i:deftype)$")) @definition.type
((list_lit . (sym_lit) @_k . (sym_lit) @name)
  (#match? @_k "^(?i:defvar|defparameter)$")) @definition.variable
((list_lit . (sym_lit) @_k . (sym_lit) @name)
  (#match? @_k "^(?i:defconstant)$")) @definition.constant
((list_lit . (sym_lit) @_k . [(sym_lit) @name (kwd_lit (kwd_symbol) @name)])
  (#match? @_k "^(?i:defpackage|define-package|uiop:define-package)$")) @definition.module
((list_lit . [(sym_lit) @_k (package_lit (sym_lit) @_k .)]
  . [(sym_lit) @name (kwd_lit (kwd_symbol) @name)])
  (#match? @_k "^(?i:defsystem)$")) @definition.module

((list_lit . (sym_lit) @_k
  (list_lit . (kwd_lit (kwd_symbol) @_u)
    [(kwd_lit (kwd_symbol) @import.name) (str_lit) @import.name (sym_lit) @import.name]) @import)
  (#match? @_k "^(?i:defpackage|define-package|uiop:define-package)$")
  (#match? @_u "^(?i:use)$"))
((list_lit . (sym_lit) @_k
  (list_lit . (kwd_lit (kwd_symbol) @_u)
    . [(kwd_lit (kwd_symbol) @import.name) (str_lit) @import.name (sym_lit) @import.name]) @import)
  (#match? @_k "^(?i:defpackage|define-package|uiop:define-package)$")
  (#match? @_u "^(?i:import-from|shadowing-import-from)$"))
((list_lit . (sym_lit) @_k
  . [(kwd_lit (kwd_symbol) @import.name) (str_lit) @import.name
     (quoting_lit (sym_lit) @import.name)]) @import
  (#match? @_k "^(?i:require)$"))
(list_lit (kwd_lit (kwd_symbol) @_d) .
  (list_lit [(kwd_lit (kwd_symbol) @import.name) (str_lit) @import.name
             (sym_lit) @import.name]) @import
  (#match? @_d "^(?i:depends-on)$"))
