; inherits: typescript
; TSX: the TypeScript queries; JSX adds no declarations of its own.
