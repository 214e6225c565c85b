; Zig: containers bound to a name (`const Point = struct {...}` is the struct Point; enums,
; unions, opaque types and error sets too), functions (methods inside a container, `extern`
; prototypes too), container fields, constants and variables declared at container level,
; @import and @cInclude, and the file's `//!` doc comment. Test blocks are not symbols.

(source_file (container_doc_comment) @doc)

(Decl (VarDecl variable_type_function: (IDENTIFIER) @name
  (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType "struct")))))) @definition.struct
(Decl (VarDecl variable_type_function: (IDENTIFIER) @name
  (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType "union")))))) @definition.struct
(Decl (VarDecl variable_type_function: (IDENTIFIER) @name
  (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType "enum")))))) @definition.enum
(Decl (VarDecl variable_type_function: (IDENTIFIER) @name
  (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType "opaque")))))) @definition.type
; an error set, alone or merged with others (`error{Full} || Allocator.Error`)
((Decl (VarDecl variable_type_function: (IDENTIFIER) @name) @_decl) @definition.type
  (#match? @_decl "^const\\s+\\w+\\s*=\\s*error\\s*\\{"))

(Decl (FnProto function: (IDENTIFIER) @name)) @definition.function

(ContainerField field_member: (IDENTIFIER) @name) @definition.property

; container-level `const`s, except those the patterns above take, imports, `@This()` and
; aliases of another declaration (`const Allocator = std.mem.Allocator;`); `var`s as variables
(source_file (Decl (VarDecl "const" variable_type_function: (IDENTIFIER) @name) @_decl) @definition.constant
  (#not-match? @_decl "^const\\s+\\w+\\s*=\\s*((packed\\s+|extern\\s+)?(struct|enum|union|opaque)\\b|error\\s*\\{|@(import|cImport|This)\\(|[A-Za-z_]\\w*(\\.[A-Za-z_]\\w*)*\\s*;)"))
(ContainerDecl (Decl (VarDecl "const" variable_type_function: (IDENTIFIER) @name) @_decl) @definition.constant
  (#not-match? @_decl "^const\\s+\\w+\\s*=\\s*((packed\\s+|extern\\s+)?(struct|enum|union|opaque)\\b|error\\s*\\{|@(import|cImport|This)\\(|[A-Za-z_]\\w*(\\.[A-Za-z_]\\w*)*\\s*;)"))
(source_file (Decl (VarDecl "var" variable_type_function: (IDENTIFIER) @name)) @definition.variable)
(ContainerDecl (Decl (VarDecl "var" variable_type_function: (IDENTIFIER) @name)) @definition.variable)

((SuffixExpr
  (BUILTINIDENTIFIER) @_builtin
  (FnCallArguments . (ErrorUnionExpr (SuffixExpr (STRINGLITERALSINGLE) @import.name)))) @import
  (#any-of? @_builtin "@import" "@cInclude"))
