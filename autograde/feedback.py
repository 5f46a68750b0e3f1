"""The feedback HTML a student receives: no hidden-test content, formulas typeset offline.

:class:`HideHiddenTests` runs before nbgrader's ``GetGrades`` in ``generate_feedback``: it
replaces each ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` region by one comment and
reduces the tracebacks of those cells to the error line (a traceback quotes hidden lines;
nbgrader shows hidden tests in feedback, #917). The trusted verdict for the exercise reaches the
student as a grader comment under their solution cell instead.

It also typesets every formula of the markdown cells and of the grader comments
(:func:`typeset_markdown`): ``$…$`` and ``$$…$$`` become images drawn by matplotlib's mathtext
(PNG at twice the CSS size, inlined as data URIs), so the feedback shows formulas without
MathJax and without the network — opened from disk, offline, in any browser. The Russian frame
around the notebook is the template in ``autograde/templates/feedback`` (:data:`TEMPLATES`),
which nbgrader uses once ``HTMLExporter.extra_template_basedirs`` names that folder.
"""
from __future__ import annotations

import base64
import functools
import html
import io
import logging
import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

TEMPLATES = Path(__file__).parent / "templates"   # HTMLExporter.extra_template_basedirs
log = logging.getLogger(__name__)

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
PLACEHOLDER = "# (здесь были скрытые проверки; их результат — последняя строка вывода этой ячейки)"


def strip_hidden(source: str) -> tuple[str, list[str]]:
    """``source`` without its hidden regions, and the hidden lines that were removed."""
    kept, hidden, inside = [], [], False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
            kept.append(line[: line.index(BEGIN)] + PLACEHOLDER)
        elif END in line:
            inside = False
        elif inside:
            hidden.append(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), [h for h in hidden if h]


class HideHiddenTests(Preprocessor):
    """Remove hidden-test regions (and traceback lines quoting them) from every cell; typeset
    the formulas of markdown cells and grader comments (:func:`typeset_markdown`)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = typeset_markdown(cell.source)
        comment = cell.get("metadata", {}).get("nbgrader", {}).get("comment")
        if comment:
            cell.metadata.nbgrader.comment = typeset_markdown(comment)
        if BEGIN not in cell.source:
            return cell, resources
        cell.source, _ = strip_hidden(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # A traceback quotes the lines around the failing one, hidden ones included:
                # keep only the error itself, which is what a check's message is for.
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


# --- formulas ------------------------------------------------------------------------------
MATH_PT = 10.5          # the feedback's body text is 14 px = 10.5 pt
DISPLAY_PT = 12.5       # $$…$$ a little larger, as TeX's display style
MATH_DPI = 144          # 2 pixels per CSS pixel: sharp on high-density screens too

# What the notebooks write and mathtext spells differently (or does not need).
_TEX_FIXES = [
    (re.compile(r"\\le\b"), r"\\leq"), (re.compile(r"\\ge\b"), r"\\geq"),
    (re.compile(r"\\tfrac(?![A-Za-z])"), r"\\frac"),
    (re.compile(r"\\frac(\w)(\w)"), r"\\frac{\1}{\2}"),               # \frac12, \frac1M
    (re.compile(r"\\mathbf\s*(\w)"), r"\\mathbf{\1}"),                # \mathbf x
    # \underbrace{A}_{B} (a shape under a matrix): mathtext draws B under A with \underset
    (re.compile(r"\\underbrace\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}_\{((?:[^{}]|\{[^{}]*\})*)\}"),
     r"\\underset{\2}{\1}"),
    (re.compile(r"\\texttt\{"), r"\\mathtt{"),
    (re.compile(r"\\mathrel\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\\[lr]Vert\b"), r"\\Vert"),
    (re.compile(r"\\(?:big|Big|bigg|Bigg)[lr]?\b"), ""),
]


def _mathtext(tex: str, display: bool = False) -> str:
    tex = " ".join(tex.split())
    for pattern, repl in _TEX_FIXES:
        tex = pattern.sub(repl, tex)
    if display:    # TeX's display style: full-size fractions
        tex = re.sub(r"\\frac\b", r"\\dfrac", tex)
    return tex


def _split_boxed(tex: str) -> tuple[str, str] | None:
    """``\\boxed{a} b`` -> ``("a", " b")`` (mathtext has no \\boxed: the box is CSS)."""
    m = re.match(r"\s*\\boxed\s*\{", tex)
    if not m:
        return None
    depth = 1
    for i in range(m.end(), len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth == 0:
            return tex[m.end():i], tex[i + 1:]
    return None


@functools.lru_cache(maxsize=4096)
def math_image(tex: str, size: float = MATH_PT) -> str:
    """One formula as an ``<img>`` (PNG data URI, baseline-aligned); ValueError if mathtext
    cannot draw it."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser, math_to_image

    text = f"${_mathtext(tex, display=size >= DISPLAY_PT)}$"
    prop = FontProperties(size=size, math_fontfamily="cm")   # Computer Modern, as TeX
    with matplotlib.rc_context({"mathtext.fontset": "cm"}):
        try:
            width, height, depth, _, _ = MathTextParser("path").parse(text, dpi=72, prop=prop)
            buf = io.BytesIO()
            math_to_image(text, buf, prop=prop, dpi=MATH_DPI, format="png")
        except Exception as e:  # noqa: BLE001 - pyparsing's errors are not ValueErrors
            raise ValueError(f"mathtext cannot draw {tex!r}: {e}") from None
    alt = html.escape(" ".join(tex.split()), quote=True)
    for ch, ent in (("\\", "&#92;"), ("_", "&#95;"), ("*", "&#42;"), ("$", "&#36;"), ("`", "&#96;")):
        alt = alt.replace(ch, ent)
    data = base64.b64encode(buf.getvalue()).decode()
    return (f'<img class="bp-math" alt="{alt}" style="width:{width:.2f}pt;height:{height:.2f}pt;'
            f'vertical-align:{-depth:.2f}pt" src="data:image/png;base64,{data}">')


def typeset(tex: str, display: bool = False) -> str:
    """HTML for one formula: image(s), or the TeX source in ``<code>`` when it cannot be drawn."""
    size = DISPLAY_PT if display else MATH_PT
    try:
        boxed = _split_boxed(tex)
        if boxed is None:
            return math_image(tex, size)
        inner, rest = boxed
        out = (f'<span style="border:1px solid #333;padding:3px 4px;display:inline-block">'
               f'{math_image(inner, size)}</span>')
        return out + (" " + math_image(rest, size) if rest.strip() else "")
    except ValueError as e:
        log.warning("feedback: %s", e)
        return f'<code class="bp-math-raw">{html.escape(tex)}</code>'


_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\n]|\n(?![ \t]*\n))+?)(?<!\\)\$")   # within a paragraph


def typeset_markdown(source: str) -> str:
    """Markdown with every ``$$…$$`` (a centred block) and ``$…$`` replaced by typeset HTML;
    code spans and fenced code are left alone."""
    parts = _CODE.split(source)
    for i in range(0, len(parts), 2):      # even parts: outside code
        text = _DISPLAY.sub(lambda m: f'\n\n<div class="bp-math-display">{typeset(m.group(1), display=True)}</div>\n\n',
                            parts[i])
        parts[i] = _INLINE.sub(lambda m: typeset(m.group(1)), text)
    return "".join(parts)


# --- student-written HTML ------------------------------------------------------------------
from nbconvert.preprocessors.sanitize import SanitizeHTML   # noqa: E402 - bleach-based
from traitlets import Bool   # noqa: E402

#: markdown that could become active in a browser: any tag, a link/image target with a scheme
#: other than http(s)/mailto (javascript:, data:, vbscript:, an entity-encoded one), MathJax's
#: \href/\url (MathJax renders links), an autolink or reference definition with such a target
_TAG = re.compile(r"<[A-Za-z!/?]")
_TARGET = re.compile(r"\]\s*\(\s*<?([^)\s>]*)|^\s{0,3}\[[^\]]+\]:\s*<?(\S*)|<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>", re.M)
_SAFE_TARGET = re.compile(r"(?:https?://|mailto:|#|[^:/?#&%]*(?:[/?#]|$))", re.I)
_MATH_LINK = re.compile(r"\\(?:href|url)\b")


def _risky_markdown(source: str) -> bool:
    if _TAG.search(source) or _MATH_LINK.search(source) or "&#" in source or "&colon" in source.lower():
        return True
    for m in _TARGET.finditer(source):
        target = next(g for g in m.groups() if g is not None)
        if target and not _SAFE_TARGET.match(target):
            return True
    return False


def escape_markdown(source: str) -> str:
    """Markdown shown as its plain text: one ``<pre>`` block (CommonMark reads no markdown
    inside it, and every ``<`` and ``&`` in it is escaped)."""
    return f'<pre class="bp-escaped">{html.escape(source, quote=True)}</pre>'


class Sanitize(SanitizeHTML):
    """Nothing student-written reaches a browser as active HTML (formgrader, feedback).

    Code-cell outputs: ``text/html`` is cleaned by bleach (nbconvert's :class:`SanitizeHTML`:
    allowed tags and attributes only, ``href`` schemes http(s)/mailto); JavaScript, SVG,
    markdown, LaTeX (MathJax links) and any other rich output are removed; plain text, PNG,
    JPEG and JSON are kept (the templates escape text, tracebacks included). Markdown and raw
    cells: a cell with any tag, a non-web link target or a MathJax link is shown as escaped
    plain text (:func:`escape_markdown`); plain markdown (the course's own) is left as it is,
    formulas included. Cell attachments are dropped.
    """

    enabled = Bool(True)   # nbgrader registers its converters' preprocessors as they are

    def __init__(self, **kw):
        super().__init__(**kw)
        self.safe_output_keys = {"metadata", "text/plain", "application/json", "image/png", "image/jpeg"}
        self.sanitized_output_types = {"text/html"}

    def preprocess_cell(self, cell, resources, index):
        cell.pop("attachments", None)
        if cell.cell_type in ("markdown", "raw"):
            if _risky_markdown(cell.source):
                cell.source = escape_markdown(cell.source)
            if cell.cell_type == "raw":
                cell.get("metadata", {}).pop("format", None)
                cell.get("metadata", {}).pop("raw_mimetype", None)
            return cell, resources
        if cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.get("outputs", []))
            for output in cell.outputs:   # an output's metadata is not shown; keep it plain data
                if output.get("output_type") in ("display_data", "execute_result"):
                    output["metadata"] = {}
        return cell, resources
