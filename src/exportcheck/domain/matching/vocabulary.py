"""Word lists the matcher relies on: legal forms, abbreviations, stopwords and decorations."""

from __future__ import annotations

__all__ = [
    "ABBREVIATIONS",
    "AMBIGUOUS_LEGAL_FORMS",
    "DECORATION_WORDS",
    "GLUED_LEGAL_PREFIXES",
    "GLUED_LEGAL_SUFFIXES",
    "LEGAL_EDGE_WORDS",
    "LEGAL_FORMS",
    "LEGAL_WORDS",
    "LOCATION_WORDS",
    "ORGANISATION_WORDS",
    "STOPWORDS",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(line.split()) for line in text.strip().splitlines() if line.strip())


# Tokens as produced by normalisation: lower-case ASCII, dotted acronyms joined ("s.a." -> "sa").
# Legal forms are not compared at all: customers swap "Co., Ltd." for "Limited" or "GmbH", and
# a legal form never tells two listed parties apart.
LEGAL_FORMS: frozenset[tuple[str, ...]] = _phrases(
    """
    co ltd
    co limited
    company ltd
    company limited
    company
    co
    ltd
    limited
    ltd co
    corp
    corporation
    corp ltd
    corporation limited
    inc
    incorporated
    llc
    l l c
    limited liability company
    limited liability partnership
    llp
    lp
    plc
    public limited company
    pvt ltd
    pvt limited
    private limited
    private ltd
    pvt
    pte ltd
    pte limited
    pte
    pty ltd
    pty limited
    pty
    p ltd
    ltda
    limitada
    sdn bhd
    bhd
    berhad
    tbk
    pt
    ooo
    oao
    zao
    pao
    ao
    jsc
    ojsc
    cjsc
    pjsc
    jsc co
    joint stock company
    joint stock co
    joint stock
    open joint stock
    closed joint stock
    public joint stock
    open joint stock co
    closed joint stock co
    public joint stock co
    open joint stock company
    closed joint stock company
    public joint stock company
    private joint stock company
    aktsionernoe obshchestvo
    aktsionernoye obshchestvo
    otkrytoe aktsionernoe obshchestvo
    zakrytoe aktsionernoe obshchestvo
    publichnoe aktsionernoe obshchestvo
    obshchestvo s ogranichennoi otvetstvennostyu
    obshchestvo s ogranichennoy otvetstvennostyu
    obshchestvo s ogranichennoi otvetstvennostiu
    obshchestvo s ogranichennoj otvetstvennostju
    tov
    pat
    prat
    fllc
    fzco
    fze
    fzc
    fz llc
    fzllc
    dmcc
    gmbh
    mbh
    gesellschaft mit beschrankter haftung
    aktiengesellschaft
    kommanditgesellschaft
    anonim sirketi
    limited sirketi
    ltd sti
    sti
    naamloze vennootschap
    besloten vennootschap
    societa per azioni
    societa a responsabilita limitata
    gmbh co kg
    ag
    kg
    se
    sa
    sa de cv
    sapi de cv
    s de rl
    s de rl de cv
    sociedad anonima
    sociedad anonima de capital variable
    societe anonyme
    sas
    sarl
    sarlu
    srl
    sro
    spa
    sp z oo
    spzoo
    bv
    nv
    ua
    cooperatief ua
    ab
    as
    asa
    oy
    oyj
    aps
    kft
    zrt
    doo
    dd
    ad
    ead
    eood
    kk
    kabushiki kaisha
    yk
    cia
    cie
    sal
    wll
    psc
    qsc
    spc
    est
    establishment
    """
)


# A multi-word form is also typed without spaces ("AKTSIONERNOEOBSHCHESTVO", "COMPANYLIMITED").
LEGAL_FORMS = LEGAL_FORMS | frozenset(
    ("".join(phrase),) for phrase in LEGAL_FORMS if len(phrase) > 1
)

# Words that only ever belong to a legal form. A run of them at either end of a name is a legal
# form even when written in an unusual order ("Liability Limited Company").
LEGAL_WORDS: frozenset[str] = _words(
    """
    limited ltd liability llc company co corp corporation inc incorporated jsc ojsc cjsc pjsc
    ooo oao zao pao gmbh obshchestvo aktsionernoe aktsionernoye otkrytoe zakrytoe publichnoe
    ogranichennoi ogranichennoy ogranichennoj otvetstvennostyu otvetstvennostiu otvetstvennostju
    pvt pte pty plc llp ltda limitada bhd berhad sdn fze fzco fzc fllc sarl srl
    kabushiki kaisha gesellschaft beschrankter haftung mbh jointstock aktiengesellschaft
    kommanditgesellschaft sirketi vennootschap
    """
)

# Words that belong to a legal form only next to one ("Closed Joint Stock Company",
# "Open JSC"); on their own at the end of a name they may be its words.
LEGAL_EDGE_WORDS: frozenset[str] = LEGAL_WORDS | _words(
    "joint stock open closed public private partnership anonim"
)

# Legal forms that customers glue to the previous word ("Reayou CompanyLimited", "EG Ltd").
GLUED_LEGAL_SUFFIXES: tuple[str, ...] = (
    "corporation",
    "liability",
    "company",
    "limited",
    "gmbh",
    "fzco",
    "ltd",
    "llc",
    "fzc",
    "fze",
    "jsc",
)

# Legal forms glued to the front of a name ("LLCRN Komsomolskiy"); no ordinary word starts so.
GLUED_LEGAL_PREFIXES: tuple[str, ...] = ("pjsc", "llc", "ooo", "jsc", "oao", "zao")

# Short forms that are also ordinary words or name parts; removed only at either end of a name.
AMBIGUOUS_LEGAL_FORMS: frozenset[tuple[str, ...]] = _phrases(
    """
    co
    company
    sa
    se
    as
    ab
    ad
    ag
    kg
    kk
    nv
    bv
    ua
    dd
    pt
    ao
    pat
    sal
    yk
    oy
    aps
    cia
    cie
    spa
    sas
    est
    establishment
    tov
    pvt
    pte
    pty
    lp
    """
)


STOPWORDS: frozenset[str] = _words(
    "and of the for de del della di da do dos das du des la le les von van der den und et y"
)

# Words a customer adds to say which site or department they are, not who they are.
DECORATION_WORDS: frozenset[str] = _words(
    """
    head office hq headquarters branch dept department division purchasing procurement
    accounts payable attn
    mr mrs ms dr prof sir president presidente prezident prasident predsjednik presedintele
    presiden elnok
    """
)

# Written-out and abbreviated spellings of the same word meet on one canonical token.
_ABBREVIATION_GROUPS = """
technology: tech techn techno technol tecnologia tecnologias technologie technologies
international: intl int'l intnl internat internacional internationale
communication: comm comms communications commun communicatie
group: grp
manufacturing: mfg mfr manuf manufacturer manufacturers
university: univ uni universitet universidad universite
institute: inst instit institut instituto
research: res
scientific: sci
science: sciences
engineering: eng engg engr
electronic: electronics elec electr elektronik electronica
industry: ind inds industries industrial indus
association: assoc assn
service: services svc svcs svs
system: systems sys syst
national: natl nat'l
management: mgmt mgt
development: dev devel
equipment: equip eqpt
trading: trdg trade
holding: holdings hldg hldgs
investment: investments invest inv
brothers: bros
machinery: mach
chemical: chemicals chem
pharmaceutical: pharmaceuticals pharma pharm
logistic: logistics
telecommunication: telecom telecomm telecoms telecommunications
semiconductor: semiconductors semicon
material: materials
product: products prod
solution: solutions
network: networks
resource: resources
device: devices
instrument: instruments
laboratory: laboratories lab labs
center: centre ctr cntr
enterprise: enterprises
aviation: aviatsiya
shipping: shpg
mountain: mt
saint: st ste
general: gen
"""


def _abbreviations() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _ABBREVIATION_GROUPS.strip().splitlines():
        canonical, _, spellings = line.partition(":")
        for spelling in spellings.split():
            table[spelling.replace("'", "")] = canonical.strip()
    return table


ABBREVIATIONS: dict[str, str] = _abbreviations()

# Places that turn up in brackets in list names ("Huawei Device (Shenzhen) Co., Ltd."); such a
# bracket is not a short name of the party, so it is not indexed on its own.
LOCATION_WORDS: frozenset[str] = frozenset(
    line.strip()
    for line in """
    shenzhen
    beijing
    shanghai
    guangzhou
    dongguan
    hangzhou
    chengdu
    wuhan
    nanjing
    tianjin
    xian
    hong kong
    hk
    macau
    taiwan
    china
    prc
    moscow
    st petersburg
    saint petersburg
    russia
    iran
    tehran
    dubai
    uae
    singapore
    india
    pakistan
    karachi
    lahore
    uk
    usa
    us
    germany
    japan
    korea
    turkey
    istanbul
    malaysia
    thailand
    vietnam
    belarus
    minsk
    kazakhstan
    armenia
    kyrgyzstan
    uzbekistan
    syria
    lebanon
    iraq
    yemen
    """.strip().splitlines()
)

# Words that name a part of an organisation rather than a place.
ORGANISATION_WORDS: frozenset[str] = _words(
    """
    institute research center centre branch laboratory laboratories lab office factory plant
    department division university school academy bureau company group works station base
    """
)
