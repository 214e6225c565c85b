; SQL: tables, views, functions, indexes and types created by the file.

(create_table (object_reference name: (identifier) @name)) @definition.table
(create_view (object_reference name: (identifier) @name)) @definition.view
(create_function (object_reference name: (identifier) @name)) @definition.function
(create_index (identifier) @name) @definition.index
(create_type (object_reference name: (identifier) @name)) @definition.type
