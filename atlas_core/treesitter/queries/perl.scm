; Perl: packages, subroutines and `use`d modules.

(package_statement name: (package) @name) @definition.module
(subroutine_declaration_statement name: (bareword) @name) @definition.function
(use_statement module: (package) @import.name) @import
