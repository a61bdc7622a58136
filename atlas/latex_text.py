r"""LaTeX formulas as plain Unicode text, for a terminal (``atlas show``).

The registries write their formulas in LaTeX for MathJax; a terminal shows them
as text: ``\beta_1 m_{t-1}`` becomes ``β₁ mₜ₋₁``, ``\frac{a}{b + c}`` becomes
``a/(b + c)``, ``\sqrt{\widehat{v_t}}`` becomes ``√(v̂ₜ)``, and the rows of an
``aligned`` or ``cases`` block become lines, indented by their ``\quad``\s. It
covers the subset the registries use (:data:`SYMBOLS`, :data:`WORDS`,
:data:`TEXT`, :data:`ACCENTS`, fractions, roots, sub- and superscripts); a command
outside it is kept with its backslash, so a test over every registry entry shows
what is missing. Sub- and superscripts use Unicode's small letters where every
character has one (``ₜ₋₁``), else ``_(...)`` and ``^(...)``.
"""

from __future__ import annotations

import re

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ",
    "leftarrow": "←", "rightarrow": "→", "to": "→", "gets": "←", "Rightarrow": "⇒",
    "odot": "⊙", "otimes": "⊗", "cdot": "·", "times": "×", "pm": "±", "mp": "∓",
    "ldots": "…", "cdots": "⋯", "dots": "…", "neq": "≠", "ne": "≠", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "approx": "≈", "sim": "∼", "equiv": "≡", "propto": "∝",
    "in": "∈", "notin": "∉", "subset": "⊂", "emptyset": "∅", "infty": "∞", "nabla": "∇",
    "partial": "∂", "sum": "Σ", "prod": "∏", "int": "∫", "top": "ᵀ", "prime": "′",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "vert": "|",
    "mid": "|", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋",
    "lceil": "⌈", "rceil": "⌉", "{": "{", "}": "}", "_": "_", "%": "%", "&": "&", "#": "#",
    "|": "‖", "R": "ℝ", "land": "∧", "lor": "∨", "neg": "¬", "forall": "∀", "exists": "∃",
}
#: Named operators, shown as their name.
WORDS = ("max", "min", "log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh",
         "arg", "argmin", "argmax", "sup", "inf", "lim", "det", "sign", "erf", "sgn")
#: Spacing commands and their widths; ``\quad`` indents a row of pseudo-code.
SPACES = {"quad": "\x00", "qquad": "\x00\x00", " ": " ", ",": " ", ";": " ", ":": " ",
          "!": "", ">": " "}
#: Relations and arrows, set off by a space on either side.
RELATIONS = ("leftarrow", "rightarrow", "to", "gets", "Rightarrow", "neq", "ne", "le", "leq",
             "ge", "geq", "approx", "sim", "equiv", "propto", "in", "notin", "subset")
#: Large operators, set off by a space before them.
OPERATORS = ("sum", "prod", "int")
#: Simple fractions as one character.
VULGAR = {("1", "2"): "½", ("1", "3"): "⅓", ("2", "3"): "⅔", ("1", "4"): "¼", ("3", "4"): "¾",
          ("1", "6"): "⅙", ("1", "8"): "⅛"}
#: Commands whose one argument is kept as it is, text or math.
TEXT = ("text", "textbf", "textit", "textrm", "textsf", "texttt", "mathrm", "mathit",
        "mathbf", "mathsf", "mathtt", "mathcal", "boldsymbol", "operatorname", "mbox")
#: Sizing commands, dropped before the delimiter they size.
SIZES = ("big", "Big", "bigg", "Bigg", "left", "right", "bigl", "bigr", "Bigl", "Bigr",
         "displaystyle", "textstyle", "limits", "nolimits")
#: Accents, as combining characters after the (first character of the) argument.
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
           "bar": "\u0304", "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307",
           "ddot": "\u0308"}
FRACTIONS = ("frac", "tfrac", "dfrac", "cfrac")
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvxβγρφχ−",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ₋", strict=True))
SUPERSCRIPT = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ−′*",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ⁻′*",
                       strict=True))

_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|(.)", re.S)
#: Marks an indentation step (a ``\\quad``) until the row is laid out.
_INDENT = "\x00"


def to_text(latex: str) -> str:
    """``latex`` as Unicode text: one line per row of an aligned block (``\\\\``), each row's
    ``&`` dropped and its ``\\quad``\\s turned into an indentation of four spaces each; the
    rows of a ``cases`` block continue under the column where the block began."""
    lines = []
    for row in _Parser(latex).rows():
        row = row.replace("\n", " ")
        body = row.lstrip(" " + _INDENT)
        indent = "    " * row[: len(row) - len(body)].count(_INDENT)
        body = re.sub(r" {2,}", " ", body.replace(_INDENT, " ")).rstrip()
        body = re.sub(r" +([)\],])", r"\1", body)
        if body:
            lines.append(indent + body)
    return "\n".join(_layout_cases(lines))


_CASE = "\x01"  # marks a row of a cases block: continue under the block's column


def _layout_cases(lines: list[str]) -> list[str]:
    out: list[str] = []
    column = 0
    for line in lines:
        if _CASE in line:
            head, _, rest = line.partition(_CASE)
            if head.strip():  # the block's first row: it begins after `head`
                column = len(head)
                out.append(head + rest.strip())
            else:
                out.append(" " * column + rest.strip())
        else:
            out.append(line)
    return out


class _Parser:
    """A recursive reader of the LaTeX subset, one token at a time."""

    def __init__(self, latex: str) -> None:
        self.tokens = [(m[1], m[2], m[3]) for m in _TOKEN.finditer(latex)]
        self.i = 0

    def rows(self) -> list[str]:
        """Top level: rows split at ``\\\\``; a cases block's rows become rows too."""
        rows, current = [], ""
        while self.i < len(self.tokens):
            word, symbol, _ = self.tokens[self.i]
            if symbol == "\\":
                self.i += 1
                rows.append(current)
                current = ""
            elif word == "begin":
                self.i += 1
                self._group()  # the environment's name
                first, *more = self._environment()
                rows.append(current + _CASE + first)
                rows += [_CASE + row for row in more]
                current = ""
            else:
                current += self._atom()
        rows.append(current)
        return rows

    def _environment(self) -> list[str]:
        """The rows of an environment up to its ``\\end{...}``: a value, then its condition
        ("if t = 1", "otherwise")."""
        rows, cells, current = [], [], ""
        while self.i < len(self.tokens):
            word, symbol, char = self.tokens[self.i]
            if word == "end":
                self.i += 1
                self._group()
                break
            if symbol == "\\" or char == "&":
                self.i += 1
                cells.append(current)
                current = ""
                if symbol == "\\":
                    rows.append(cells)
                    cells = []
            else:
                current += self._atom()
        cells.append(current)
        rows.append(cells)
        return [_case_row([re.sub(r"\s+", " ", c.replace(_INDENT, " ")).strip() for c in row])
                for row in rows if any(c.strip() for c in row)]

    def _skip_spaces(self) -> None:
        while self.i < len(self.tokens) and (self.tokens[self.i][2] or "x").isspace():
            self.i += 1

    def _group(self) -> str:
        """A braced group (or a single token) as text."""
        self._skip_spaces()
        if self.i >= len(self.tokens):
            return ""
        if self.tokens[self.i][2] == "{":
            self.i += 1
            out = ""
            while self.i < len(self.tokens) and self.tokens[self.i][2] != "}":
                out += self._atom()
            self.i += 1  # the closing brace
            return out
        return self._atom()

    def _raw_group(self) -> str:
        """A braced group's characters as they are (the argument of ``\\text``): escaped
        characters and symbols are read, nothing else."""
        self._skip_spaces()
        if self.i >= len(self.tokens) or self.tokens[self.i][2] != "{":
            return self._group()
        self.i += 1
        depth, out = 1, ""
        while self.i < len(self.tokens):
            word, symbol, char = self.tokens[self.i]
            self.i += 1
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            elif word is not None:
                self.i -= 1
                out += self._atom()  # math inside text: \ldots, \lambda
            elif symbol is not None:
                out += SYMBOLS.get(symbol, SPACES.get(symbol, "\\" + symbol))
            else:
                out += char
        return out

    def _atom(self) -> str:
        word, symbol, char = self.tokens[self.i]
        self.i += 1
        if char is not None:
            if char in "_^":
                return _script(self._group(), SUBSCRIPT if char == "_" else SUPERSCRIPT,
                               char)
            if char == "{":
                self.i -= 1
                return self._group()
            if char in "&}":
                return ""
            if char == "~":
                return " "
            if char == "-":
                return "−"
            if char == "=":
                return " = "
            return char
        if symbol is not None:
            return SPACES.get(symbol) or SYMBOLS.get(symbol, "\\" + symbol)
        return self._command(word)

    def _command(self, word: str) -> str:
        if word in FRACTIONS:
            top, bottom = self._group().strip(), self._group().strip()
            if (top, bottom) in VULGAR:
                return VULGAR[top, bottom]
            return f"{_wrap(top)}/{_wrap(bottom)} "
        if word == "sqrt":
            inner = self._group().strip()
            small = set(SUBSCRIPT.values()) | set(SUPERSCRIPT.values())
            plain = (re.fullmatch(r"[\d.]+", inner) or _one_bracket(inner) or (
                inner[:1].isalpha() and all(c in small or c in "̂̃̄" for c in inner[1:])))
            return "√" + (inner if plain else f"({inner})")
        if word in ACCENTS:
            inner = self._group().strip()
            return inner[:1] + ACCENTS[word] + inner[1:]
        if word in TEXT:
            return self._raw_group()
        if word == "mathbb":
            inner = self._group().strip()
            return SYMBOLS.get(inner, inner)
        if word in SIZES:
            return ""
        if word in SPACES:
            return SPACES[word]
        if word in ("partial", "nabla"):  # ∂L, ∇f: the space after the command is TeX's
            self._skip_spaces()
            return SYMBOLS[word]
        if word in RELATIONS:
            return f" {SYMBOLS[word]} "
        if word in OPERATORS:
            return f" {SYMBOLS[word]}"
        if word in WORDS:
            return word
        if word in SYMBOLS:
            return SYMBOLS[word]
        return "\\" + word


def _case_row(cells: list[str]) -> str:
    """One row of a cases block: the value, then its condition after two spaces."""
    value, *conditions = [c for c in cells if c] or [""]
    condition = " ".join(conditions)
    if condition and not condition.startswith(("if", "otherwise", "else")):
        condition = "if " + condition
    return f"{value}  {condition}".rstrip()


def _wrap(text: str) -> str:
    """``text`` in parentheses unless it is one symbol, a number, or one bracketed whole."""
    text = text.strip()
    if re.fullmatch(r"[\w.′̂̃̄∂∇√]+", text) or _one_bracket(text.removeprefix("√")):
        return text
    return f"({text})"


def _one_bracket(text: str) -> bool:
    """Whether ``text`` is a single ``(...)`` (not ``(a)(b)``)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for k, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth == 0 and k < len(text) - 1:
            return False
    return True


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """A sub- or superscript in small Unicode characters, else ``_(...)`` / ``^(...)``."""
    text = re.sub(r"\s+", "", text.replace(_INDENT, ""))
    small = set(table.values())
    if text and all(c in table or c in small for c in text):
        return "".join(table.get(c, c) for c in text)
    return mark + text if len(text) == 1 else f"{mark}({text})"
