; inherits: css
; SCSS: the CSS queries, and top-level `$variables`, `@mixin` and `@function` names,
; `%placeholder` selectors, `@use` and `@forward`. The grammar trips on some Sass maps
; (`$m: (a: 1, b: 2)`) and trailing commas: what it cannot read is skipped, at times with
; the statements after it.

(stylesheet (declaration (property_name) @name (#match? @name "^\\$")) @definition.variable)

(mixin_statement name: (identifier) @name) @definition.mixin
(function_statement name: (identifier) @name) @definition.function

(rule_set (selectors (placeholder (identifier) @name))) @definition.selector

; @use "sass:math"; @use "base" as b; @forward "src/list" hide x;
(use_statement (string_value) @import.name) @import
(forward_statement (string_value) @import.name) @import
