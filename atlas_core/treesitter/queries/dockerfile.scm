; Dockerfiles: named build stages.

(from_instruction as: (image_alias) @name) @definition.stage
