"""Each normalisation rule of the name matcher, pinned with names as the lists write them."""

from __future__ import annotations

import pytest

from exportcheck.domain.matching import normalise_name
from exportcheck.domain.matching.normalise import (
    analyse,
    clean_text,
    list_name_variants,
    query_variants,
)


def same(*names: str) -> None:
    keys = {normalise_name(name) for name in names}
    assert len(keys) == 1, {name: normalise_name(name) for name in names}


@pytest.mark.parametrize(
    "names",
    [
        # Legal forms across languages are left out of the comparison.
        (
            "Huawei Technologies Co., Ltd.",
            "Huawei Technologies Company Limited",
            "HUAWEI TECHNOLOGIES LTD",
            "Huawei Technologies GmbH",
            "Huawei Technologies",
        ),
        (
            "140 Repair Plant JSC",
            "JSC 140 Repair Plant",
            "Open Joint Stock Company 140 Repair Plant",
            "AO 140 Repair Plant",
            "OAO 140 Repair Plant",
        ),
        ("SGM Most OOO", "SGM Most LLC", "Obshchestvo S Ogranichennoi Otvetstvennostyu SGM Most"),
        ("Huawei Technologies Japan K.K.", "Huawei Technologies Japan Kabushiki Kaisha"),
        ("JOMADI LOGISTICS AND CARGO, S.A. DE C.V.", "Jomadi Logistics & Cargo SA de CV"),
        ("Huawei Technologies Pakistan (Private) Limited", "Huawei Technologies Pakistan Pvt Ltd"),
        # Legal forms typed with a slip, glued on, or in an odd order are still legal forms.
        ("Limited Liability Company Flek", "LIMITEDLIABILITY COMPANY FLEK", "Flek LLC"),
        ("Reayou Company Limited", "REAYOU COMPANYLIMITED"),
        ("Public Joint Stock Company SPB Bank", "PUBLIC JOINT STOCK COPMANY SPB BANK"),
        ("Liability Limited Company Angar", "Angar LLC"),
        (
            "Closed Joint Stock Company Novye Finansovye Tekhnologii",
            "CLOSED COMPANY JOINT-STOCK NOVYE FINANSOVYE TEKHNOLOGII",
            "ZAO Novye Finansovye Tekhnologii",
        ),
    ],
)
def test_legal_forms_are_not_compared(names: tuple[str, ...]) -> None:
    same(*names)


@pytest.mark.parametrize(
    "names",
    [
        ("Huawei Tech", "Huawei Technologies", "Huawei Technology"),
        ("Semiconductor Systems Intl., Inc.", "Semiconductor Systems International Inc"),
        ("China Communications Construction Grp", "China Communications Construction Group"),
        ("Xian Aircraft Mfg Co", "Xian Aircraft Manufacturing Company"),
        ("Natl Univ of Defense Technology", "National University of Defense Technology"),
        ("Huawei Comm Technology", "Huawei Communications Technology"),
    ],
)
def test_abbreviations_meet_their_long_forms(names: tuple[str, ...]) -> None:
    same(*names)


def test_case_diacritics_and_nfkc() -> None:
    same("Huawei do Brasil Telecomunicações Ltda", "HUAWEI DO BRASIL TELECOMUNICACOES")
    same("ﬁrst Zürich Trading", "First Zurich Trading")


def test_punctuation_and_apostrophes() -> None:
    same("Xi'an Huawei Technologies", "Xian Huawei Technologies", "Xi’an Huawei Technologies")
    same("AL-AQSA FOUNDATION", "Al Aqsa Foundation")
    same("P&I Club", "P and I Club", "P & I Club")


def test_person_names_ignore_order() -> None:
    same("PUTIN, Vladimir", "Vladimir Putin", "Putin Vladimir")
    same("ZAKIR, Shohrat", "Shohrat Zakir")


def test_transliteration_of_other_scripts() -> None:
    same("Владимир Путин", "Vladimir Putin")
    same("ООО Ромашка", "Romashka LLC")
    assert analyse("习近平").tokens == ("xi", "jin", "ping")
    assert clean_text("Ελληνικά") == "ellinika"


def test_mojibake_in_list_names_is_repaired() -> None:
    # cp437 read as cp1252 (2022 CSL): "Co”peratief" is "Coöperatief"; U+0092 is an apostrophe.
    same("Huawei Technologies Co”peratief U.A.", "Huawei Technologies Cooperatief U.A.")
    same("Gui\x92an New District Huawei Investment", "Gui'an New District Huawei Investment")
    assert "santa fe" in clean_text("Avenida Santa F‚")


def test_a_name_that_is_only_a_legal_form_stays_comparable() -> None:
    assert normalise_name("Limited") == "limited"


def test_legal_edge_words_alone_are_name_words() -> None:
    # "Open", "Stock", "Joint" are legal only next to a word that is never anything else.
    assert normalise_name("Open Stock") == "open stock"


def test_digits_and_letters_are_kept_apart() -> None:
    same("Investment Decisions 7 LLC", "INVESTMENT DECISIONS7")
    same("Cacique 1 S.A.", "CACIQUE 1S.A.")


def test_normalise_name_is_deterministic() -> None:
    name = "Huawei Technologies Co., Ltd. (Huawei)"
    assert normalise_name(name) == normalise_name(name) == "huawei huawei technology"


def variants(name: str) -> dict[str, str]:
    return {normalise_name(v.text): v.how for v in list_name_variants(name)}


def test_bracketed_short_name_is_a_name_of_its_own() -> None:
    found = variants("Huawei Technologies Co., Ltd. (Huawei)")
    assert found["huawei"] == "the short name in brackets"
    assert "huawei technology" in found
    assert "13 cetc" in variants(
        "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
    )


def test_bracketed_place_is_not_a_name_of_its_own() -> None:
    found = variants("Huawei Device (Shenzhen) Co., Ltd.")
    assert "shenzhen" not in found
    assert "device huawei" in found
    assert "device huawei shenzhen" in found


def test_affiliated_entity_rows_index_both_parties() -> None:
    found = variants(
        "Huawei Technologies Co., Ltd. (Huawei).  Affiliated Entity:  Huawei Marine Networks "
        "Co., Ltd."
    )
    assert found["huawei marine network"] == "the affiliated-entity part"
    assert found["huawei technology"].startswith("the parent named")


def test_place_after_the_legal_form_is_dropped() -> None:
    found = variants("Huawei Software Technologies Co., Ltd., Nanjing, Jiangsu")
    assert "huawei software technology" in found
    assert "huawei jiangsu nanjing software technology" in found
    # A part of the company after the legal form is not a place.
    found = variants("Huawei Technologies Co., Ltd., Beijing Research Institute")
    assert "huawei technology" not in found


def test_aka_parts_and_leading_and() -> None:
    found = variants("Chitron Electronics Company Ltd., a.k.a. Chi-Chung Electronics Company Ltd.")
    assert {"chitron electronic", "chi chung electronic"} <= set(found)
    assert "140 jsc plant repair" not in variants("and JSC 140 Repair Plant")
    assert "140 plant repair" in variants("and JSC 140 Repair Plant")


def test_customer_decorations_are_tried_without() -> None:
    forms = query_variants("Huawei Technologies Co., Ltd. - Purchasing Dept")
    assert "Huawei Technologies Co., Ltd." in forms
    forms = query_variants("Huawei Technologies Co., Ltd. (Head Office)")
    assert any(normalise_name(f) == "huawei technology" for f in forms)
    assert "Ugur Yildiz" in query_variants("UgurYildiz")
