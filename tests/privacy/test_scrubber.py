"""Taking an erased person's name and address out of the texts that stay."""

from __future__ import annotations

from plugin.domain.erasure import Scrubber

GONE = "verwijderde gebruiker"


def test_name_and_address_in_any_case_become_the_label() -> None:
    scrub = Scrubber(["Sem de Vries", "sem.devries@bedrijf.example"], GONE)
    assert scrub.text("Ontwikkelgesprek: Sem de Vries") == f"Ontwikkelgesprek: {GONE}"
    assert scrub.text("mail SEM.DEVRIES@bedrijf.example of sem de vries") == (
        f"mail {GONE} of {GONE}"
    )
    assert scrub.text("Sem regelt het") == "Sem regelt het"  # a first name alone stays


def test_the_address_goes_whole_before_a_name_inside_it() -> None:
    scrub = Scrubber(["Sem", "sem@b.example"], GONE)
    assert scrub.text("sem@b.example") == GONE


def test_json_strings_and_keys_are_scrubbed_the_rest_kept() -> None:
    scrub = Scrubber(["Anna Bakker"], GONE)
    value = {"title": "Gesprek Anna Bakker", "n": 3, "ok": True, "list": ["anna bakker", None]}
    assert scrub.json(value) == {
        "title": f"Gesprek {GONE}",
        "n": 3,
        "ok": True,
        "list": [GONE, None],
    }


def test_short_or_empty_needles_are_not_looked_for() -> None:
    scrub = Scrubber(["", "Al"], GONE)
    assert scrub.text("Alles goed") == "Alles goed"
