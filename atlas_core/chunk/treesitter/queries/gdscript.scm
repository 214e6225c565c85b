; GDScript (Godot): the script's class_name and its `##` doc comment, inner classes, functions
; and constructors (methods inside an inner class), signals, named enums, constants, and as
; imports the scripts and scenes named by `preload("res://...")` and `extends "res://..."`.

(source (comment)+ @doc . [(annotation) (class_name_statement) (extends_statement)] @doc.before)

(class_name_statement name: (name) @name) @definition.class
(class_definition name: (name) @name) @definition.class
(function_definition name: (name) @name) @definition.function
(constructor_definition "_init" @name) @definition.function
(signal_statement name: (name) @name) @definition.signal
(enum_definition name: (name) @name) @definition.enum
(const_statement name: (name) @name) @definition.constant

((call (identifier) @_f arguments: (arguments . (string) @import.name))
  (#eq? @_f "preload")) @import
(extends_statement (string) @import.name) @import
