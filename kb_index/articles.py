"""Knowledge-base articles: Markdown files with YAML front matter."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)
_MARKDOWN_NOISE = re.compile(r"[#*_`>|\[\]]+|\(https?://[^)]*\)")
_SPACES = re.compile(r"\s+")
REQUIRED_FIELDS = ("id", "title", "category", "language")


class InvalidArticle(ValueError):
    """An article file is missing its front matter or a required field."""


@dataclass(frozen=True)
class Article:
    """One knowledge-base article."""

    id: str
    title: str
    category: str
    language: str
    body: str
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def excerpt(self, limit: int = 180) -> str:
        """The body as plain text, cut at a word boundary near ``limit`` characters."""
        plain = plain_text(self.body)
        if len(plain) <= limit:
            return plain
        return plain[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def heading_key(title: str) -> str:
    """A title as an employee reads it: case, spacing and end punctuation ignored. Two
    articles with one key look like one in a list of suggestions, which lists only one."""
    return _SPACES.sub(" ", title.casefold()).strip().rstrip("?!.:;… ")


def plain_text(markdown: str) -> str:
    """Markdown without its markup, whitespace collapsed."""
    return _SPACES.sub(" ", _MARKDOWN_NOISE.sub(" ", markdown)).strip()


def parse_markdown(text: str, source: str = "<text>") -> Article:
    """Read one article from Markdown with front matter.

    Raises:
        InvalidArticle: when the front matter is missing or lacks a required field.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        raise InvalidArticle(f"{source}: no front matter")
    meta = yaml.safe_load(match.group(1)) or {}
    missing = [name for name in REQUIRED_FIELDS if not meta.get(name)]
    if missing:
        raise InvalidArticle(f"{source}: missing {', '.join(missing)}")
    return Article(
        id=str(meta["id"]),
        title=str(meta["title"]),
        category=str(meta["category"]),
        language=str(meta["language"]),
        body=match.group(2).strip(),
        keywords=tuple(str(k) for k in meta.get("keywords") or ()),
    )


def load_directory(directory: Path) -> list[Article]:
    """Every ``*.md`` article under ``directory``, sorted by id; ids must be unique."""
    articles = [
        parse_markdown(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(Path(directory).glob("*.md"))
    ]
    ids = [a.id for a in articles]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise InvalidArticle(f"duplicate article ids: {sorted(duplicates)}")
    return sorted(articles, key=lambda a: a.id)
