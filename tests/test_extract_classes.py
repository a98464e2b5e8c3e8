"""Classes of failure the extractor showed on news it had never seen (#32), each with sentences of our own.

Every sentence here was written for this test, modelled on a class the dev split showed (never on
the locked test split); place names are facts, the wording is ours.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo.actors import find_actors, side_of
from geo.articles import Article
from geo.extract import extract

SATURDAY = date(2025, 3, 8)


def _run(body: str, published: date = SATURDAY):
    events, rejected = extract(Article("t", "t", published, "", "", body, ""))
    return events, rejected


def _one(body: str, published: date = SATURDAY) -> dict[str, object]:
    events, _ = _run(body, published)
    assert len(events) == 1, events[["location", "sub_event_type"]]
    return events.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("body", "sub_event_type"),
    [
        ("Gunmen attacked a checkpoint in Jableh on Thursday, killing four members of the security forces.", "Armed clash"),
        ("Gunmen shot dead three shepherds near Palmyra on Friday.", "Attack"),
        ("Israeli artillery pounded the outskirts of Quneitra on Friday.", "Shelling/artillery/missile attack"),
        ("A strike on a car near Quneitra killed two men on Friday.", "Air/drone strike"),
        ("Fighters ambushed a patrol near Mayadin on Friday.", "Armed clash"),
        ("An explosion hit a market in Manbij on Friday, killing five people.", "Remote explosive/landmine/IED"),
    ],
)
def test_attack_and_combat_words_outside_the_old_list_make_typed_events(body, sub_event_type):
    assert _one(body)["sub_event_type"] == sub_event_type


def test_state_forces_taking_a_town_is_one_event_government_regains_territory():
    event = _one("Government forces took Jableh on Friday after clashes with loyalists.")
    assert (event["location"], event["sub_event_type"]) == ("Jableh", "Government regains territory")


@pytest.mark.parametrize(
    ("text", "actor", "side"),
    [
        ("Israeli warplanes struck", "Israeli armed forces", "israel"),
        ("Islamic State militants attacked", "Islamic State", "islamic_state"),
        ("Druze gunmen clashed", "Druze fighters", "druze"),
        ("Bedouin fighters clashed", "Bedouin tribal fighters", "tribes"),
        ("remnants of the Assad regime ambushed", "Assad loyalists", "loyalists"),
        ("PKK fighters fired", "PKK", "pkk"),
        ("the Islamic Resistance in Iraq claimed", "Iraqi armed factions", "iran_backed"),
        ("Turkish-backed militias shelled", "SNA", "opposition"),
    ],
)
def test_the_regions_actors_are_known_with_their_sides(text, actor, side):
    found = find_actors(text)
    assert [m.actor for m in found] == [actor]
    assert side_of(actor, on=SATURDAY) == side


def test_a_side_can_change_with_the_date_hts_became_the_state():
    assert side_of("HTS", on=date(2024, 12, 1)) == "opposition"
    assert side_of("HTS", on=date(2025, 3, 8)) == "government"


def test_an_acronym_alias_needs_capitals():
    assert find_actors("Is the road open?") == []
    assert [m.actor for m in find_actors("IS fighters attacked")] == ["Islamic State"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("A Turkish drone struck a car in Qamishli (Photo: ANHA).", "a photo caption"),
        ("Turkey frequently carries out drone strikes on Kobani.", "a habit, not one event"),
        ("Since January, Turkish drones have carried out 77 strikes on Hasakah.", "a total over a period, not one event"),
        # No trigger word, and the learned classifier is not nearly sure: listed with its probability.
        ("Two soldiers died in Homs on Friday.", "no trigger, and the sentence classifier is not sure of an event (p="),
    ],
)
def test_statements_that_are_not_events_are_rejected_with_their_reason(body, reason):
    events, rejected = _run(body)
    assert events.empty
    # A reason ending "(p=" is followed by the classifier's probability, which training may move.
    assert len(rejected) == 1 and (rejected[0].reason == reason or (reason.endswith("(p=") and rejected[0].reason.startswith(reason)))


def test_a_generic_word_is_not_a_place_code():
    events, rejected = _run("Fighting continued near the Dam on Friday.")
    assert events.empty and [r.reason for r in rejected] == ["no place"]


def test_a_persons_surname_is_not_a_village():
    events, _ = _run("Bashar al-Assad fled to Moscow. Assad's fall was celebrated as rebels captured Hama.")
    assert list(events["location"]) == ["Hama"]


def test_a_name_both_countries_have_is_looked_up_in_the_country_the_article_is_about():
    event = _one("Iraqi forces clashed with PKK fighters in Sinjar on Friday, Iraqi officials said.")
    assert event["country"] == "Iraq" or event["admin1"] == "Nineveh"


def test_the_city_refers_back_to_the_last_named_place():
    events, _ = _run("Rebels entered Hama on Thursday. Heavy clashes raged inside the city on Friday.")
    clash = events[events["sub_event_type"] == "Armed clash"].iloc[0]
    assert clash["location"] == "the city (Hama)" and clash["event_date"].date() == date(2025, 3, 7)


def test_names_with_lowercase_particles_are_places():
    assert _one("Islamic State militants attacked an SDF position in Deir ez-Zor on Wednesday.")["location"] == "Deir ez-Zor"


def test_every_side_in_the_actor_dictionary_is_a_side_the_coding_rules_define():
    from geo.actors import actor_table
    from geo.extract_eval import GOLD_DIR

    rules = (GOLD_DIR / "CODING.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"^\| `(\w+)` \|", rules, flags=re.MULTILINE))
    table = actor_table()
    eras = {e.split(":")[1] for e in table["era"] if e}
    assert set(table["side"]) | eras <= defined


def test_a_coarser_name_that_locates_a_place_is_not_an_event_of_its_own():
    events, _ = _run("A Turkish drone hit the town of Amuda in the Hasakah countryside on Friday.")
    assert list(events["location"]) == ["Amuda"]
    events, _ = _run("Gunmen clashed with police in Jaramana, near the capital Damascus, on Friday.")
    assert list(events["location"]) == ["Jaramana"]


def test_villages_the_gazetteer_lacks_are_placed_at_the_town_the_text_locates_them_by():
    events, _ = _run("Turkish drones struck villages south of Kobani, including Berxbotan and Qartalik, on Friday.")
    assert set(events["location"]) == {"Berxbotan", "Qartalik"}
    assert set(events["geo_precision"]) == {2}


def test_a_name_with_a_lowercase_article_is_a_place():
    events, _ = _run("Clashes were reported in al-Hasakah on Friday.")
    assert list(events["location"]) == ["al-Hasakah"]


def test_the_first_word_of_an_unknown_facility_is_not_a_town():
    events, rejected = _run("Fighters attacked positions near the Qara Qozak Bridge on Friday.")
    assert events.empty and rejected


def test_a_news_source_or_a_government_speaking_is_not_a_place():
    events, _ = _run("Gunmen attacked a checkpoint in Jableh on Friday, sources told Al Jazeera.")
    assert list(events["location"]) == ["Jableh"]
    events, _ = _run("Washington and Damascus both accused IS of the ambush on a patrol near Palmyra on Friday.")
    assert list(events["location"]) == ["Palmyra"]


def test_a_day_earlier_is_counted_from_the_day_in_focus():
    events, _ = _run("On Thursday a Turkish drone struck Kobani. A day earlier, a Turkish drone strike hit a car in Amuda.")
    days = dict(zip(events["location"], events["event_date"].dt.date, strict=True))
    assert days == {"Kobani": date(2025, 3, 6), "Amuda": date(2025, 3, 5)}


def test_the_attack_a_side_clause_names_is_where_it_happened():
    event = _one("Five people were killed on Friday following an Israeli attack on the town of Nawa.")
    assert event["location"] == "Nawa"


def test_a_drone_shot_down_is_disrupted_weapons_use():
    assert _one("SDF fighters shot down a drone over Tishrin Dam on Friday.")["sub_event_type"] == "Disrupted weapons use"


def test_the_agent_after_by_acts_and_a_withdrawal_is_the_other_sides_gain():
    event = _one("Nine rockets were fired at a base near Mayadin on Friday by Iran-backed militias.")
    assert event["actor1"] == "Iran-backed militias"
    event = _one("Druze fighters withdrew from Tha'la on Friday after clashes with Bedouin fighters.")
    assert event["actor1"] == "Bedouin tribal fighters"


def test_the_speaker_of_a_report_is_not_the_attacker():
    event = _one("The US military said the attack on Friday targeted a US base near Shaddadi.")
    assert event["actor1"] is None or side_of(event["actor1"], on=SATURDAY) != "us"


def test_a_denial_is_not_an_event():
    events, rejected = _run("The ministry denied that its forces withdrew from Homs on Friday.")
    assert events.empty and [r.reason for r in rejected] == ["a denial, not an event"]


def test_assad_loyalists_were_the_government_side_before_the_fall():
    assert side_of("Assad loyalists", on=date(2024, 12, 1)) == "government"
    assert side_of("Assad loyalists", on=date(2025, 3, 7)) == "loyalists"


def test_a_foreign_states_attack_with_no_word_for_how_is_a_strike_from_the_air():
    assert _one("The IOF also struck the T4 airbase on Friday.")["sub_event_type"] == "Air/drone strike"
    assert _one("Israeli troops attacked a checkpoint near Quneitra on Friday.")["sub_event_type"] == "Armed clash"


@pytest.mark.parametrize(
    "body",
    [
        "Turkey struck a deal with Russia in Idlib on Friday.",
        "He suffered a heart attack in Homs on Friday.",
        "It took Iraqi forces three days to reach Mosul.",
        "Two men were killed in a traffic accident near Homs on Friday.",
        "Another village near Kobani was quiet on Friday.",
    ],
)
def test_ordinary_sentences_with_violent_looking_words_are_no_events(body):
    events, _ = _run(body)
    assert events.empty, events[["location", "sub_event_type"]]


def test_a_place_followed_by_a_reporting_verb_is_still_a_place_when_it_is_not_the_subject():
    events, _ = _run("Clashes in Hama reported by activists on Friday left three dead.")
    assert list(events["location"]) == ["Hama"]


def test_a_village_locates_the_event_not_also_the_town_it_is_placed_at():
    events, _ = _run("In Daraa, gunmen attacked the village of Qartalik on Friday.")
    assert list(events["location"]) == ["Qartalik"]


def test_a_fifty_thousand_character_sentence_is_read_in_seconds():
    import time

    body = ", ".join(["gunmen attacked the village of Qartalik near Kobani in the Aleppo countryside"] * 700)
    started = time.perf_counter()
    _run(body.capitalize() + ".")
    assert time.perf_counter() - started < 30  # a bound, not a benchmark: c9be667's cubic search took minutes


def test_a_day_named_weeks_before_publication_is_background_and_does_not_date_its_paragraph():
    # Published 8 March 2025: 8 December is three months back, however the sentence words it.
    body = ("Rebels captured Hama on December 8 after a week of fighting. "
            "Gunmen attacked a checkpoint in Jableh, killing two soldiers.")  # fmt: skip
    events, rejected = _run(body)
    assert list(events["location"]) == ["Jableh"] and str(events["event_date"].iat[0].date()) == "2025-03-08"
    assert any(r.reason == "background (mentions 2024-12-08)" for r in rejected)


def test_the_border_is_the_iraq_syria_border_only_in_an_article_about_iraq():
    lebanon = ("Syrian troops shelled positions on the border on Friday after three Syrian soldiers were killed. "
               "Lebanese officials said the shelling hit villages in Lebanon. Lebanon's army deployed units.")  # fmt: skip
    events, _ = _run(lebanon)
    assert "Iraq–Syria border zone" not in set(events["location"])
    iraq = "Iraq sent troops to the border with Syria on Friday."
    assert _one(iraq)["location"] == "Iraq–Syria border zone"


@pytest.mark.parametrize(
    "body",
    [
        "Turkish forces have conducted over 1,000 strikes on Duhok province so far in 2025.",
        "On Sunday, the ministry said it will send more troops to Deir ez-Zor.",
    ],
)
def test_totals_and_plans_are_no_events_even_in_a_dated_sentence(body):
    events, rejected = _run(body)
    assert events.empty and rejected


def test_a_province_level_event_sits_at_the_provincial_capital():
    event = _one("Government forces shelled several towns in Hama province on Friday.")
    assert event["location"] == "Hama province" and event["geo_precision"] == 3
    assert (round(event["latitude"], 2), round(event["longitude"], 2)) == (35.13, 36.76)  # Hama, GeoNames 170017


@pytest.mark.parametrize(("body", "place"), [
    ("A drone strike hit a car in the Iraqi capital on Wednesday, killing two men.", "Baghdad"),
    ("Gunmen attacked a police station in Syria's capital on Friday.", "Damascus"),
])  # fmt: skip
def test_a_capital_named_by_its_country_is_that_city(body, place):
    assert _one(body)["location"] == place


@pytest.mark.parametrize(("text", "actor"), [
    ("A US drone strike hit a car near the airport.", "US forces"),
    ("Turkish mercenaries tried to infiltrate the village.", "SNA"),  # the Kurdish press's word for SNA factions
    ("The Turkish occupation mercenaries shelled the village.", "SNA"),
])  # fmt: skip
def test_actors_under_the_names_the_regional_press_uses(text, actor):
    assert [m.actor for m in find_actors(text)][:1] == [actor]


def test_who_a_clause_says_the_target_hosts_did_not_act():
    event = _one("Rockets on Friday targeted the Ain al-Asad air base, which hosts US and other international forces.")
    assert event["location"] == "Ain al-Asad air base" and event["actor1"] != "US forces"


def test_a_news_outlets_name_after_its_kind_is_not_a_place():
    events, rejected = _run("The official Syrian news agency Sana said on Friday that soldiers were killed in an attack.")
    assert events.empty and [r.reason for r in rejected] == ["no place of an event (a news source, not a place)"]


def test_a_spelling_the_gazetteer_lacks_is_found_near_the_articles_other_places():
    body = ("Government artillery shelled Atarib on Friday. Later on Friday, rockets fell on Dara Izza, residents said.")
    events = _run(body)[0]
    assert "Dārat ‘Izzah" in events["geocoded_by"].str.cat()
    # With no place of the same governorate named, the variant is not guessed.
    assert "Izzah" not in _run("Rockets fell on Dara Izza on Friday, residents said.")[0]["geocoded_by"].str.cat()
    # Nor where no locative word introduces it as a place.
    assert "Izzah" not in _run("Government artillery shelled Atarib on Friday. Dara Izza fighters fired back.")[0]["geocoded_by"].str.cat()
