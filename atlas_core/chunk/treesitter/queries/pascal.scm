; Pascal (Free Pascal, Delphi): units, programs and libraries (modules); classes and
; `object`s, records (structs), interfaces, enumerations, procedural and array types;
; procedures, functions, constructors and destructors (a `TShape.Draw` body is a method of
; TShape, generic `TList<T>.Add` too), unit-level constants; `uses` clauses as imports.

; only the name is the module's chunk: a unit does not qualify what it holds, so a class's
; methods are `TShape.Draw` both where declared and in the `implementation` section
(unit (moduleName) @name @definition.module)
(program (moduleName) @name @definition.module)
(library (moduleName) @name @definition.module)

(declType name: [(identifier) @name (genericTpl entity: (identifier) @name)]
  type: (declClass [(kClass) (kObject)])) @definition.class
(declType name: [(identifier) @name (genericTpl entity: (identifier) @name)]
  type: (declClass (kRecord))) @definition.struct
(declType name: [(identifier) @name (genericTpl entity: (identifier) @name)]
  type: (declIntf)) @definition.interface
(declType name: (identifier) @name type: (type (declEnum))) @definition.enum
(declType name: (identifier) @name type: (type [(declProcRef) (declArray)])) @definition.type

(declProc name: (identifier) @name) @definition.function
(defProc header: (declProc name: (identifier) @name)) @definition.function
(defProc header: (declProc name: (genericDot
  lhs: [(identifier) @qualifier (genericTpl entity: (identifier) @qualifier)]
  rhs: (identifier) @name))) @definition.method

(interface (declConsts (declConst name: (identifier) @name) @definition.constant))
(implementation (declConsts (declConst name: (identifier) @name) @definition.constant))
(program (declConsts (declConst name: (identifier) @name) @definition.constant))
(library (declConsts (declConst name: (identifier) @name) @definition.constant))

(declUses (moduleName) @import.name) @import
