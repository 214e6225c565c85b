; Elixir: modules (defmodule, defprotocol, defimpl), functions and macros (clauses of one
; function are merged), @moduledoc, alias/import/require/use.

(call target: (identifier) @_d (arguments (unary_operator operand: (call
  target: (identifier) @_m (arguments (string) @doc))))
  (#eq? @_d "defmodule") (#eq? @_m "moduledoc"))
(call target: (identifier) @_d (do_block (unary_operator operand: (call
  target: (identifier) @_m (arguments [(string) (sigil)] @doc))))
  (#eq? @_d "defmodule") (#eq? @_m "moduledoc"))

((call target: (identifier) @_k (arguments . (alias) @name))
  (#any-of? @_k "defmodule" "defprotocol" "defimpl")) @definition.module

((call target: (identifier) @_k (arguments . [
    (call target: (identifier) @name)
    (identifier) @name
    (binary_operator left: (call target: (identifier) @name) operator: "when")
    (binary_operator left: (identifier) @name operator: "when")
  ]))
  (#any-of? @_k "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate"))
  @definition.function @merge

((call target: (identifier) @_k (arguments . (alias) @import.name))
  (#any-of? @_k "alias" "import" "require" "use")) @import
;; `alias MyApp.{Repo, User}` (no text predicate here: it would clash with #set!)
((call target: (identifier) (arguments . (dot
    left: (alias) @import.prefix
    right: (tuple (alias) @import.name))))
  (#set! separator ".")) @import
