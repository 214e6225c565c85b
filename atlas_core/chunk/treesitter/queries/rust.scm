; Rust: functions (methods inside impl and trait blocks), structs, enums, unions, traits,
; type aliases, modules, macros, `use` paths, `mod x;` declarations and `//!` crate docs.

(source_file (line_comment inner: (inner_doc_comment_marker)) @doc)
(source_file (block_comment inner: (inner_doc_comment_marker)) @doc)

(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(mod_item name: (identifier) @name body: (declaration_list)) @definition.module
(macro_definition name: (identifier) @name) @definition.macro
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant

(impl_item type: [
  (type_identifier) @name
  (generic_type type: (type_identifier) @name)
  (scoped_type_identifier name: (type_identifier) @name)
  (reference_type type: (type_identifier) @name)
]) @scope

(use_declaration argument: [
  (identifier) @import.name
  (scoped_identifier) @import.name
  (scoped_use_list path: (_) @import.name)
  (use_as_clause path: (_) @import.name)
  (use_wildcard (_) @import.name)
]) @import
; `mod util;` pulls in util.rs or util/mod.rs
(mod_item name: (identifier) @import.name !body) @import
