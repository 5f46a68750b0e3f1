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

:class:`Sanitize` (autograde, before the notebook is stored; the feedback's and the formgrader's
exporter) renders student markdown as nbconvert does and cleans it, and every ``text/html``
output, with ammonia (nh3) against an allow-list; it frames the trusted verdict.
"""
from __future__ import annotations

import base64
import functools
import hashlib
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

    def preprocess(self, nb, resources):
        from nbgrader.coursedir import CourseDirectory

        use_formula_cache(formula_cache_path(CourseDirectory(config=self.config).root))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":   # sanitised HTML (Sanitize runs first), or markdown
            source = cell.source
            cell.source = typeset_html(source) if source.startswith("<div") else typeset_markdown(source)
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


# --- the formula cache ---------------------------------------------------------------------
# One feedback page of 04 has 136 formulas; typesetting them for every student cost 5.5 s a page
# (mathtext through math_to_image, ~27 ms a formula). Now a formula is drawn from mathtext's own
# raster (~8 ms, :func:`draw_formula`) and kept in DIR/.bpcourse/formulas.sqlite, keyed by the
# formula, its size and this module's code (a change to how formulas are drawn starts afresh),
# shared by every worker and every door (bpcourse grade, nbgrader generate_feedback, the
# formgrader): `bpcourse grade` fills it with the assignments' formulas before its workers fork
# (:func:`prefill`), so each is drawn once per course folder and a page's formulas cost a lookup
# each. Chosen over MathML (latex2mathml converts the course's 964 formulas in 0.12 s) because
# images look the same in every browser, with or without a math font, offline, and the
# feedback's look was already checked; with the cache a page costs less than converting it.
FORMULA_CACHE = "formulas.sqlite"
MAX_CACHED = 50_000      # formulas kept (a hostile notebook's thousands of formulas are drawn, not kept)
_CODE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
_store: dict = {"path": None, "pid": None, "db": None}


def formula_cache_path(root) -> Path | None:
    """``root/.bpcourse/formulas.sqlite`` if ``root/.bpcourse`` is this user's own folder (the
    run state's, private: :mod:`autograde.state`), else None (no cache: formulas are drawn)."""
    import os
    import stat

    folder = Path(root) / ".bpcourse"
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return None
    return folder / FORMULA_CACHE


def use_formula_cache(path: Path | None) -> None:
    """Read and keep drawn formulas in the cache at ``path`` (None: none) in this process."""
    if _store["path"] != path:
        _store.update(path=path, pid=None, db=None)


def _db():
    import os
    import sqlite3

    if _store["path"] is None:
        return None
    if _store["pid"] != os.getpid():     # a forked worker never uses its parent's connection
        try:
            db = sqlite3.connect(str(_store["path"]), timeout=60, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS formula (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
        except sqlite3.Error as e:
            log.warning("feedback: formula cache %s unusable (%s): drawing every formula", _store["path"], e)
            _store["path"] = None
            return None
        _store.update(pid=os.getpid(), db=db)
    return _store["db"]


def _cache_key(tex: str, size: float) -> str:
    import matplotlib

    return hashlib.sha256(f"{_CODE_DIGEST}\0{matplotlib.__version__}\0{size}\0{tex}".encode()).hexdigest()


@functools.lru_cache(maxsize=4096)
def math_image(tex: str, size: float = MATH_PT) -> str:
    """One formula as an ``<img>`` (PNG data URI, baseline-aligned), from the formula cache or
    drawn (and kept there); ValueError if mathtext cannot draw it."""
    import sqlite3

    db, key = _db(), _cache_key(tex, size)
    if db is not None:
        try:
            row = db.execute("SELECT html FROM formula WHERE key = ?", (key,)).fetchone()
            if row:
                return row[0]
        except sqlite3.Error:
            db = None
    out = draw_formula(tex, size)
    _store["drawn"] = _store.get("drawn", 0) + 1
    if db is not None:
        try:
            if db.execute("SELECT count(*) FROM formula").fetchone()[0] < MAX_CACHED:
                db.execute("INSERT OR IGNORE INTO formula VALUES (?, ?)", (key, out))
        except sqlite3.Error as e:
            log.warning("feedback: formula not kept in the cache: %s", e)
    return out


def draw_formula(tex: str, size: float = MATH_PT) -> str:
    """One formula drawn by mathtext as an ``<img>`` (greyscale PNG, black on white, at
    :data:`MATH_DPI`); ValueError if mathtext cannot draw it.

    mathtext's own raster (its Agg parser: one parse, no Figure): measured 7.5 ms a formula
    against 27 ms through ``math_to_image`` (which parses twice and saves a whole figure)."""
    import matplotlib
    import numpy as np
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser
    from PIL import Image

    text = f"${_mathtext(tex, display=size >= DISPLAY_PT)}$"
    prop = FontProperties(size=size, math_fontfamily="cm")   # Computer Modern, as TeX
    with matplotlib.rc_context({"mathtext.fontset": "cm"}):
        try:
            raster = MathTextParser("agg").parse(text, dpi=MATH_DPI, prop=prop)
        except Exception as e:  # noqa: BLE001 - pyparsing's errors are not ValueErrors
            raise ValueError(f"mathtext cannot draw {tex!r}: {e}") from None
    ink = np.asarray(raster.image, dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(255 - ink, mode="L").save(buf, format="png", optimize=False)
    scale = 72 / MATH_DPI                        # image pixels -> CSS points
    height, width = ink.shape
    alt = html.escape(" ".join(tex.split()), quote=True)
    for ch, ent in (("\\", "&#92;"), ("_", "&#95;"), ("*", "&#42;"), ("$", "&#36;"), ("`", "&#96;")):
        alt = alt.replace(ch, ent)
    data = base64.b64encode(buf.getvalue()).decode()
    # border:0 — nbgrader's formgrade.css outlines every <img> in red (2 px), which squeezed
    # each formula of the formgrader's page into a red box
    return (f'<img class="bp-math" alt="{alt}" style="border:0;width:{width * scale:.2f}pt;'
            f'height:{height * scale:.2f}pt;vertical-align:{-raster.depth * scale:.2f}pt" '
            f'src="data:image/png;base64,{data}">')


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


def prefill(root, notebook) -> int:
    """Draw into the course's formula cache every formula of ``notebook`` (a released
    assignment) as its feedback page shows it; how many were drawn (not yet cached)."""
    import nbformat as _nbformat

    use_formula_cache(formula_cache_path(root))
    drawn = _store.get("drawn", 0)
    for cell in _nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type == "markdown":
            typeset_html(safe_markdown(_text(cell.source)))
    return _store.get("drawn", 0) - drawn


# --- student-written HTML ------------------------------------------------------------------
# Everything a student wrote or printed is rendered to HTML here, the way nbconvert renders it,
# and cleaned by ammonia (nh3) against an allow-list. nbconvert's templates render a markdown
# cell's source again with mistune (``markdown2html``); the cleaned HTML is therefore stored as
# ONE line starting with ``<div``: a CommonMark HTML block that mistune passes through verbatim
# (no blank line can end it, so no part of it is read as markdown again).
import nbformat   # noqa: E402
import nh3   # noqa: E402
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath   # noqa: E402
from pygments.token import STANDARD_TYPES   # noqa: E402
from traitlets import Bool   # noqa: E402

SCHEMES = {"http", "https", "mailto"}   # and in-page anchors "#..."; nothing else
ID_PREFIX = "bp-u-"   # student ids and anchors cannot clobber the page's own (window.MathJax, #top)
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q",
        "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "tt", "u", "ul", "var"}
# No <img>: a browser fetches an image without a click, with the instructor's cookies (a GET to
# the Jupyter server's own /logout, or a beacon telling the student when the page was opened);
# a student's markdown image is shown as a link instead (_Renderer.image).
ATTRIBUTES = {"a": {"href", "title"},
              "td": {"style", "colspan", "rowspan"}, "th": {"style", "colspan", "rowspan"},
              "ol": {"start"}, **{f"h{n}": {"id"} for n in range(1, 7)}}
CLASSES = {"span": {"bp-tex", "bp-tex-display", *filter(None, STANDARD_TYPES.values())},   # formulas, pygments
           "div": {"bp-md", "highlight"}, "a": {"anchor-link"}}
#: MathJax (the formgrader typesets the page's text with it) turns these into links, HTML
#: attributes, styles or script loading: a backslash before them — or before any command name
#: that a tag boundary could continue (MathJax joins the text of inline elements) — becomes a
#: fullwidth backslash, which no TeX reads as a command
MATHJAX_ACTIVE = ("href", "url", "class", "cssId", "style", "unicode", "require", "bbox", "mmlToken",
                  "mathtip", "texttip", "toggle", "action", "data", "html", "setOptions",
                  # macros could spell any of the above from pieces (\newcommand{\X}[1]{\h#1}\X{ref})
                  "newcommand", "renewcommand", "providecommand", "def", "let", "newenvironment",
                  "renewenvironment", "DeclareMathOperator", "Newextarrow", "global")
_MATHJAX = re.compile(r"\\(?=(?:%s)(?![A-Za-z])|[A-Za-z]*$)" % "|".join(MATHJAX_ACTIVE))
_TAG_OR_TEXT = re.compile(r'(<[^>"]*(?:"[^"]*"[^>"]*)*>)')   # ammonia's output: attributes always "…"
#: an absolute web URL, a mail address or an anchor; "http:x" without the two slashes is a path
#: on the page's own server (a browser reads it relative to an http page)
_SAFE_URL = re.compile(r"(?:https?:[/\\]{2}|mailto:|#)", re.I)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _relative_url(url: str) -> str | None:
    """Relative URLs: in-page anchors only (namespaced like the ids), nothing that could reach
    the Jupyter server's own endpoints (``../../terminals/1``, ``/lab/…``, ``//host``)."""
    if not url.startswith("#"):
        return None
    return url if url[1:].startswith(ID_PREFIX) else "#" + ID_PREFIX + url[1:]


def _attribute(tag: str, attr: str, value: str) -> str | None:
    """A second check of every URL ammonia kept: an absolute http(s) URL, mailto or an anchor,
    read as a browser reads it (leading and trailing controls and spaces, tabs and line breaks
    anywhere ignored)."""
    if attr in ("href", "src") and not _SAFE_URL.match(re.sub(r"[\t\n\r]", "", value).strip(_C0_AND_SPACE)):
        return None
    return value


CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES, url_schemes=SCHEMES,
                      url_relative=_relative_url, attribute_filter=_attribute, id_prefix=ID_PREFIX,
                      filter_style_properties={"text-align"}, strip_comments=True)


def _one_line(clean: str) -> str:
    """Cleaned HTML as one line that renders the same: text nodes lose MathJax's active commands
    and spell ``=``, ``[`` and line breaks as character references (so nbconvert's
    ``strip_files_prefix`` cannot rewrite them), line breaks inside attribute values too."""
    parts = _TAG_OR_TEXT.split(clean)
    for i in range(0, len(parts), 2):
        parts[i] = _MATHJAX.sub("\uff3c", parts[i]).replace("=", "&#61;").replace("[", "&#91;")
    return "".join(parts).replace("\r", "&#13;").replace("\n", "&#10;")


def safe_html(source: str) -> str:
    """Student HTML as an allow-listed fragment on one line (:data:`CLEANER`)."""
    return _one_line(CLEANER.clean(source))


class _Renderer(IPythonRenderer):
    """nbconvert's renderer; formulas are kept in a span so the feedback can typeset exactly
    what mistune read as math (:func:`typeset_html`), and MathJax still finds their ``$``."""

    def inline_math(self, body: str) -> str:
        return f'<span class="bp-tex">{super().inline_math(body)}</span>'

    def block_math(self, body: str) -> str:
        return f'<span class="bp-tex-display">{super().block_math(body)}</span>'

    def _embed_image_or_attachment(self, src: str) -> str:
        return src      # never read an attachment or a file; the cleaner drops what is not http(s)

    def image(self, text: str, url: str, title=None) -> str:
        """An image as a link to it (no <img>: see :data:`ATTRIBUTES`)."""
        label = html.escape(text or "изображение", quote=False)
        return self.link(f"[изображение: {label}]", url, title)


def render_markdown(source: str) -> str:
    """A markdown cell's HTML as nbconvert's ``markdown2html`` renders it (mistune with math)."""
    return MarkdownWithMath(renderer=_Renderer(escape=False)).render(source)


def safe_markdown(source: str) -> str:
    """A markdown cell as cleaned HTML that mistune passes through unchanged (one line that
    starts a CommonMark HTML block). Idempotent: the stored notebook is sanitised again by every
    exporter that renders it."""
    out = safe_html(render_markdown(source).strip())
    return out if out.startswith("<div") else f'<div class="bp-md">{out}</div>'


_TEX_SPAN = re.compile(r'<span class="bp-tex(-display)?">\$\$?([^<]*?)\$\$?</span>')


def typeset_html(html_source: str) -> str:
    """:func:`typeset` for the formulas of a sanitised markdown cell (:func:`safe_markdown`)."""
    def draw(m):
        tex = html.unescape(m.group(2))
        if m.group(1):
            return f'<span class="bp-math-display">{typeset(tex, display=True)}</span>'
        return typeset(tex)
    return _TEX_SPAN.sub(draw, html_source)


_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
KEPT = ("text/plain", "text/html", "image/png", "image/jpeg", "application/json")


def _text(value) -> str:
    return "".join(map(str, value)) if isinstance(value, list) else str(value)


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _output(o):
    """One code-cell output with only inert data, or None."""
    kind = o.get("output_type")
    if kind == "stream":
        return nbformat_output("stream", name=o.get("name") if o.get("name") in ("stdout", "stderr") else "stdout",
                               text=_text(o.get("text", "")))
    if kind == "error":
        return nbformat_output("error", ename=_text(o.get("ename", "")), evalue=_text(o.get("evalue", "")),
                               traceback=[_text(t) for t in o.get("traceback", []) or []])
    if kind not in ("display_data", "execute_result"):
        return None
    data = {}
    for key in KEPT:
        if key not in o.get("data", {}):
            continue
        value = o["data"][key]
        if key == "application/json":
            data[key] = value
            continue
        value = _text(value)
        if key == "text/html":
            value = safe_html(value)
        elif key.startswith("image/") and not _BASE64.fullmatch(value):
            continue
        data[key] = value
    if kind == "execute_result":
        return nbformat_output(kind, data=data, metadata={}, execution_count=_count(o.get("execution_count")))
    return nbformat_output(kind, data=data, metadata={})   # an output's metadata is not shown


def nbformat_output(kind, **fields):
    return nbformat.v4.new_output(kind, **fields)


def trusted_verdict(cell) -> tuple[bool, str] | None:
    """(passed, message) of the verdict ``TrustedVerdicts`` appended to a test cell, or None.

    It is the LAST output of a test cell (nbgrader's grade cell that is not a solution), and
    carries the verdict's metadata (passed) or nbgrader's error name for it (failed): the
    kernel's own outputs lose their metadata (:class:`Sanitize`) before the verdict is added,
    and ``settle`` always appends the verdict after them, so an output the student's code
    made — whatever it says — is never taken for it."""
    from nbgrader import utils
    from autograde.preprocessors import VERDICT_ENAME, VERDICT_KEY

    outputs = cell.get("outputs") or []
    if cell.cell_type != "code" or not outputs or not utils.is_grade(cell) or utils.is_solution(cell):
        return None
    last = outputs[-1]
    if last.get("output_type") == "error" and last.get("ename") == VERDICT_ENAME:
        return False, _text(last.get("evalue", ""))
    meta = last.get("metadata", {}).get(VERDICT_KEY) if last.get("output_type") == "display_data" else None
    if isinstance(meta, dict) and meta.get("passed"):
        return True, _text(meta.get("message", ""))
    return None


def verdict_html(passed: bool, message: str) -> str:
    """The trusted verdict as no output of a student's code can look: a framed, coloured box
    with a heading (student HTML keeps no style or class; printed text is monospace in a
    ``<pre>``). The message is markdown (``autograde.verify`` escapes what it quotes for it)."""
    colour, background, mark, head = (("#1b5e20", "#e8f5e9", "✔", "пройдена") if passed
                                      else ("#b71c1c", "#ffebee", "✘", "не пройдена"))
    body = safe_html(render_markdown(message))
    return (f'<div class="bp-verdict tex2jax_ignore" style="margin:4px 0;padding:6px 10px;'
            f'border:2px solid {colour};border-left:12px solid {colour};background:{background};'
            f'font-family:sans-serif;font-size:14px"><div style="font-weight:bold;color:{colour}">'
            f'{mark} Вердикт курса: скрытая проверка {head} '
            f'<span style="font-weight:normal">(это сообщение проверяющей системы, не вывод кода)</span>'
            f'</div>{body}</div>')


class Sanitize(Preprocessor):
    """Nothing student-written reaches a browser as active HTML (formgrader, feedback).

    Markdown cells are rendered as nbconvert renders them and cleaned (:func:`safe_markdown`);
    raw cells (nbconvert writes them into the page as they are) are cleaned as HTML
    (:func:`safe_html`). Code-cell outputs: ``text/html`` is cleaned the same way; plain text,
    PNG, JPEG (base64 only) and JSON are kept (the templates escape text, tracebacks included);
    JavaScript, SVG, markdown, LaTeX and any other rich output are removed, and so is every
    output's metadata. A test cell's trusted verdict (:func:`trusted_verdict`) is shown as a
    framed box (:func:`verdict_html`) that nothing the kernel prints resembles. Cell
    attachments are dropped. Running it twice gives what running it once gives.
    """

    enabled = Bool(True)   # nbgrader registers its converters' preprocessors as they are

    def preprocess_cell(self, cell, resources, index):
        cell.pop("attachments", None)
        if cell.cell_type == "markdown":
            cell.source = safe_markdown(_text(cell.source))
        elif cell.cell_type == "raw":
            cell.source = safe_html(_text(cell.source))
            cell.get("metadata", {}).pop("format", None)
            cell.get("metadata", {}).pop("raw_mimetype", None)
        elif cell.cell_type == "code":
            verdict = trusted_verdict(cell)
            cell.execution_count = _count(cell.get("execution_count"))
            outputs = [_output(o) for o in cell.get("outputs", [])]
            cell.outputs = [o for o in outputs if o is not None]
            if verdict is not None:
                passed, message = verdict
                plain = f"✔ {message}" if passed else f"Скрытая проверка: {message}"
                cell.outputs[-1] = nbformat_output("display_data", metadata={}, data={
                    "text/html": verdict_html(passed, message), "text/plain": plain})
        return cell, resources
