; Emacs Lisp: functions and macros (defun, defsubst, defmacro and their cl- forms, generic
; functions and methods, modes, defalias), variables and constants, cl-defstruct,
; `(provide 'x)` as the module and `(require 'x)` as an import.

(function_definition name: (symbol) @name) @definition.function
(macro_definition name: (symbol) @name) @definition.macro
(special_form "defvar" . (symbol) @name) @definition.variable
(special_form "defconst" . (symbol) @name) @definition.constant

((list . (symbol) @_k . (symbol) @name)
  (#any-of? @_k "cl-defun" "cl-defsubst" "cl-defgeneric" "cl-defmethod" "define-inline"
    "define-minor-mode" "define-derived-mode" "define-globalized-minor-mode"
    "define-generic-mode")) @definition.function
((list . (symbol) @_k . (symbol) @name)
  (#any-of? @_k "cl-defmacro" "define-compiler-macro")) @definition.macro
((list . (symbol) @_k . (symbol) @name)
  (#any-of? @_k "defcustom" "defvar-local" "defvar-keymap" "defface"))
  @definition.variable
((list . (symbol) @_k . (quote (symbol) @name))
  (#any-of? @_k "defalias" "defvaralias")) @definition.function
((list . (symbol) @_k . [(symbol) @name (list . (symbol) @name)])
  (#eq? @_k "cl-defstruct")) @definition.struct

((list . (symbol) @_k . (quote (symbol) @name))
  (#eq? @_k "provide")) @definition.module

((list . (symbol) @_k . (quote (symbol) @import.name)) @import
  (#eq? @_k "require"))
