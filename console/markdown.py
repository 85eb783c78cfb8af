"""Article Markdown as HTML for the preview: raw HTML in the source is shown as text."""

from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(source: str) -> Markup:
    return Markup(_RENDERER.render(source))
