; inherits: javascript
; TypeScript: what javascript.scm finds, plus interfaces, type aliases, enums, abstract
; classes, namespaces, and the method signatures of interfaces and abstract classes.

(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (identifier) @name) @definition.module
(function_signature name: (identifier) @name) @definition.function
(method_signature name: (property_identifier) @name) @definition.method
(abstract_method_signature name: (property_identifier) @name) @definition.method
(ambient_declaration (module name: (string (string_fragment) @name)) @definition.module)

(import_require_clause source: (string (string_fragment) @import.name)) @import
