"""Article extraction benchmark: the language pipeline loaded once per process vs once per article."""

from __future__ import annotations

from dataclasses import replace

from geo import nlp
from geo.articles import read_article
from geo.bench.core import Row, timed
from geo.extract import extract
from geo.paths import ROOT


def bench_extract(*, words: int = 1500) -> list[Row]:
    """Extract events from an article of ``words`` words: the pipeline loaded once vs once per article.

    The article is the seed article's body repeated until it is ``words`` words long (real text,
    repeated: labelled as such); each copy is dated afresh so no sentence is a duplicate.
    """

    seed = read_article(next((ROOT / "seeds").glob("*.txt")))
    body, copies = seed.body, 1
    while len(body.split()) < words:
        copies += 1
        body += f"\n\nCopy {copies}.\n\n" + seed.body
    article = replace(seed, body=body)
    measured = len(body.split())
    if measured < words:
        msg = f"expected an article of at least {words} words, got {measured}"
        raise AssertionError(msg)
    nlp.pipeline()  # loaded once per process, as the app and CLI do
    secs, (events, _), _ = timed(lambda: (nlp.parse.cache_clear(), extract(article))[1], repeat=3)
    note = f"{measured:,} words, {len(events)} events; seed body ×{copies}"
    rows = [Row("extract one article", measured, "ours: pipeline loaded once per process", secs, note=note)]
    secs, _, _ = timed(lambda: (nlp.pipeline.cache_clear(), nlp.parse.cache_clear(), extract(article))[2])
    rows.append(Row("extract one article", measured, "naive: spaCy model loaded per article", secs))
    return rows
