; C++: what c.scm finds, plus classes, namespaces, methods defined in a class body or
; outside it (`void Client::send()` is qualified by `Client`) and method declarations.

(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (function_declarator declarator: (field_identifier) @name)) @definition.function
(function_definition declarator: (function_declarator declarator: (destructor_name) @name)) @definition.function
(function_definition declarator: (function_declarator declarator: (operator_name) @name)) @definition.function
(function_definition declarator: (function_declarator
  declarator: (qualified_identifier
    scope: [(namespace_identifier) (template_type name: (type_identifier))] @qualifier
    name: [(identifier) (destructor_name) (operator_name)] @name))) @definition.method
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name))) @definition.function
(function_definition declarator: (reference_declarator (function_declarator declarator: [(identifier) (field_identifier)] @name))) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator
  declarator: (qualified_identifier scope: (namespace_identifier) @qualifier name: (identifier) @name)))) @definition.method
(function_definition declarator: (reference_declarator (function_declarator
  declarator: (qualified_identifier scope: (namespace_identifier) @qualifier name: (identifier) @name)))) @definition.method
(field_declaration_list (field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @definition.function)
(field_declaration_list (declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function)
(translation_unit (declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function)
(declaration_list (declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function)

(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.class
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(template_declaration (class_specifier name: (type_identifier) @name body: (field_declaration_list))) @definition.class
(template_declaration (struct_specifier name: (type_identifier) @name body: (field_declaration_list))) @definition.struct
(template_declaration (function_definition declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(concept_definition name: (identifier) @name) @definition.type
(preproc_function_def name: (identifier) @name) @definition.macro
(preproc_def name: (identifier) @name) @definition.macro

(preproc_include path: (_) @import.name) @import
