"""What no document of the office may contain, and the legal ground every act cites.

Every template is rendered in both languages from realistic fields (``DOCUMENT_FIELDS``, one
dict per document kind, persons named as the roster or the parties name them) and the output is
checked: no "Уважаемый(ая)", no staff id of the roster printed where a person's name belongs, no
clause of the internal Regulation as the legal ground of a document addressed outside the office,
and each act of the catalogue citing its article of CL-155 (and of the CoAO for the decree opening
an administrative-offence case)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import yaml
from jinja2 import meta

from deployments.cli.roster import DEMO_ROSTER
from models.office.roster import Position
from models.procedures.acts import CATALOGUE, Act, AdminOffence, ContestedAct, OffenderKind
from models.procedures.court_acts import CourtAct, WindowKind, petition_fields
from models.procedures.cpc_complaints import (
    EXTENSION_GROUND_TEXT,
    OUTCOME_TEXT,
    SUBJECT_TEXT,
    ComplaintSubject,
    ExtensionGround,
    Outcome,
)
from models.records.rendering import (
    LANGUAGES,
    TEMPLATES,
    Letterhead,
    as_text,
    document_kinds,
    environment,
    render,
)

ROSTER = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
STAFF_IDS = sorted(s["id"] for s in ROSTER["staff"])
OFFICE = ROSTER["office"]
# The roster's address with a street, whose name carries һ: every Kazakh letter is then printed.
OFFICE_ADDRESS = f"{OFFICE['address']}, Гауһартас к-сі, 12"
SIGNATORY = next(s for s in ROSTER["staff"] if s["id"] == "head")
DATE = dt.date(2026, 12, 1)
REGISTRATION = "ALM-BST-PRT-2026-15"
# Kinds that stay inside the office (an agenda of the operational meeting, its resolution): the
# office's own Regulation may be cited there.
INTERNAL = frozenset({"agenda", "resolution"})

CONTESTED = ContestedAct(
    title="решение акима района «О закрытии сквера «Жастар»»",
    number="15",
    date=dt.date(2026, 11, 1),
    issuer="аким Бостандыкского района города Алматы",
)
CONTESTED_KK = ContestedAct(
    title="«Жастар» скверін жабу туралы» аудан әкімінің шешімі",
    number="15",
    date=dt.date(2026, 11, 1),
    issuer="Алматы қаласы Бостандық ауданының әкімі",
)
OFFENCE = AdminOffence(
    offender_kind=OffenderKind.PERSON,
    offender_name="Әбдірахманова Зуһра Қайратқызы",
    birth_date=dt.date(1985, 4, 12),
    iin_bin="850412450123",
    address="Алматы қ., Тимирязев к-сі, 42-үй, 7-пәтер",
    workplace="«Алатау Құрылыс» ЖШС, директор",
    id_document="жеке куәлік № 045612378, 12.05.2019 ҚР ІІМ берген",
    coao_article="462",
    coao_part=1,
    offence_place="Алматы қ., Тимирязев к-сі, 42-үй",
    offence_date=dt.date(2026, 11, 20),
)
COURT_ACT = CourtAct(
    kind=WindowKind.CRIMINAL_VERDICT,
    case_number="7512-26-00-1/101",
    act_date=dt.date(2026, 3, 2),
    window_starts_on=dt.date(2026, 3, 2),
    received_on=dt.date(2026, 3, 2),
    court_name_ru="Бостандыкский районный суд города Алматы",
    court_name_kk="Алматы қаласы Бостандық аудандық соты",
    appellate_court_ru="судебную коллегию по уголовным делам Алматинского городского суда",
    appellate_court_kk="Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына",
)
ADDRESSEE = {
    "ru": "Акиму Бостандыкского района города Алматы Өтегенову Ғ. Қ.",
    "kk": "Алматы қаласы Бостандық ауданының әкімі Ғ. Ұ. Өтегеновке",
}
VIOLATION = {
    "ru": "доступ граждан к скверу «Жастар» на ул. Тимирязева ограничен без законных оснований",
    "kk": "Тимирязев көшесіндегі «Жастар» скверіне азаматтардың кіруі заңсыз шектелген",
}
DEMANDS = {
    "ru": "отменить решение и восстановить доступ граждан к скверу",
    "kk": "шешімнің күшін жою",
}
INSPECTORS = ["Қасымов Ерлан Маратұлы, помощник прокурора района", "Петренко Ольга Игоревна"]


def _act(language: str, **extra: Any) -> dict[str, Any]:
    contested = CONTESTED_KK if language == "kk" else CONTESTED
    return {
        "addressee_name": ADDRESSEE[language],
        "addressee_address": "Алматы қ., Тимирязев к-сі, 48",
        **contested.fields(),
        "offence": None,
        "violation": VIOLATION[language],
        "demands": DEMANDS[language],
        "due": "11.12.2026",
        "suspended": True,
        "urgent_reason": None,
        **extra,
    }


def _court_application(language: str) -> dict[str, Any]:
    return _act(
        language,
        addressee_name={
            "ru": "Специализированный межрайонный административный суд города Алматы",
            "kk": "Алматы қаласының мамандандырылған ауданаралық әкімшілік соты",
        }[language],
        respondent=(CONTESTED_KK if language == "kk" else CONTESTED).issuer,
        act_kind="protest",
        act_reference={
            "number": "ALM-BST-26/41",
            "date": "01.12.2026",
            "date_kk": "2026 жылғы 1 желтоқсандағы",
        },
        outcome="rejected",
    )


PETITION = {
    "ru": {
        "grounds": "суд неправильно применил уголовный закон: действия осужденного ошибочно"
        " квалифицированы по части 1 статьи 190 Уголовного кодекса",
        "request": "отменить приговор и вынести новый обвинительный приговор",
        "attachments": ["копия приговора"],
    },
    "kk": {
        "grounds": "сот қылмыстық заңды дұрыс қолданбаған: сотталған адамның әрекеттері"
        " Қылмыстық кодекстің 190-бабының 1-бөлігі бойынша қате сараланған",
        "request": "үкімнің күшін жойып, жаңа айыптау үкімін шығару",
        "attachments": ["үкімнің көшірмесі"],
    },
}


def _petition(language: str) -> dict[str, Any]:
    return petition_fields(COURT_ACT, language, **PETITION[language])


def _pretrial(language: str) -> dict[str, Any]:
    """ЕРДР facts of a case for its постановления (CPC art. 192(4))."""
    return {
        "erdr_number": "261100000000077",
        "registered_date": "10.03.2026",
        "cc_article": "190 ч.2",
        "form_name": {"ru": "предварительное следствие", "kk": "алдын ала тергеу"}[language],
        "body_name": "Управление полиции Бостандыкского района",
        # the template prints the body on its «Кому:» line: the PDF check looks for it there
        "addressee_name": "Управление полиции Бостандыкского района",
        "investigator": "Сейітов Бақытжан Ерланұлы",
        "request_date": "05.05.2026",
        "current_due": "12.05.2026",
        "new_due": {"ru": "10.06.2026", "kk": "2026 жылғы 10 маусымға"}[language],
        "reasoning": "назначены судебно-бухгалтерская и почерковедческая экспертизы",
        "refusal_reasoning": "экспертизы окончены, иных следственных действий не требуется",
    }


# One dict per kind (the acts of the catalogue, then the letters of the other procedures). A
# template may ask for a field not listed here (another procedure's fields move on): it gets a
# realistic filler from ``_filler`` so the checks still run over its text.
DOCUMENT_FIELDS: dict[str, Any] = {
    "protest": _act,
    "submission": lambda lang: _act(lang, suspended=False, urgent_reason=None),
    "decree_suspend_act": _act,
    "decree_cancel_restrictions": _act,
    "decree_short_suspension": _act,
    "admin_offence": lambda lang: _act(
        lang,
        **dict.fromkeys(ContestedAct.empty()),
        addressee_name={
            "ru": "Специализированный административный суд города Алматы",
            "kk": "Алматы қаласының мамандандырылған әкімшілік соты",
        }[lang],
        offence=OFFENCE.fields(lang),
    ),
    "clarification": lambda lang: _act(lang, **dict.fromkeys(ContestedAct.empty())),
    "court_application": _court_application,
    "appellate_petition": _petition,
    "reply": lambda lang: {
        "addressee_name": "Сейтқали Әлия Нұрғалиқызы",
        "addressee_address": "Алматы қ., Әуезов к-сі, 12-үй, 4-пәтер",
        "received": "20.11.2026",
        "subject": "о бездействии коммунальных служб",
        "findings": "доводы о бездействии подтвердились",
        "measures": "внесено представление акиму района",
        "outcome": "upheld",
        "ground": "upheld",
        "ground_text": "пункт 3 статьи 24 Конституционного закона «О прокуратуре»",
    },
    "agenda": lambda lang: {
        "meeting_date": "04.12.2026",
        "items": [{"text": "О состоянии законности", "bodies": ["акимат"], "due": "10.12.2026"}],
        "prepared_by": "Жұмабаева Динара Сәбитқызы",
    },
    "resolution": lambda lang: {
        "meeting_date": "04.12.2026",
        "items": [{"text": "О состоянии законности", "bodies": ["акимат"], "due": "10.12.2026"}],
    },
    "body_letter": lambda lang: {
        "addressee_name": ADDRESSEE[lang],
        "body_name": "акимат Бостандыкского района",
        "item": {"text": "О состоянии законности", "bodies": ["акимат"], "due": "10.12.2026"},
        "meeting_date": "04.12.2026",
        "due": "10.12.2026",
    },
    "inspection_order": lambda lang: {
        "addressee_name": "ТОО «Алатау Құрылыс»",
        "subject": "ТОО «Алатау Құрылыс»",
        "ground_text": "подпункт 1) пункта 1 статьи 18 Конституционного закона «О прокуратуре»",
        "facts": "обращение жителей о нарушении правил строительства",
        "scope": "соблюдение законодательства об архитектурной деятельности",
        "days": 30,
        "inspectors": INSPECTORS,
        "specialists": ["Әбенов Һәди, инженер-строитель"],
        "authorisation_text": None,
    },
    "complaint_decision": lambda lang: {
        "addressee_name": "Сейтқали Әсел Нұрғалиқызы",
        "addressee_address": "Алматы қ., Әуезов к-сі, 12-үй, 4-пәтер",
        "complainant": "Сейтқали Әсел Нұрғалиқызы",
        "capacity": {"ru": "защитник подозреваемого", "kk": "күдіктінің қорғаушысы"}[lang],
        "received": "19.11.2026",
        "body_name": "Следственное управление Департамента полиции города Алматы",
        "case_number": "261100031000123",
        "subject_text": SUBJECT_TEXT[ComplaintSubject.SEARCH][lang],
        "summary": "обыск в жилище проведён без постановления",
        "outcome": "partly_upheld",
        "decision_title": OUTCOME_TEXT[Outcome.PARTLY_UPHELD]["title"][lang],
        "operative": OUTCOME_TEXT[Outcome.PARTLY_UPHELD]["operative"][lang],
        "findings": "обыск проведён без санкции следственного судьи",
        "remedy": "признать обыск незаконным",
        "harm_caused": True,
    },
    "complaint_extension_notice": lambda lang: {
        "addressee_name": "Сейтқали Әсел Нұрғалиқызы",
        "addressee_address": "Алматы қ., Әуезов к-сі, 12-үй, 4-пәтер",
        "received": "19.11.2026",
        "subject_text": SUBJECT_TEXT[ComplaintSubject.OTHER][lang],
        "new_due": "04.12.2026",
        "ground_text": EXTENSION_GROUND_TEXT[ExtensionGround.ADDITIONAL_MATERIALS][lang],
        "reason": "истребованы материалы проверки",
    },
    "release_order": lambda lang: {
        "addressee_name": {"ru": "ИВС УП г. Алматы", "kk": "Алматы қ. ПД УҰИ"}[lang],
        "facility": {
            # as facilities are named in detention protocols: an abbreviation, which does not
            # decline, so it stands in the nominative line and in the dative addressee alike
            "ru": "ИВС УП г. Алматы",
            "kk": "Алматы қ. ПД УҰИ",
        }[lang],
        "person": "Әбдіғұлов Нұрлан Өтегенұлы",
        "held_since": "20.11.2026 22:10",
        "grounds": "срок задержания 48 часов истёк, санкции следственного судьи нет",
    },
    "pretrial_extension": _pretrial,
    "pretrial_extension_refusal": _pretrial,
    "inspection_certificate": lambda lang: {
        "addressee_name": "ТОО «Алатау Құрылыс»",
        "subject": "ТОО «Алатау Құрылыс»",
        "started": "02.11.2026",
        "finished": "27.11.2026",
        "inspectors": INSPECTORS,
        "findings": "проверка завершена",
        "violations": "нарушены сроки ввода объекта",
        "act_name": "разрешение № 12 от 01.02.2026",
        "response_text": "внесено представление",
    },
}


def _filler(name: str) -> Any:
    """A realistic value for a field this test does not list (never a staff id)."""
    if name.endswith(("_date", "date", "due", "received", "started", "finished", "since")):
        return "20.11.2026"
    if name in {"days", "new_days"} or name.endswith("_days"):
        return 30
    if name.endswith("s") and name not in {"address", "grounds", "findings", "violations"}:
        return []
    if name.startswith(("needs_", "is_", "has_")):
        return False
    return "Әбдіғұлова Гүлнұр Өтегенқызы"


def declared_fields(kind: str, language: str) -> set[str]:
    """The variables a template reads (its own text and base's)."""
    env = environment()
    names: set[str] = set()
    for path in (f"{language}/{kind}.html.j2", "base.html.j2"):
        source = env.loader.get_source(env, path)[0]  # type: ignore[union-attr]
        names |= meta.find_undeclared_variables(env.parse(source))
    return names


def fields_for(kind: str, language: str) -> dict[str, Any]:
    given = DOCUMENT_FIELDS[kind](language) if kind in DOCUMENT_FIELDS else {}
    own = _BASE_OWN | {"registration_number", "date", "outcome_text"}
    for name in declared_fields(kind, language) - set(given) - own:
        given[name] = _filler(name)
    return given


def letterhead() -> Letterhead:
    return Letterhead(
        office_name_kk=OFFICE["name_kk"],
        office_name_ru=OFFICE["name_ru"],
        office_address=OFFICE_ADDRESS,
        signatory_name=SIGNATORY["name"],
        signatory_position=Position(SIGNATORY["position"]),
        acting=False,
        office_phone="+7 (727) 250-10-00",
        office_email="bostandyk@prokuror.kz",
        executor_name="Е. Қасымов",
        executor_phone="+7 (727) 250-10-15",
    )


# What ``render`` fills itself: the letterhead, the stamp, the reference to an incoming letter.
_BASE_OWN = {
    "language",
    "office_name",
    "office_name_kk",
    "office_name_ru",
    "office_address",
    "office_phone",
    "office_email",
    "executor_name",
    "executor_phone",
    "outgoing_blank",
    "signatory_title",
    "signatory_name",
    "signatory_full_name",
    "incoming_number",
    "incoming_date",
}


def render_document(kind: str, language: str) -> str:
    fields = fields_for(kind, language)
    fields.setdefault("time", "14:30")
    return render(
        kind,
        language,
        letterhead=letterhead(),
        registration_number=REGISTRATION,
        date=DATE,
        **fields,
    )


ALL = [(kind, lang) for kind in sorted(document_kinds()) for lang in LANGUAGES]


def _id_pattern() -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, STAFF_IDS)) + r")(?![\w-])")


@pytest.mark.parametrize("kind,language", ALL)
def test_no_document_addresses_anyone_as_uvazhaemyi(kind: str, language: str) -> None:
    """An official document names its addressee; it never opens with «Уважаемый(ая)»."""
    source = (TEMPLATES / language / f"{kind}.html.j2").read_text(encoding="utf-8")
    assert "Уважаем" not in source and "Уважаем" not in render_document(kind, language)


@pytest.mark.parametrize("kind,language", ALL)
def test_no_staff_id_is_printed_where_a_name_belongs(kind: str, language: str) -> None:
    """A person is named from the roster or the parties, never by a staff id (CL-155 art.
    19(1)(1): the subject may refuse entry to an inspector the order does not name)."""
    text = as_text(render_document(kind, language))
    assert not _id_pattern().findall(text), f"{language}/{kind} prints a staff id"


@pytest.mark.parametrize("kind,language", [(k, lang) for k, lang in ALL if k not in INTERNAL])
def test_no_external_document_rests_on_the_regulation(kind: str, language: str) -> None:
    """A document addressed outside the office cites the law in force, never a clause of the
    office's internal Regulation (Положение / Ереже) as its ground."""
    source = (TEMPLATES / language / f"{kind}.html.j2").read_text(encoding="utf-8")
    text = render_document(kind, language)
    for word in ("Положени", "ереже", "Ереже"):
        assert word not in source and word not in text, f"{language}/{kind} cites {word}"


def citations(source: str) -> dict[str, list[str]]:
    """What the documents print for a catalogue source such as "CL-155 art. 37(1)(5)"."""
    found = re.search(r"CL-155 art\. (\d+)(?:\((\d+)\))?(?:\((\d+)\))?", source)
    assert found, source
    art, point, sub = found.groups()
    if sub:
        ru = f"подпунктом {sub}) пункта {point} статьи {art} Конституционного закона"
        kk = f"Конституциялық заңының {art}-бабы {point}-тармағының {sub}) тармақшасын"
    elif point:
        ru = f"пунктом {point} статьи {art} Конституционного закона"
        kk = f"Конституциялық заңының {art}-бабының {point}-тармағын"
    else:
        ru = f"статьей {art} Конституционного закона"
        kk = f"Конституциялық заңының {art}-бабын"
    cites = {"ru": [ru], "kk": [kk]}
    coao = re.search(r"CoAO art\. (\d+)", source)
    if coao:
        cites["ru"].append(f"{coao.group(1)} Кодекса Республики Казахстан об административных")
        cites["kk"].append(f"кодексінің 803 және {coao.group(1)}-баптарын")
    return cites


@pytest.mark.parametrize("act", list(Act))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_act_cites_its_article_of_the_law_in_force(act: Act, language: str) -> None:
    """Each act rests on its article (CL-155 arts. 33, 36, 37(1)(1)/(5)/(7)/(9), 38, 39(2), 41;
    CoAO art. 805 for the administrative-offence decree) printed as its ground."""
    entry = CATALOGUE[act]
    text = as_text(render_document(entry.template, language)).replace("\n", " ")
    for citation in citations(entry.source)[language]:
        assert citation in text, f"{language}/{entry.template}: no «{citation}»"
    assert "81-VI" not in text


def test_the_citation_check_can_fail() -> None:
    """A protest citing another article than 33 would not pass the check above."""
    assert "статьей 36 Конституционного закона" not in as_text(render_document("protest", "ru"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_protest_is_brought_against_the_act_not_an_organisation_cl155_art_33(
    language: str,
) -> None:
    """CL-155 arts. 33(1), 33(4): the protest names the act — its name, number, date and issuer —
    and demands its cancellation; the Kazakh date stands as an attribute of the act."""
    text = as_text(render_document("protest", language))
    if language == "ru":
        assert (
            "Опротестовываемый акт: решение акима района «О закрытии сквера «Жастар»» от"
            " 01.11.2026 № 15." in text
        )
        assert "принявший акт: аким Бостандыкского района города Алматы." in text
    else:
        assert "Наразылық келтірілетін акт: 2026 жылғы 1 қарашадағы № 15 «Жастар» скверін" in text
        assert "орган (лауазымды адам): Алматы қаласы Бостандық ауданының әкімі." in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_offence_decree_carries_the_contents_of_coao_art_803(language: str) -> None:
    """CoAO art. 805(3) → 803(2): date and place, the author, the person's identity data, the
    place, time and essence of the offence, the article of the Special Part; art. 803(3): the
    language of the proceedings and the rights explained (art. 744)."""
    text = as_text(render_document("admin_offence", language)).replace("\n", " ")
    for value in (
        "01.12.2026",
        OFFICE["address"],
        "Серікбаев",
        OFFENCE.offender_name,
        "12.04.1985",
        OFFENCE.iin_bin,
        OFFENCE.address,
        OFFENCE.offence_place,
        "20.11.2026",
        VIOLATION[language],
    ):
        assert value in text, value
    if language == "ru":
        assert "предусмотренном частью 1 статьи 462 Кодекса" in text
        assert "Язык производства по делу: русский" in text and "статьей 744" in text
    else:
        assert "кодексінің 462-бабының 1-бөлігінде көзделген" in text
        assert "Іс жүргізу тілі: қазақ тілі" in text and "744-бабында" in text


@pytest.mark.parametrize(
    ("language", "addressee"),
    [
        ("ru", "Начальнику ИВС УП г. Алматы"),
        ("kk", "Алматы қ. ПД УҰИ бастығына"),
    ],
)
def test_a_release_order_is_addressed_to_the_head_of_the_facility_cpc_art_14(
    language: str, addressee: str
) -> None:
    """CPC art. 14(4): the order binds the head of the place of detention, so the addressee block
    names that head, in the dative, not the facility in the nominative."""
    text = as_text(render_document("release_order", language))
    assert addressee in text
