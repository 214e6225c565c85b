; HTML: element ids (`<div id="main-content">` gives `main-content`), `<template id>` as a
; template, custom elements (`<user-card>`, a name with a dash) as elements; `<script src>`
; and `<link rel="stylesheet" href>` as imports. The rest of a page is matched by its text.

((element (_ (tag_name) @_t
    (attribute (attribute_name) @_a
      [(attribute_value) @name (quoted_attribute_value (attribute_value) @name)])))
  (#eq? @_a "id") (#not-eq? @_t "template")) @definition.id
((script_element (start_tag
    (attribute (attribute_name) @_a
      [(attribute_value) @name (quoted_attribute_value (attribute_value) @name)])))
  (#eq? @_a "id")) @definition.id
((element (start_tag (tag_name) @_t
    (attribute (attribute_name) @_a
      [(attribute_value) @name (quoted_attribute_value (attribute_value) @name)])))
  (#eq? @_t "template") (#eq? @_a "id")) @definition.template

((element (_ (tag_name) @name)) (#match? @name "-")) @definition.element

((script_element (start_tag
    (attribute (attribute_name) @_a
      [(attribute_value) @import.name (quoted_attribute_value (attribute_value) @import.name)])))
  (#eq? @_a "src")) @import

; <link rel="stylesheet" href="...">, the two attributes in either order (the tag is the
; statement: a void element's node runs on to the next tag)
(element (_ (tag_name) @_t
    (attribute (attribute_name) @_r
      [(attribute_value) @_v (quoted_attribute_value (attribute_value) @_v)])
    (attribute (attribute_name) @_h
      [(attribute_value) @import.name (quoted_attribute_value (attribute_value) @import.name)])) @import
  (#eq? @_t "link") (#eq? @_r "rel") (#match? @_v "(^|\\s)stylesheet(\\s|$)")
  (#eq? @_h "href"))
(element (_ (tag_name) @_t
    (attribute (attribute_name) @_h
      [(attribute_value) @import.name (quoted_attribute_value (attribute_value) @import.name)])
    (attribute (attribute_name) @_r
      [(attribute_value) @_v (quoted_attribute_value (attribute_value) @_v)])) @import
  (#eq? @_t "link") (#eq? @_r "rel") (#match? @_v "(^|\\s)stylesheet(\\s|$)")
  (#eq? @_h "href"))
