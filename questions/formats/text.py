"""Turn Moodle's text formats into safe plain text.

Moodle tags each text with a format: ``moodle`` (its default "auto-format":
HTML allowed, line breaks kept), ``html``, ``markdown`` or ``plain``. Rulewise
stores plain text only, so everything but ``plain`` is run through nh3 (the
Rust HTML sanitiser, a browser-grade parser) and then flattened to text:
tags are dropped, ``<script>``/``<style>`` and similar lose their content,
``<br>`` and block ends become line breaks and entities are decoded.
Markup that only appears after decoding (``&lt;b&gt;``) is stripped too, so
the result never holds anything a browser would read as a tag. ``plain`` text
is kept as written (Moodle shows it literally too). Every format also loses
C0 control characters other than tab and newline.

The result is text, not markup: templates must still escape it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Literal

import nh3

TextFormat = Literal["moodle", "html", "markdown", "plain"]
FORMAT_NAMES: frozenset[str] = frozenset({"moodle", "html", "markdown", "plain"})

# Tags that end a line of text; nh3 keeps only these (and <br>/<hr>).
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_BREAK_TAGS = frozenset({"br", "hr"})
# Elements whose content is code or hidden, never question text.
_DROP_CONTENT = {"script", "style", "template", "iframe", "noscript", "object"}

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_MANY_NEWLINES_RE = re.compile(r"\n{3,}")
# What a browser would start parsing as markup.
_MARKUP_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_MAX_PASSES = 4


class _TextExtractor(HTMLParser):
    """Collect the text of already-sanitised HTML, with line breaks for blocks."""

    def __init__(self, collapse: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._collapse = collapse
        self._pre = 0
        # True right after a block boundary, until some text follows.
        self._fresh_block = False
        self.parts: list[str] = []

    def _trim_end(self, chars: str) -> None:
        while self.parts:
            self.parts[-1] = self.parts[-1].rstrip(chars)
            if self.parts[-1]:
                return
            self.parts.pop()

    def _soft_break(self) -> None:
        # A block boundary starts a new line, but never an empty one, and
        # white space around it is layout, not text.
        if not self._pre:
            self._trim_end(" " if self._collapse else " \t\n")
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
        self._fresh_block = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block or emit a line break."""
        if tag in _BREAK_TAGS:
            if self._collapse and not self._pre:
                self._trim_end(" ")
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._soft_break()
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Treat ``<br/>`` like ``<br>``."""
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Close a block with a line break."""
        if tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._soft_break()

    def handle_data(self, data: str) -> None:
        """Keep text, folding HTML white space where HTML would."""
        if not self._pre:
            if self._collapse:
                data = _HTML_SPACE_RE.sub(" ", data)
                if not self.parts or self.parts[-1].endswith("\n"):
                    data = data.lstrip(" ")
            elif self._fresh_block:
                data = data.lstrip()
        if data:
            self.parts.append(data)
            self._fresh_block = False


def sanitize_html(html: str) -> str:
    """Return *html* reduced by nh3 to text plus a few layout tags."""
    return nh3.clean(
        html,
        tags=set(_BLOCK_TAGS | _BREAK_TAGS),
        clean_content_tags=set(_DROP_CONTENT),
        attributes={},
        strip_comments=True,
    )


def _one_pass(html: str, collapse_whitespace: bool) -> str:
    """Sanitise *html* and extract its text once."""
    extractor = _TextExtractor(collapse_whitespace)
    extractor.feed(sanitize_html(html))
    extractor.close()
    text = "".join(extractor.parts)
    if collapse_whitespace:
        text = _MANY_NEWLINES_RE.sub("\n\n", text)
    return text


def html_to_text(html: str, *, collapse_whitespace: bool = True) -> str:
    """Convert HTML to plain text; line breaks survive only if not collapsing."""
    text = _one_pass(_CONTROL_RE.sub("", html), collapse_whitespace)
    # Decoded entities or pieces joined around a removed tag can spell markup
    # again ("&lt;b&gt;", "<<b></b>script>"); text that a careless template
    # could render as HTML is stripped again until none is left.
    for _ in range(_MAX_PASSES):
        if not _MARKUP_START_RE.search(text):
            break
        # Later passes only strip tags: the first one settled white space and
        # entities, and decoding "&amp;lt;" twice would change the text.
        text = _one_pass(text.replace("&", "&amp;"), collapse_whitespace=False)
    else:
        # Removing one "<" can bring another next to a letter ("<</"): repeat
        # until none is left; each round removes at least one character.
        while _MARKUP_START_RE.search(text):
            text = _MARKUP_START_RE.sub("", text)
    return text.strip()


def to_plain(text: str, fmt: str) -> str:
    """Convert *text* written in Moodle format *fmt* to trimmed plain text."""
    if fmt == "plain":
        return _CONTROL_RE.sub("", text).strip()
    # Moodle's own format and Markdown keep the author's line breaks; HTML
    # folds them like a browser does.
    return html_to_text(text, collapse_whitespace=fmt == "html")


def strip_controls(text: str) -> str:
    """Drop C0 control characters other than tab and newline."""
    return _CONTROL_RE.sub("", text)
