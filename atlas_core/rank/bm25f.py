"""BM25F: one BM25 score over several weighted fields with per-field length normalisation.

For a term t and document d, the fields' term frequencies are first normalised by
their own length and combined with the field weights::

    tf~(t, d) = sum_f  w_f * tf_f(t, d) / (1 - b + b * len_f(d) / avglen_f)

and then saturated once: ``idf(t) * tf~ * (k1 + 1) / (k1 + tf~)``, with
``idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))`` (Robertson and Zaragoza, 2009).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, cast

import attrs
import numpy as np

from atlas_core.components import QueryContext
from atlas_core.config import MAX_WEIGHT, WEIGHT

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["BM25F", "bm25f_scores", "feedback_scores", "form_weights", "phrase_weights"]

DEFAULT_WEIGHTS = (5.0, 3.0, 1.0)  # filename, symbols, body
#: how many times more a long task's title words count (chosen by folds, ``scripts/tune.py``)
TITLE_WEIGHT = 2.0


def bm25f_scores(
    ctx: QueryContext,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    k1: float = 1.2,
    b: float = 0.75,
    extra: Mapping[str, float] | None = None,
    only: Mapping[str, float] | None = None,
) -> np.ndarray:
    """BM25F score of every indexed file for ``ctx.terms`` (a repeated term counts each
    time), plus ``extra`` terms at the weight given (phrase and feedback terms, not in the
    task); with ``only``, for those terms at those weights instead of the task's."""
    index = ctx.index
    n_docs = len(index)
    scores = np.zeros(n_docs, dtype=np.float64)
    if not n_docs:
        return scores
    avgdl = np.maximum(np.asarray(index.stats["avgdl"], dtype=np.float64), 1e-9)
    w = np.asarray(weights, dtype=np.float64)
    doclen = index.doclen
    query: Mapping[str, float] = Counter(ctx.terms) if only is None else only
    for term, qtf in [*query.items(), *(extra or {}).items()]:
        tid = index.term_id(term)
        if tid is None:
            continue
        docs, tf = index.postings(tid)
        if not len(docs):
            continue
        df = len(docs)
        idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        norm = 1.0 - b + b * (np.asarray(doclen[docs], dtype=np.float64) / avgdl)
        # b = 1 gives an empty field (a file without symbols) a norm of 0, over its tf of 0
        weighted = tf.astype(np.float64) * w
        pseudo = np.divide(weighted, norm, out=np.zeros_like(weighted), where=norm > 0).sum(axis=1)
        scores[docs] += qtf * idf * pseudo * (k1 + 1.0) / (k1 + pseudo)
    return scores


#: the config's ranges (the converter rejects nan and inf)
_COUNT = attrs.validators.ge(0)
_SHARE = [attrs.validators.ge(0.0), attrs.validators.le(1.0)]


class BM25F:
    """BM25F over file name (x5), symbol names (x3) and body (x1)."""

    name: ClassVar[str] = "bm25f"
    stage: ClassVar[int] = 0

    @attrs.define
    class Config:
        #: the weights of the fields (a term in a file's name counts 5 times)
        filename: float = attrs.field(default=5.0, validator=WEIGHT)
        symbols: float = attrs.field(default=3.0, validator=WEIGHT)
        body: float = attrs.field(default=1.0, validator=WEIGHT)
        #: term frequency saturation, and how much a long file's length is held against it
        k1: float = attrs.field(
            default=1.2, validator=[attrs.validators.gt(0.0), attrs.validators.le(MAX_WEIGHT)]
        )
        b: float = attrs.field(default=0.75, validator=_SHARE)
        #: weight of the joined terms of adjacent task words ("retry policy" finds
        #: ``RetryPolicy``, :mod:`atlas_core.rank.phrases`) against a task word's 1; 0: off
        phrases: float = attrs.field(default=0.0, validator=WEIGHT)
        #: weight of the other forms of a task word the index holds ("parsing" finds
        #: ``parse`` and ``parser``, :mod:`atlas_core.rank.morphology`) against the word's
        #: 1; 0: off
        forms: float = attrs.field(default=0.0, validator=WEIGHT)
        #: weight of the words the best matches share (pseudo-relevance feedback,
        #: :mod:`atlas_core.rank.feedback`) against a task word's 1; 0: off
        feedback: float = attrs.field(default=0.0, validator=WEIGHT)
        #: how many of the best matches give feedback words, and how many words at most
        feedback_docs: int = attrs.field(default=10, validator=_COUNT)
        feedback_terms: int = attrs.field(default=10, validator=_COUNT)
        #: in a long task (a bug report, ``rank.task.LONG_TASK_WORDS``) the title's words
        #: count this many times more (the reporter's summary, diluted by the body); 0: off
        title_weight: float = attrs.field(default=TITLE_WEIGHT, validator=WEIGHT)

    def unavailable(self, ctx: QueryContext) -> str | None:
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        from atlas_core.config import structure_component_config

        cfg = structure_component_config(self.Config, ctx.options(self.name), self.name)
        fields = (cfg.filename, cfg.symbols, cfg.body)
        extra = {**form_weights(ctx, cfg.forms), **phrase_weights(ctx, cfg.phrases)}
        scores = bm25f_scores(ctx, fields, cfg.k1, cfg.b, extra)
        if cfg.title_weight > 0:
            scores = scores + title_scores(ctx, fields, cfg.k1, cfg.b, cfg.title_weight)
        if cfg.feedback > 0:
            scores = scores + feedback_scores(
                ctx, scores, fields, cfg.k1, cfg.b,
                weight=cfg.feedback, docs=cfg.feedback_docs, terms=cfg.feedback_terms,
            )  # fmt: skip
        return scores


def title_scores(
    ctx: QueryContext, weights: tuple[float, float, float], k1: float, b: float, times: float
) -> np.ndarray:
    """BM25F of a long task's title words, each counted ``times`` (zeros for a short task:
    its title is most of it already)."""
    from atlas_core.rank.task import long_task_title

    title = long_task_title(ctx.query, ctx.terms)
    if not title:
        return np.zeros(len(ctx.index))
    counts = Counter(title)
    return bm25f_scores(ctx, weights, k1, b, {}, {t: times * n for t, n in counts.items()})


def phrase_weights(ctx: QueryContext, weight: float) -> dict[str, float]:
    """The joined terms of the task's adjacent words (none it already holds), each at
    ``weight``; empty when ``weight`` is 0."""
    if not weight:
        return {}
    from atlas_core.rank.phrases import phrase_terms
    from atlas_core.rank.task import parse_task

    held = set(ctx.terms)
    return {t: weight for t in phrase_terms(parse_task(ctx.query).text) if t not in held}


def form_weights(
    ctx: QueryContext, weight: float, derived: bool = True, missing_only: bool = False
) -> dict[str, float]:
    """The other forms of the task's words that the index holds (none the task holds),
    each at ``weight``; empty when ``weight`` is 0. ``derived``: also the nouns made of
    verbs (``parser``, ``validation``), not only the inflections (``parsed``);
    ``missing_only``: only for the words the index does not hold themselves."""
    if not weight:
        return {}
    from atlas_core.rank.morphology import word_forms

    held = set(ctx.terms)
    index = ctx.index
    return {
        form: weight
        for term in held
        if not (missing_only and index.term_id(term) is not None)
        for form in word_forms(term, derived)
        if form not in held and index.term_id(form) is not None
    }


def feedback_scores(
    ctx: QueryContext,
    scores: np.ndarray,
    weights: tuple[float, float, float],
    k1: float,
    b: float,
    *,
    weight: float,
    docs: int = 10,
    terms: int = 10,
) -> np.ndarray:
    """What the feedback words of the best files under ``scores`` add to them (BM25F of
    those words, each weighted up to ``weight``)."""
    from atlas_core.rank.feedback import feedback_terms

    # a built-in signal reads the symbol records of Atlas's own reader
    index = cast("IndexReader", ctx.index)
    found = feedback_terms(index, scores, set(ctx.terms), docs=docs, terms=terms)
    if not found:
        return np.zeros(len(scores))
    ctx.note("feedback words: " + ", ".join(found))
    extra = {word: weight * share for word, share in found.items()}
    return bm25f_scores(attrs.evolve(ctx, terms=[]), weights, k1, b, extra)
