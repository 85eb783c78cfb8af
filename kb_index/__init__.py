"""Semantic + lexical search over the knowledge base. Nothing outside this package sees FAISS."""

from kb_index.articles import Article
from kb_index.search import KnowledgeSearch, SearchHit

__all__ = ["Article", "KnowledgeSearch", "SearchHit"]
