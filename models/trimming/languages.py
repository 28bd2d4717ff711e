"""What the trimmer needs to know about each language, and where its grammar comes from.

Grammars come from the per-language wheels (`tree-sitter-python`, ...), which work offline;
`tree-sitter-language-pack` >= 1.0 downloads grammars at run time and is not used. A language
without rules here, or whose wheel is missing, falls back to the plain line context.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, replace
from functools import cache
from pathlib import PurePosixPath

from tree_sitter import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguageRules:
    name: str
    grammar: tuple[str, str]
    """The wheel's module and the function in it that returns the grammar."""
    functions: frozenset[str]
    """Definitions with a body of statements: the unit the cursor's local context comes from."""
    containers: frozenset[str] = frozenset()
    """Definitions whose bodies hold further definitions (classes, impls, namespaces)."""
    types: frozenset[str] = frozenset()
    """Definitions shown whole when short (structs, interfaces, enums, typedefs)."""
    constants: frozenset[str] = frozenset()
    """Top-level statements that bind a name, shown whole when short and used."""
    wrappers: frozenset[str] = frozenset()
    """Nodes around a definition that belong to its header (decorators, export, template)."""
    imports: frozenset[str] = frozenset()
    comment: str = "//"
    elision: str = "// ..."
    braces: bool = True
    """Bodies open with a brace on the header's last line and close on a line of their own."""

    @property
    def definitions(self) -> frozenset[str]:
        return self.functions | self.containers | self.types


_C_TYPES = frozenset({"struct_specifier", "union_specifier", "enum_specifier", "type_definition"})
_JS_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
        "arrow_function",
        "function_expression",
    }
)
_JS_WRAPPERS = frozenset(
    {"export_statement", "lexical_declaration", "variable_declaration", "variable_declarator"}
)
_TS_TYPES = frozenset(
    {"interface_declaration", "type_alias_declaration", "enum_declaration", "function_signature"}
)

PYTHON = LanguageRules(
    name="python",
    grammar=("tree_sitter_python", "language"),
    functions=frozenset({"function_definition"}),
    containers=frozenset({"class_definition"}),
    constants=frozenset({"expression_statement"}),
    wrappers=frozenset({"decorated_definition"}),
    imports=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    comment="#",
    elision="...",
    braces=False,
)
JAVASCRIPT = LanguageRules(
    name="javascript",
    grammar=("tree_sitter_javascript", "language"),
    functions=_JS_FUNCTIONS,
    containers=frozenset({"class_declaration", "class"}),
    constants=frozenset({"lexical_declaration", "variable_declaration"}),
    wrappers=_JS_WRAPPERS,
    imports=frozenset({"import_statement"}),
)
TYPESCRIPT = LanguageRules(
    name="typescript",
    grammar=("tree_sitter_typescript", "language_typescript"),
    functions=_JS_FUNCTIONS,
    containers=frozenset({"class_declaration", "abstract_class_declaration", "class"}),
    types=_TS_TYPES,
    constants=frozenset({"lexical_declaration", "variable_declaration"}),
    wrappers=_JS_WRAPPERS,
    imports=frozenset({"import_statement"}),
)
TSX = replace(TYPESCRIPT, name="tsx", grammar=("tree_sitter_typescript", "language_tsx"))
GO = LanguageRules(
    name="go",
    grammar=("tree_sitter_go", "language"),
    functions=frozenset({"function_declaration", "method_declaration"}),
    types=frozenset({"type_declaration"}),
    constants=frozenset({"const_declaration", "var_declaration"}),
    imports=frozenset({"import_declaration", "package_clause"}),
)
RUST = LanguageRules(
    name="rust",
    grammar=("tree_sitter_rust", "language"),
    functions=frozenset({"function_item"}),
    containers=frozenset({"impl_item", "trait_item", "mod_item"}),
    types=frozenset({"struct_item", "enum_item", "type_item", "function_signature_item"}),
    constants=frozenset({"const_item", "static_item"}),
    imports=frozenset({"use_declaration", "extern_crate_declaration"}),
)
JAVA = LanguageRules(
    name="java",
    grammar=("tree_sitter_java", "language"),
    functions=frozenset({"method_declaration", "constructor_declaration"}),
    containers=frozenset(
        {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}
    ),
    constants=frozenset({"field_declaration"}),
    imports=frozenset({"import_declaration", "package_declaration"}),
)
C = LanguageRules(
    name="c",
    grammar=("tree_sitter_c", "language"),
    functions=frozenset({"function_definition"}),
    types=_C_TYPES,
    constants=frozenset({"declaration", "preproc_def"}),
    imports=frozenset({"preproc_include"}),
)
CPP = LanguageRules(
    name="cpp",
    grammar=("tree_sitter_cpp", "language"),
    functions=frozenset({"function_definition"}),
    containers=frozenset({"class_specifier", "namespace_definition"}),
    types=_C_TYPES,
    constants=frozenset({"declaration", "preproc_def"}),
    wrappers=frozenset({"template_declaration"}),
    imports=frozenset({"preproc_include", "using_declaration"}),
)

ALL_RULES = (PYTHON, JAVASCRIPT, TYPESCRIPT, TSX, GO, RUST, JAVA, C, CPP)
_BY_NAME = {rules.name: rules for rules in ALL_RULES}
_ALIASES = {
    # LSP language identifiers that name one of the languages above differently.
    "javascriptreact": "javascript",
    "typescriptreact": "tsx",
    "c++": "cpp",
}
_EXTENSIONS = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
}


def rules_for(language_id: str | None, path: str | None = None) -> LanguageRules | None:
    """The rules for an LSP language identifier, else for the file name's extension."""
    if language_id:
        name = _ALIASES.get(language_id.lower(), language_id.lower())
        if name in _BY_NAME:
            return _BY_NAME[name]
    if path:
        return _BY_NAME.get(_EXTENSIONS.get(PurePosixPath(path).suffix.lower(), ""))
    return None


@cache
def grammar(rules: LanguageRules) -> Language | None:
    """The language's grammar from its wheel; None (logged once) when the wheel is missing."""
    module_name, function_name = rules.grammar
    try:
        module = importlib.import_module(module_name)
        return Language(getattr(module, function_name)())
    except (ImportError, AttributeError, ValueError) as error:
        log.warning(
            "no %s grammar (%s): %s files get the line context", rules.name, error, rules.name
        )
        return None
