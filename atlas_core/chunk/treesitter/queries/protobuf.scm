; Protocol Buffers (the language pack's ``proto`` grammar): the package, messages (nested
; ones qualified by the enclosing message), enums, services and their rpc methods, imports.

(package (full_ident) @name) @definition.module
(message (message_name (identifier) @name)) @definition.struct
(enum (enum_name (identifier) @name)) @definition.enum
(service (service_name (identifier) @name)) @definition.interface
(rpc (rpc_name (identifier) @name)) @definition.method

; ``import "a/b.proto";`` and ``import public|weak "a/b.proto";``
(import (string) @import.name) @import
