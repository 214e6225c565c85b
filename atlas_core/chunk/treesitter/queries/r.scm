; R: functions assigned with <-, = or <<-, library()/require() and source().

(binary_operator lhs: (identifier) @name operator: ["<-" "=" "<<-"] rhs: (function_definition)) @definition.function
(binary_operator lhs: (string (string_content) @name) operator: ["<-" "="] rhs: (function_definition)) @definition.function
(binary_operator lhs: (identifier) @name operator: "<-"
  rhs: (call function: (identifier) @_c) (#any-of? @_c "setRefClass" "R6Class" "setClass")) @definition.class

((call function: (identifier) @_f arguments: (arguments . (argument value: [(identifier) (string (string_content))] @import.name)))
  (#any-of? @_f "library" "require" "requireNamespace" "source")) @import
