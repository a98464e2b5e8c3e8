"""Actor aliases learned from a coded record (#32), and the dictionary's cover of the actors it names."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.actor_learning import alias_precision, learn_aliases, phrases
from geo.actors import canonical_actor, find_actors, side_of
from tests.conftest import ROOT

UCDP = ROOT.parent / "shared" / "eval" / "ucdp_ged_syria_2016_2017.csv"


def _coded(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["headline", "side_a", "side_b"])


def test_a_name_that_comes_with_one_coded_actor_is_learned_as_its_alias():
    rows = [(f"Kurdish-led Northern Shield Forces repel attack near village {i}", "SDF", "IS") for i in range(4)]
    rows += [(f"Clashes in town {i}", "Government of Syria", "IS") for i in range(8)]
    rows += [(f"Shelling on district {i}", "Government of Syria", "Syrian insurgents") for i in range(8)]
    learned = learn_aliases(_coded(rows))
    assert "Northern Shield Forces" in set(learned["alias"]) and set(learned["actor"]) == {"SDF"}
    assert set(learned["headlines"]) == {4} and set(learned["share"]) == {1.0}


def test_a_name_that_comes_with_both_sides_equally_is_not_learned():
    rows = [(f"Southern Hawks Brigade fight near village {i}", "Jaysh al-Islam", "IS") for i in range(4)]
    rows += [(f"Clashes in town {i}", "Government of Syria", "Syrian insurgents") for i in range(4)]
    rows += [(f"Bombing in town {i}", "Government of Syria", "IS") for i in range(4)]
    assert learn_aliases(_coded(rows)).empty  # Jaysh al-Islam and IS are each in every headline naming it


def test_a_group_word_alone_or_a_known_name_is_no_alias():
    assert "Forces" not in phrases("Forces advance on Raqqa")
    assert phrases("The Syria Democratic Forces take Tabqa dam") >= {"Syria Democratic Forces", "Democratic Forces"}
    rows = [(f"Syrian Democratic Forces advance on village {i}", "SDF", "IS") for i in range(5)]
    assert learn_aliases(_coded(rows)).empty  # the dictionary already knows it


def test_the_shipped_learned_aliases_name_their_actor_in_text():
    mentions = find_actors("Syria Democratic Forces took the village on Monday.")
    assert [(m.actor, m.alias) for m in mentions] == [("SDF", "Syria Democratic Forces")]


@pytest.mark.skipif(not UCDP.exists(), reason="needs ../shared/eval/ucdp_ged_syria_2016_2017.csv")
def test_every_actor_the_coded_record_names_twice_is_in_the_dictionary_with_a_side():
    coded = pd.read_csv(UCDP, usecols=["side_a", "side_b"])
    names = pd.concat([coded["side_a"], coded["side_b"]]).dropna().str.split(r",\s*").explode().str.strip()
    counts = names.value_counts()
    # Jordan's state has no side in the coding rules (CODING.md); a bare ordinal unit ("13th Division")
    # is no safe alias: armies have such units too.
    left_out = {"Government of Jordan", "13th Division"}
    missing = [n for n, c in counts.items() if c >= 2 and n not in left_out and side_of(canonical_actor(n)) is None]
    assert missing == []


@pytest.mark.skipif(not UCDP.exists(), reason="needs ../shared/eval/ucdp_ged_syria_2016_2017.csv")
def test_aliases_learned_from_2016_name_a_coded_side_in_2017():
    from geo.extract_silver import read_coded

    learned = learn_aliases(read_coded(UCDP, years=(2016,)))
    right, total = alias_precision(learned, read_coded(UCDP, years=(2017,)))
    # Measured on 2026-12-07: 83 of 95 headlines (87.4 %), README.
    assert total >= 50 and right / total >= 0.8
