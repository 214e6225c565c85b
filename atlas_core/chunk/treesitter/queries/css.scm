; CSS: the class and id selectors a stylesheet styles (`.btn-primary` gives `btn-primary`,
; `#main-nav` gives `main-nav`) as selectors, custom properties (`--brand-color`) as
; variables, `@keyframes` names, and `@import` of a string or `url()`. SCSS inherits these.
;
; Each class or id of a selector list is a chunk: the whole rule where the selector sits at
; most five levels down (`.a`, `.a:hover`, `.a .b > p:first-child`), else the selector
; alone (a query cannot match at any depth; of two patterns naming the same node the wider
; is kept). SCSS's `&__title` and `&-x` only complete their parent's name and `.text-#{$k}`
; has none, so they are left out.

; a class or id anywhere: the selector alone
((class_selector (class_name) @name) @_sel @definition.selector
  (#not-match? @_sel "^&[^.]") (#not-match? @name "[{}]"))
((id_selector (id_name) @name) @definition.selector (#not-match? @name "[{}]"))

; ... and the whole rule where it sits at most five levels down
((rule_set (selectors [
    (class_selector (class_name) @name) @_sel
    (_ (class_selector (class_name) @name) @_sel)
    (_ (_ (class_selector (class_name) @name) @_sel))
    (_ (_ (_ (class_selector (class_name) @name) @_sel)))
    (_ (_ (_ (_ (class_selector (class_name) @name) @_sel))))
  ])) @definition.selector
  (#not-match? @_sel "^&[^.]") (#not-match? @name "[{}]"))
((rule_set (selectors [
    (id_selector (id_name) @name)
    (_ (id_selector (id_name) @name))
    (_ (_ (id_selector (id_name) @name)))
    (_ (_ (_ (id_selector (id_name) @name))))
    (_ (_ (_ (_ (id_selector (id_name) @name)))))
  ])) @definition.selector
  (#not-match? @name "[{}]"))

(declaration (property_name) @name (#match? @name "^--")) @definition.variable

(keyframes_statement (keyframes_name) @name) @definition.keyframes

; @import "a.css"; @import url(a.css); @import url("a.css") screen. SCSS's grammar reads a
; list (`@import "a", "b"`) as strings inside and beside an error, and on one line pairs
; quotes wrongly from the third name on: a quoted run holding a comma is no name.
((import_statement [(string_value) @import.name (ERROR (string_value) @import.name)]) @import
  (#match? @import.name "^[\"'][^\"',]*[\"']$"))
((import_statement (call_expression (function_name) @_f (arguments . [(plain_value) (string_value)] @import.name)))
  (#eq? @_f "url")) @import
