"""Make untrusted paper text safe, and comfortable, to show in a terminal.

Titles and abstracts come from files and services we do not control. They may hold ANSI
or OSC escape sequences, other control characters and stray whitespace. These functions
return plain text with none of that; the UI then shows it literally (never as markup).
The store keeps the original text.

For reading, :func:`display_title` and :func:`display_abstract` also turn the text's
HTML tags and entities into text, repair mojibake (``CafÃ©`` → ``Café``, with ftfy) and
make its LaTeX readable (``$\\mathcal{O}(n^2)$`` → ``𝒪(n²)``, :func:`readable_math`, with
pylatexenc). pylatexenc and ftfy are imported on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the
# 8-bit CSI/OSC introducers.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
# Line and paragraph breaks in their many spellings, made plain newlines first so the
# words on either side stay apart.
_BREAKS = [("\r\n", "\n"), ("\r", "\n"), ("\x0b", "\n"), ("\x0c", "\n"),
           ("\x85", "\n"), ("\u2028", "\n"), ("\u2029", "\n\n")]
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c\u00a0]+")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept)."""
    text = _ESCAPES.sub("", text)
    for brk, newline in _BREAKS:
        text = text.replace(brk, newline)
    return _CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """One line of safe text: controls removed, all whitespace runs folded to one space."""
    return _SPACES.sub(" ", strip_controls(text)).strip()


def clean_block(text: str) -> str:
    """Safe multi-paragraph text: paragraphs (blank-line separated) kept, lines re-flowed."""
    text = strip_controls(text)
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in (clean_line(p) for p in paragraphs) if p)


# -- HTML --------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4",
               "h5", "h6", "tr", "table", "pre", "section", "article"}


@lru_cache(maxsize=1)
def _text_extractor() -> type:
    """The HTML parser class of :func:`html_to_text`, made on first use: importing
    ``html.parser`` is for feeds, not for showing papers."""
    from html.parser import HTMLParser

    class TextExtractor(HTMLParser):
        """The text of an HTML fragment: entities unescaped, block elements as paragraph
        breaks, script and style content dropped."""

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skipping = 0

        def handle_starttag(self, tag, attrs) -> None:
            if tag in ("script", "style"):
                self._skipping += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n\n")

        def handle_endtag(self, tag) -> None:
            if tag in ("script", "style"):
                self._skipping = max(self._skipping - 1, 0)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n\n")

        def handle_data(self, data) -> None:
            if not self._skipping:
                self.parts.append(data)

    return TextExtractor


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (paragraph breaks kept as blank lines).

    For text known to be HTML (a feed says so). Text that merely may hold a few tags
    (``a<b and c>d`` is not HTML) goes through :func:`display_abstract` instead, which
    converts known tags only.
    """
    extractor = _text_extractor()()
    extractor.feed(html)
    extractor.close()
    return "".join(extractor.parts)


# For display: only well-known tags are converted, so "a<b and c>d" stays as it is.
# <br> becomes _LINE_BREAK (a line separator; strip_controls has turned every one in the
# source into a newline already) so that it survives paragraph re-flowing.
_LINE_BREAK = "\u2028"
# A tag's attributes must look like attributes (name=value), so that "a<b and c>d" is
# not read as a <b> tag.
_ATTRIBUTES = r"""(?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))*\s*/?"""
_BR_TAG = re.compile(rf"<br{_ATTRIBUTES}>", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"<(?:p|div|li|ul|ol|blockquote|h[1-6]|tr|table|pre|section|article|dl|dt|dd)"
    rf"{_ATTRIBUTES}>|</(?:p|div|li|ul|ol|blockquote|h[1-6]|tr|table|pre|section|article"
    r"|dl|dt|dd)\s*>",
    re.IGNORECASE,
)
_INLINE_NAMES = (
    "a|abbr|b|big|cite|code|del|dfn|em|font|i|ins|kbd|mark|nobr|q|s|samp|small|span"
    "|strike|strong|sub|sup|tt|u|var|wbr|td|th|tbody|thead|img|sc"
)
_INLINE_TAG = re.compile(
    rf"<(?:{_INLINE_NAMES}){_ATTRIBUTES}>|</(?:{_INLINE_NAMES})\s*>", re.IGNORECASE
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape_entities(text: str) -> str:
    if "&" not in text:
        return text
    import html  # (its table of entities loads only for text that has one)

    return _ENTITY.sub(lambda match: html.unescape(match.group()), text)


def _html_for_display(text: str) -> str:
    """Known HTML tags in ``text`` as text; entities unescaped; anything else kept."""
    if "<" in text:
        text = _replace_elements(text, "<!--", "-->", lambda inner: "")
        for name in ("script", "style"):
            text = _replace_elements(text, name, None, lambda inner: "")
        for name in ("sub", "sup"):

            def script(inner: str, superscript: bool = name == "sup") -> str:
                inner = _unescape_entities(_INLINE_TAG.sub("", inner))
                return _script_text(inner, superscript=superscript)

            text = _replace_elements(text, name, None, script)
        text = _BR_TAG.sub(_LINE_BREAK, text)
        text = _BLOCK_TAG.sub("\n\n", text)
        text = _INLINE_TAG.sub("", text)
    return _unescape_entities(text)


def _replace_elements(text: str, name: str, closing: str | None, replace) -> str:
    """Each ``<name ...>inner</name>`` of ``text`` (or ``name...closing`` when
    ``closing`` is given, for comments) as ``replace(inner)``. Linear: once a start has
    no end after it, no later start has one either."""
    if closing is None:
        start_tag = re.compile(rf"<{name}{_ATTRIBUTES}>", re.IGNORECASE)
        end_tag = re.compile(rf"</{name}\s*>", re.IGNORECASE)
    else:
        start_tag = re.compile(re.escape(name))
        end_tag = re.compile(re.escape(closing))
    out = []
    position = 0
    while (start := start_tag.search(text, position)) is not None:
        end = end_tag.search(text, start.end())
        if end is None:
            break
        out.append(text[position : start.start()])
        out.append(replace(text[start.end() : end.start()]))
        position = end.end()
    out.append(text[position:])
    return "".join(out)


# -- sub- and superscripts ---------------------------------------------------------------

_SUPERSCRIPTS = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ∘⊤",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ°ᵀ",
))
# Marks that are written raised anyway: x^* is x*, x^\prime is x′.
_SUPERSCRIPTS.update((mark, mark) for mark in "*∗⋆†‡′″‴")
_SUPERSCRIPTS["'"] = "′"
_SUBSCRIPTS = dict(zip(
    "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
))


def _script_text(text: str, superscript: bool) -> str:
    """``text`` raised or lowered with Unicode characters when they all exist, else
    marked the TeX way: ``^2`` → ``²``, ``_max`` → ``ₘₐₓ``, ``_{i,j}`` stays."""
    table = _SUPERSCRIPTS if superscript else _SUBSCRIPTS
    squeezed = "".join(text.split())
    if squeezed and all(char in table for char in squeezed):
        return "".join(table[char] for char in squeezed)
    mark = "^" if superscript else "_"
    if len(squeezed) == 1 or squeezed.isalnum():
        return mark + squeezed
    return mark + "{" + text.strip() + "}"


# -- LaTeX -------------------------------------------------------------------------------

# Placeholders for text worked out before pylatexenc sees the rest: characters of the
# supplementary private use area, which no abstract holds (one that does is left as is).
_SLOT = 0xF0000
_SLOTS = re.compile("[\U000f0000-\U000fffff]")
# How deeply scripts (x^{y^{z}}) and groups ({\em {\bf x}}) may nest before the rest is
# shown as written: keeps the work bounded on pathological input.
_MAX_DEPTH = 12
# Macros that take one argument, in math (for ``x_\mathcal{D}``) and glued to a letter by
# upstream damage (``\mathbbR``, ``\sqrtT``).
_ONE_ARGUMENT = frozenset(
    "mathbb mathcal mathbf mathrm mathsf mathit mathtt mathfrak mathscr mathds mathbbm "
    "boldsymbol bm text textrm textbf textit textsc texttt textsf emph operatorname "
    "sqrt tilde widetilde hat widehat bar overline vec dot ddot check breve underline".split()
)
_TWO_ARGUMENTS = frozenset(("frac", "tfrac", "dfrac", "binom"))
_GLUED = re.compile(
    r"\\(mathbb|mathcal|mathbf|mathrm|mathsf|mathfrak|mathscr|boldsymbol|textrm|textsc"
    r"|textbf|textit|sqrt|emph|text)([A-Za-z]{1,4})(?![A-Za-z])"
    r"|\\(widetilde|widehat|overline|tilde|hat|bar|vec|dot)([A-Za-z])(?![A-Za-z])"
)
_MACRO_NAME = re.compile(r"\\([A-Za-z]+)\*?")
# Letter-like macros after which LaTeX drops a space ("Stra\ss e").
_LETTER_MACROS = frozenset("ss o O ae AE oe OE aa AA l L i j dh DH th TH ng NG".split())
_ACCENTS = "\"'`^~=."
_ESCAPED = {"%": "%", "&": "&", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
            ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "/": "", "-": "", "@": ""}
# Words a reader would miss if a conversion dropped them; styled letters don't count
# (\mathcal{AB} becomes 𝒜ℬ).
_STYLED = re.compile(
    r"\\(?:mathcal|mathbb|mathfrak|mathscr|mathds|mathbbm)\s*(?:\{[^{}]*\}|[A-Za-z])"
    r"|\\(?:text)?color\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}"
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_UNESCAPED = re.compile(r"(?<!\\)([%&])")
_MATHY = re.compile(r"[\\^_{}]")
_SPACE = re.compile(r"\s")
_BLANK_LINE = re.compile(r"\n\s*\n")
_LINK_COMMAND = re.compile(r"\\(?:href|url)(?![A-Za-z])")
_DELIMITER_DOT = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)\s*\.")


class _Converter:
    """pylatexenc set up for abstracts: built on first use (importing it takes time)."""

    _instance: _Converter | None = None

    def __init__(self) -> None:
        import logging

        from pylatexenc import latex2text, latexwalker
        from pylatexenc.macrospec import MacroSpec

        # pylatexenc logs problems; never let them reach a terminal the UI draws on.
        logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
        self.walker_module = latexwalker
        walker_db = latexwalker.get_default_latex_context_db()
        walker_db.add_context_category("reader", prepend=True, macros=[
            *(MacroSpec(name, "{") for name in (
                "texttt textsf textsl textup textnormal textmd mbox hbox mathit mathsf "
                "mathtt mathrm mathds mathbbm boldsymbol bm underline uline enquote "
                "operatorname textsuperscript textsubscript unicode smash".split())),
            *(MacroSpec(name, "{{") for name in ("tfrac", "dfrac", "binom", "hyperlink")),
            MacroSpec("color", "[{"),
        ])
        T = latex2text.MacroTextSpec
        style = latex2text.fmt_math_text_style

        # pylatexenc hands a callable its converter only under the name "l2tobj".
        def arg(node, l2tobj, index=0) -> str:
            return l2tobj.node_arg_to_text(node, index)

        def fraction(node, l2tobj) -> str:
            return f"{_operand(arg(node, l2tobj, 0))}/{_operand(arg(node, l2tobj, 1))}"

        def root(node, l2tobj) -> str:
            index = arg(node, l2tobj, 0).strip()
            sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
            return (sign or _script_text(index, True) + "√") + _operand(arg(node, l2tobj, 1))

        def binomial(node, l2tobj) -> str:
            return f"({arg(node, l2tobj, 0)} choose {arg(node, l2tobj, 1)})"

        def double_struck(node, l2tobj) -> str:
            return style(arg(node, l2tobj).replace("1", "𝟙"), "doublestruck")

        def code_point(node, l2tobj) -> str:
            value = arg(node, l2tobj).strip()
            return chr(int(value[1:], 16) if value[:1] in "xX" else int(value))

        def superscript(node, l2tobj) -> str:
            return _script_text(arg(node, l2tobj), True)

        def subscript(node, l2tobj) -> str:
            return _script_text(arg(node, l2tobj), False)

        def second(node, l2tobj) -> str:
            return arg(node, l2tobj, 1)

        def degree(node) -> str:
            # arXiv's listings write ° as {\deg}; in math \deg is the operator.
            return "deg" if _in_math(node) else "°"

        plain = ("texttt textsf textsl textup textnormal textmd mbox hbox mathit mathsf "
                 "mathtt mathrm mathbf boldsymbol bm underline uline enquote operatorname "
                 "smash").split()
        switches = ("left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr "
                    "Biggl Biggr em it bf rm sf tt sc sl up md cal small large Large LARGE "
                    "normalsize footnotesize scriptsize tiny huge Huge displaystyle textstyle "
                    "scriptstyle limits nolimits noindent centering").split()
        db = latex2text.get_default_latex_context_db()
        db.add_context_category("reader", prepend=True, macros=[
            *(T(name, discard=False) for name in plain),
            *(T(name, "") for name in switches),
            *(T(name, simplify_repl=fraction) for name in ("frac", "tfrac", "dfrac", "nicefrac")),
            T("sqrt", simplify_repl=root),
            T("binom", simplify_repl=binomial),
            T("mathbb", simplify_repl=double_struck),
            T("mathds", simplify_repl=double_struck),
            T("mathbbm", simplify_repl=double_struck),
            T("textsuperscript", simplify_repl=superscript),
            T("textsubscript", simplify_repl=subscript),
            T("unicode", simplify_repl=code_point),
            T("hyperlink", simplify_repl=second),
            T("color", ""),
            T("deg", simplify_repl=degree),
            T("prime", "′"),
            T("coloneqq", "≔"), T("eqqcolon", "≕"), T("colon", ":"),
            T("eg", "e.g."), T("ie", "i.e."), T("etc", "etc."), T("eps", "ε"),
            T("textasciitilde", "~"), T("textasciicircum", "^"), T("textbackslash", "\\"),
        ])
        db.add_context_category("reader-specials", prepend=True, specials=[
            latex2text.SpecialsTextSpec("&", "&"),
            latex2text.SpecialsTextSpec("~", "~"),
        ])

        class NodesToText(latex2text.LatexNodes2Text):
            """Keeps the space written after a bare macro that stands for something
            (``x \\in \\mathbb{R}`` → ``x ∈ ℝ``; ``{\\em word}`` → ``word``)."""

            def nodelist_to_text(self, nodelist):
                parts = []
                last = len(nodelist) - 1
                for position, node in enumerate(nodelist):
                    text = self.node_to_text(node)
                    parts.append(text)
                    if (text and position < last and self._is_bare_macro_node(node)
                            and getattr(node, "macro_post_space", "")):
                        parts.append(" ")
                return "".join(parts)

        self.walker_db = walker_db
        self.db = db
        self.l2t = NodesToText(
            latex_context=db,
            math_mode="text",
            strict_latex_spaces={
                "between-macro-and-chars": True,
                "between-latex-constructs": True,
                "after-comment": False,
                "in-equations": None,
            },
        )

    @classmethod
    def get(cls) -> _Converter:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def known(self, name: str) -> bool:
        return self.db.get_macro_spec(name) is not None

    def to_text(self, latex: str) -> str:
        """``latex`` as text; raises on anything pylatexenc cannot parse strictly."""
        walker = self.walker_module.LatexWalker(
            latex, latex_context=self.walker_db, tolerant_parsing=False
        )
        nodes, _, _ = walker.get_latex_nodes()
        return self.l2t.nodelist_to_text(nodes)


def _in_math(node) -> bool:
    state = getattr(node, "parsing_state", None)
    return bool(getattr(state, "in_math_mode", False))


def _operand(text: str) -> str:
    """A fraction's or root's operand, in parentheses when it is more than one term."""
    text = text.strip()
    if len(text) > 1 and re.search(r"[\s+\-−*/·×=<>±∓,]", text):
        return f"({text})"
    return text


def _group_end(text: str, start: int) -> int:
    """The index after the ``}`` that closes the ``{`` at ``start``; -1 when unclosed."""
    return _brace_pairs(text).get(start, -1)


_BRACE_TOKEN = re.compile(r"\\.|[{}]", re.DOTALL)


@lru_cache(maxsize=64)
def _brace_pairs(text: str) -> dict[int, int]:
    """Where each ``{`` of ``text`` that is closed opens → the index after its ``}``
    (escaped braces skipped). One pass, so unclosed groups cost nothing more."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for token in _BRACE_TOKEN.finditer(text):
        brace = token.group()
        if brace == "{":
            stack.append(token.start())
        elif brace == "}" and stack:
            pairs[stack.pop()] = token.end()
    return pairs


class _Latex:
    """One conversion: holds the placeholders (slots) worked out along the way."""

    def __init__(self) -> None:
        self.converter = _Converter.get()
        self.slots: list[str] = []

    def slot(self, text: str) -> str:
        self.slots.append(text)
        return chr(_SLOT + len(self.slots) - 1)

    def restore(self, text: str) -> str:
        return _SLOTS.sub(lambda match: self.slots[ord(match.group()) - _SLOT], text)

    def convert(self, latex: str, math: bool, depth: int = 0) -> str:
        """``latex`` (math content without its delimiters when ``math``) as text."""
        if depth > _MAX_DEPTH:
            raise ValueError("nested too deeply")
        if math:
            latex = self._scripts(latex, depth)
        latex = self._prepare(latex)
        source = f"${latex}$" if math else latex
        text = self.converter.to_text(source)
        if math:
            text = text.replace("\u00a0", " ")
        # Nothing may vanish: every word pylatexenc was given must come back.
        checked = _MACRO_NAME.sub(" ", _STYLED.sub(" ", latex))
        for word in _WORD.findall(checked):
            if word not in text:
                raise ValueError(f"lost {word!r}")
        for match in _SLOTS.finditer(latex):
            if text.count(match.group()) != 1:
                raise ValueError("lost a placeholder")
        return self.restore(text)

    def _scripts(self, latex: str, depth: int) -> str:
        """Math with every ``^x`` / ``_{x}`` replaced by a slot holding its text."""
        out = []
        position = 0
        length = len(latex)
        while position < length:
            char = latex[position]
            if char == "\\":
                match = _MACRO_NAME.match(latex, position)
                end = match.end() if match else position + 2
                out.append(latex[position:end])
                position = end
                continue
            if char not in "^_":
                out.append(char)
                position += 1
                continue
            start = position + 1
            while start < length and latex[start] == " ":
                start += 1
            argument, position = self._script_argument(latex, start)
            text = self.convert(argument, math=True, depth=depth + 1)
            out.append(self.slot(_script_text(text, superscript=char == "^")))
        return "".join(out)

    @staticmethod
    def _script_argument(latex: str, start: int) -> tuple[str, int]:
        if start >= len(latex):
            raise ValueError("a script without its argument")
        char = latex[start]
        if char == "{":
            end = _group_end(latex, start)
            if end < 0:
                raise ValueError("unbalanced braces")
            return latex[start + 1 : end - 1], end
        if char == "\\":
            match = _MACRO_NAME.match(latex, start)
            if not match:
                return latex[start : start + 2], start + 2
            end = match.end()
            name = match.group(1)
            arguments = 2 if name in _TWO_ARGUMENTS else 1 if name in _ONE_ARGUMENT else 0
            for _ in range(arguments):
                group_end = _group_end(latex, end) if latex[end : end + 1] == "{" else -1
                if group_end < 0:
                    break
                end = group_end
            return latex[start:end], end
        if char in "}^_":
            raise ValueError("a script without its argument")
        return char, start + 1

    def _prepare(self, latex: str) -> str:
        """``latex`` ready for pylatexenc: ``%`` and ``&`` literal, glued macros split
        (``\\mathbbR``), unknown macros kept verbatim (``\\foo{x}`` stays)."""
        latex = _UNESCAPED.sub(r"\\\1", latex)
        latex = _DELIMITER_DOT.sub("", latex)
        converter = self.converter

        def glued(match: re.Match) -> str:
            name, argument = match.group(1, 2) if match.group(1) else match.group(3, 4)
            if converter.known(name + argument):
                return match.group()
            return f"\\{name}{{{argument}}}"

        latex = _GLUED.sub(glued, latex)
        if "\\" not in latex:
            return latex
        out = []
        position = 0
        length = len(latex)
        while position < length:
            start = latex.find("\\", position)
            if start < 0:
                out.append(latex[position:])
                break
            out.append(latex[position:start])
            match = _MACRO_NAME.match(latex, start)
            if not match:
                out.append(latex[start : start + 2])
                position = start + 2
                continue
            position = match.end()
            if converter.known(match.group(1)):
                out.append(match.group())
                continue
            # Unknown: the name and its braced arguments shown as written.
            out.append(self.slot(match.group()))
            while latex[position : position + 1] == "{":
                end = _group_end(latex, position)
                if end < 0:
                    break
                out.append("\\{" + latex[position + 1 : end - 1] + "\\}")
                position = end
        return "".join(out)


def _math_end(text: str, start: int) -> tuple[int, int, int] | None:
    """The math span opening at ``text[start]`` (a ``$``, ``\\(`` or ``\\[``) as
    (content start, content end, span end), or None when it is not math.

    A ``$`` pairs with the next unescaped ``$`` only, and ``$...$`` is math when:

    * its content neither starts nor ends with a space (Pandoc's rule: "$5 and $10" is
      not math) or, when it does (arXiv's "$ d $"), the content holds ``\\``, ``^``,
      ``_``, a brace or ``=``, or is a single token ("$ T $", "$ 4.8$");
    * the closing ``$`` is not followed by a digit ("$5-$10"), unless the content holds
      ``\\``, ``^``, ``_`` or a brace ("$\\ge$768").
    """
    length = len(text)
    if text.startswith("\\(", start) or text.startswith("\\[", start):
        closing = "\\)" if text[start + 1] == "(" else "\\]"
        end = text.find(closing, start + 2)
        if end < 0 or "$" in text[start + 2 : end] or not text[start + 2 : end].strip():
            return None
        return start + 2, end, end + 2
    if text.startswith("$$", start):
        end = text.find("$$", start + 2)
        if end < 0 or not text[start + 2 : end].strip():
            return None
        return start + 2, end, end + 2
    position = start + 1
    while position < length:
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "$":
            break
        position += 1
    else:
        return None
    content = text[start + 1 : position]
    stripped = content.strip()
    if not stripped or _BLANK_LINE.search(content):  # math never spans paragraphs
        return None
    mathy = _MATHY.search(stripped) is not None
    if stripped != content and not (mathy or "=" in stripped or not _SPACE.search(stripped)):
        return None
    if text[position + 1 : position + 2].isdigit() and not mathy:
        return None
    return start + 1, position, position + 1


def readable_math(text: str) -> str:
    """``text`` with its LaTeX made readable Unicode, for display only.

    Math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``; see :func:`_math_end` for
    which dollars count) and LaTeX commands in the text become Unicode: ``$\\alpha$`` → α,
    ``Schr\\"odinger`` → Schrödinger, ``95\\%`` → 95%, ``$\\mathcal{O}(n^2)$`` → 𝒪(n²),
    ``$x_i$`` → xᵢ (``x_{i,j}`` where Unicode has no such subscript), ``\\frac{a}{b}`` → a/b,
    ``\\sqrt{x}`` → √x, ``\\textbf{x}`` → x. An unknown command stays as written
    (``\\foo{x}``), and a span that cannot be converted without losing words (or is not
    valid LaTeX) is kept as it is. Text without ``$`` or ``\\`` comes back unchanged.
    """
    return _readable_math(text, 0)


def _readable_math(text: str, depth: int) -> str:
    """:func:`readable_math` for text ``depth`` groups deep."""
    if "$" not in text and "\\" not in text:
        return text
    if depth > _MAX_DEPTH or _SLOTS.search(text):
        return text
    out: list[str] = []
    position = 0  # where the text not yet copied starts
    scan = 0
    length = len(text)
    while scan < length:
        char = text[scan]
        if char == "$" or (char == "\\" and text[scan + 1 : scan + 2] in ("(", "[")):
            span = _math_end(text, scan)
            if span is None:
                scan += 2 if text.startswith("$$", scan) else 1
                continue
            content_start, content_end, end = span
            content = text[content_start:content_end]
            out.append(text[position:scan])
            if _LINK_COMMAND.search(content):
                # "$\href{...}{...}$" and the like: a link in math clothing.
                out.append(_readable_math(content, depth + 1))
            else:
                out.append(_convert_or_keep(content, text[scan:end], True))
            position = scan = end
            continue
        if char == "\\":
            end, replacement = _text_command(text, scan, depth)
            if end > scan:
                out.append(text[position:scan])
                out.append(replacement)
                position = scan = end
                continue
        elif char == "{" and text[scan + 1 : scan + 2] == "\\":
            # A TeX group such as {\"o}, {\em text} or {\deg}: its content, converted.
            end = _group_end(text, scan)
            if end > 0:
                inner = text[scan + 1 : end - 1]
                converted = _readable_math(inner, depth + 1)
                if converted != inner:
                    out.append(text[position:scan])
                    out.append(converted)
                    position = end
                # else nothing inside was understood: the group stays, braces and all.
                scan = end
                continue
        scan += 1
    out.append(text[position:])
    return "".join(out)


def _convert_or_keep(latex: str, original: str, math: bool) -> str:
    try:
        return _Latex().convert(latex, math=math)
    except Exception:  # noqa: BLE001 - any failure of pylatexenc: show the source
        return original


def _text_command(text: str, start: int, depth: int) -> tuple[int, str]:
    """The LaTeX command at ``text[start]`` (a backslash, outside math) and its text;
    (start, "") when there is none."""
    following = text[start + 1 : start + 2]
    if not following:
        return start, ""
    if following in _ESCAPED:
        return start + 2, _ESCAPED[following]
    if following == "\\":
        return start + 2, "\n"
    if following in _ACCENTS:
        end = start + 2
        if text[end : end + 1] == "{":
            end = _group_end(text, end)
        elif text[end : end + 1] == "\\":
            match = _MACRO_NAME.match(text, end)
            end = match.end() if match else -1
        elif text[end : end + 1].isalpha():
            end += 1
        else:
            end = -1
        if end < 0:
            return start, ""
        return end, _convert_or_keep(text[start:end], text[start:end], False)
    match = _MACRO_NAME.match(text, start)
    if not match:
        return start, ""
    name = match.group(1)
    end = match.end()
    if name in _TEXT_WRAPPERS:
        converted = _text_wrapper(text, start, name, end, depth)
        if converted is not None:
            return converted
    groups_end = end
    while text[groups_end : groups_end + 1] == "{":
        group_end = _group_end(text, groups_end)
        if group_end < 0:
            break
        groups_end = group_end
    converted = _convert_or_keep(text[start:groups_end], text[start:groups_end], False)
    # LaTeX drops the space after a bare command: keep it unless the command was a
    # switch ("{\em word}") or a letter inside a word ("Stra\ss e").
    if groups_end == end and text[end : end + 1] == " " and (
        not converted or (name in _LETTER_MACROS and text[end + 1 : end + 2].isalpha())
    ):
        return end + 1, converted
    return groups_end, converted


# Commands whose braced arguments are text, converted by readable_math itself (so that
# math, links and commands inside them work): name → number of arguments.
_TEXT_WRAPPERS = {
    **dict.fromkeys(
        "textbf textit emph textsc texttt textsf textrm textsl textup textnormal textmd "
        "underline uline mbox hbox text enquote footnote textsuperscript textsubscript "
        "url color".split(), 1),
    "href": 2,
    "textcolor": 2,
}


def _text_wrapper(
    text: str, start: int, name: str, end: int, depth: int
) -> tuple[int, str] | None:
    """(end, text) of a :data:`_TEXT_WRAPPERS` command whose name ends at ``end``; None
    when its arguments are missing."""
    if name in ("color", "textcolor") and text[end : end + 1] == "[":
        close = text.find("]", end)
        if close < 0:
            return None
        end = close + 1
    groups = []
    for _ in range(_TEXT_WRAPPERS[name]):
        if text[end : end + 1] != "{":
            if name == "href" and groups:
                break  # \href{url} alone
            return None
        group_end = _group_end(text, end)
        if group_end < 0:
            # Never closed (a truncated abstract): the rest of the text is the argument.
            groups.append(text[end + 1 :])
            end = len(text)
            break
        groups.append(text[end + 1 : group_end - 1])
        end = group_end
    if len(groups) < _TEXT_WRAPPERS[name] and name != "href":
        return None
    if name == "url":
        return end, _plain_url(groups[0])
    if name == "color":
        return end, ""
    if name == "href":
        url = _plain_url(groups[0])
        label = _readable_math(groups[1], depth + 1).strip() if len(groups) > 1 else ""
        return end, url if label in ("", url) else f"{label} ({url})"
    content = _readable_math(groups[-1], depth + 1)
    if name == "footnote":
        before = text[start - 1 : start]
        return end, ("" if not before or before.isspace() else " ") + f"[{content}]"
    if name in ("textsuperscript", "textsubscript"):
        return end, _script_text(content, superscript=name == "textsuperscript")
    return end, content


def _plain_url(url: str) -> str:
    return re.sub(r"\\([_%#&~$])", r"\1", url.strip())


# -- display -----------------------------------------------------------------------------

# A UTF-8 lead byte read as Latin-1 / Windows-1252, then a continuation byte read the
# same way: every mojibake of UTF-8 holds one. Correct accented text ("café", "Schrödinger")
# has none, and so never loads ftfy (an import of tens of milliseconds on the first screen).
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)
# Titles without any of these are shown through clean_line alone.
_TITLE_WORK = re.compile("[$\\\\<&\u00c2-\u00f4]")


def _fix_mojibake(text: str) -> str:
    """``text`` with UTF-8 read as Latin-1/Windows-1252 repaired (``CafÃ©`` → ``Café``);
    correct text comes back unchanged."""
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    try:
        return ftfy.fix_text(
            text,
            unescape_html=False,
            restore_byte_a0=False,
            remove_terminal_escapes=False,
            fix_c1_controls=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
            remove_control_chars=False,
            normalization=None,
            explain=False,
        )
    except Exception:  # noqa: BLE001 - a repair is optional; the text is never lost
        return text


def _readable(text: str, math: bool) -> str:
    text = _fix_mojibake(text)
    text = strip_controls(text)
    text = _html_for_display(text)
    return readable_math(text) if math else text


def display_abstract(text: str, math: bool = True) -> str:
    """An abstract as the detail view shows it: safe (:func:`clean_block`), known HTML
    tags as text (``<sub>2</sub>`` → ₂, ``<br>`` a line break, ``<p>`` a paragraph,
    entities unescaped), mojibake repaired, and LaTeX made readable unless ``math`` is
    False (:func:`readable_math`). Paragraphs are separated by a blank line."""
    if not text:
        return ""
    text = _readable(text, math)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = (clean_line(line) for line in paragraph.split(_LINE_BREAK))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def display_title(text: str, math: bool = True) -> str:
    """A title as one line for the list and the detail view: :func:`display_abstract`'s
    repairs, folded onto one line. Cheap for plain titles (no ``$``, ``\\``, ``<``,
    ``&`` or mojibake): those only go through :func:`clean_line`."""
    if not _TITLE_WORK.search(text):
        return clean_line(text)
    return _display_title(text, math)


@lru_cache(maxsize=4096)
def _display_title(text: str, math: bool) -> str:
    return clean_line(_readable(text, math).replace(_LINE_BREAK, " "))
