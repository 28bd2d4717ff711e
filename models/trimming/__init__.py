"""The tree-sitter context trimmer: which parts of a file the model sees for a cursor."""
