; GraphQL: object types, interfaces, enums, input objects, unions, scalars and directives;
; ``extend`` of each (a chunk named after the extended type); ``schema`` blocks; named
; operations and fragments (as functions); the fields of the root types Query, Mutation and
; Subscription as methods (``Mutation.createUser``), since a task often names a resolver.

(object_type_definition (name) @name) @definition.class
(interface_type_definition (name) @name) @definition.interface
(enum_type_definition (name) @name) @definition.enum
(input_object_type_definition (name) @name) @definition.struct
(union_type_definition (name) @name) @definition.type
(scalar_type_definition (name) @name) @definition.type
(directive_definition (name) @name) @definition.directive

(object_type_extension (name) @name) @definition.class
(interface_type_extension (name) @name) @definition.interface
(enum_type_extension (name) @name) @definition.enum
(input_object_type_extension (name) @name) @definition.struct
(union_type_extension (name) @name) @definition.type
(scalar_type_extension (name) @name) @definition.type

(schema_definition "schema" @name) @definition.schema
(schema_extension "schema" @name) @definition.schema

(operation_definition (name) @name) @definition.function
(fragment_definition (fragment_name (name) @name)) @definition.function

; root types named by convention; a schema block that renames them is not followed
(object_type_definition
  (name) @_root (#any-of? @_root "Query" "Mutation" "Subscription")
  (fields_definition (field_definition (name) @name) @definition.method))
(object_type_extension
  (name) @_root (#any-of? @_root "Query" "Mutation" "Subscription")
  (fields_definition (field_definition (name) @name) @definition.method))
