; Groovy (and Gradle scripts): classes, interfaces, enums and traits; methods and top-level
; functions; upper-case constants; Gradle's `task name {...}`; imports and `apply from:`.
;
; The grammar is loose: every statement is a `command` of `unit`s, and a definition is a
; `block` whose first unit is a call (`name(args) {`). What tells a definition from a call
; with a trailing closure (`stage('Build') {`, `println foo(1) {`) is the unit just before
; it: a return type, `def`, `void` or a modifier.

((command (unit . (identifier) @_k .) .
  [(unit [(identifier) @name (generics_class . (identifier) @name)] .)
   (block . (unit [(identifier) @name (generics_class . (identifier) @name)] .))])
  (#eq? @_k "class")) @definition.class
((command (unit . (identifier) @_k .) .
  [(unit [(identifier) @name (generics_class . (identifier) @name)] .)
   (block . (unit [(identifier) @name (generics_class . (identifier) @name)] .))])
  (#eq? @_k "interface")) @definition.interface
((command (unit . (identifier) @_k .) .
  [(unit [(identifier) @name (generics_class . (identifier) @name)] .)
   (block . (unit [(identifier) @name (generics_class . (identifier) @name)] .))])
  (#eq? @_k "enum")) @definition.enum
((command (unit . (identifier) @_k .) .
  [(unit [(identifier) @name (generics_class . (identifier) @name)] .)
   (block . (unit [(identifier) @name (generics_class . (identifier) @name)] .))])
  (#eq? @_k "trait")) @definition.trait

; `String greet(String who) {`, `def run() {`, `static <E> E first(List<E> xs) {`: the block
; from the name to the closing brace (a function inside a class, interface, enum or trait
; becomes a method)
((command (unit) @_t . (block . (unit . (func . (identifier) @name) .)) @definition.function)
  (#match? @_t "^(def|void|static|final|public|private|protected|abstract|synchronized|boolean|byte|char|short|int|long|float|double)\\b|^[A-Z]"))
; bodiless methods of an interface or abstract class: `double area()`
((command (unit . (identifier) @_k .)
  (block (command (unit) @_t . (unit . (func . (identifier) @name) .) .) @definition.function))
  (#any-of? @_k "interface" "class" "trait")
  (#match? @_t "^(def|void|static|final|public|private|protected|abstract|synchronized|boolean|byte|char|short|int|long|float|double)\\b|^[A-Z]"))

; `static final int MAX_RETRIES = 3`
((command (unit) . (unit . (identifier) @name .) . (operators) @_eq) @definition.constant
  (#match? @name "^[A-Z][A-Z0-9_]*$") (#eq? @_eq "="))

; Gradle: `task hello {`, `task copyDocs(type: Copy) {`
((command . (unit . (identifier) @_t .) .
  [(unit . [(identifier) @name (func . (identifier) @name)] .)
   (block . (unit . [(identifier) @name (func . (identifier) @name)] .))])
  (#eq? @_t "task")) @definition.task

; import a.b.C / import static a.b.C.name / import a.b.* (the grammar has no `.*`: the
; chunker parses it as blanks, so the name is the package `a.b`)
((command . (unit . (identifier) @_i .) . (unit) @import.name) @import
  (#eq? @_i "import") (#not-eq? @import.name "static"))
((command . (unit . (identifier) @_i .) . (unit . (identifier) @_s .) . (unit) @import.name) @import
  (#eq? @_i "import") (#eq? @_s "static"))
; Gradle: apply from: 'gradle/publish.gradle' (not an interpolated "$rootDir/...")
((command . (unit . (identifier) @_a .) . (unit . (identifier) @_f .) . (arg_spliter) .
  (string) @import.relative) @import
  (#eq? @_a "apply") (#eq? @_f "from") (#not-match? @import.relative "\\$"))
