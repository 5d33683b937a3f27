"""Household and family factors assessment (DoMV), for children and youth especially (shared/reference/domain.md
1.2, 1.3): the household and family level of IOM's Determinants of Migrant Vulnerability, with the handbook's
risk examples and its three protective examples. Each factor is a risk, protective or neutral factor (or not
assessed) with a severity from 1 to 3, named `<factor>_polarity` and `<factor>_severity` as in vulnerability_domv,
so that a submission records the factors in the case's vulnerability assessment. The level's net score is the
risk severities minus the protective severities, as in vulnerability_domv."""

from __future__ import annotations

from passage.cases.xlsform.library import domv
from passage.cases.xlsform.library._parts import (
    END_GROUP,
    YES_NO,
    Form,
    Row,
    calculate,
    choices,
    date_today,
    group,
    hint,
    message,
    question,
    settings,
)

RISK_FACTORS = [(code, en, ar) for code, en, ar, _fr in domv.LEVELS["household"][1]]
PROTECTIVE_FACTORS = [
    ("supportive_home_environment", "Supportive home environment", "بيئة منزلية داعمة"),
    ("equitable_resources", "Equitable resources for boys and girls", "توزيع منصف للموارد بين الفتيان والفتيات"),
    (
        "sufficient_earnings",
        "Earnings sufficient for basic needs and aspirations",
        "دخل يكفي الاحتياجات الأساسية والتطلعات",
    ),
]


def _factor(code: str, en: str, ar: str) -> list[Row]:
    polarity, severity = f"{code}_polarity", f"{code}_severity"
    return [
        question(
            "select_one polarity",
            polarity,
            en,
            ar,
            required="yes",
            appearance="horizontal",
            **hint("Risk or protective for this person?", "هل هو عامل خطر أو حماية لهذا الشخص؟"),
        ),
        question(
            "select_one severity",
            severity,
            f"{en}: severity",
            f"{ar}: الشدة",
            required="yes",
            relevant=f"${{{polarity}}} = 'risk' or ${{{polarity}}} = 'protective'",
            appearance="horizontal",
        ),
        calculate(
            f"{code}_net",
            f"if(${{{polarity}}} = 'risk', number(${{{severity}}}), "
            f"if(${{{polarity}}} = 'protective', -number(${{{severity}}}), 0))",
        ),
    ]


SURVEY: list[Row] = [
    date_today("assessment_date", "Date of assessment", "تاريخ التقييم"),
    group("household", "The household", "الأسرة"),
    question(
        "integer",
        "household_size",
        "People in the household",
        "عدد أفراد الأسرة",
        required="yes",
        constraint=". >= 1 and . <= 40",
        **message("From 1 to 40.", "من 1 إلى 40."),
    ),
    question(
        "integer",
        "children_in_household",
        "Of whom children under 18",
        "منهم أطفال دون 18 عامًا",
        required="yes",
        constraint=". >= 0 and . < ${household_size}",
        **message("Fewer than the people in the household.", "يجب أن يكون أقل من عدد أفراد الأسرة."),
    ),
    question("select_one head", "head_of_household", "Who heads the household?", "من يعيل الأسرة؟", required="yes"),
    question(
        "select_one yes_no",
        "lives_with_family",
        "Does the person live with their family?",
        "هل يعيش الشخص مع أسرته؟",
        required="yes",
    ),
    END_GROUP,
    group("risk_factors", "Household and family factors", "عوامل الأسرة والعائلة"),
    *(row for factor in RISK_FACTORS for row in _factor(*factor)),
    END_GROUP,
    group("protective_factors", "Protective factors", "عوامل الحماية"),
    *(row for factor in PROTECTIVE_FACTORS for row in _factor(*factor)),
    END_GROUP,
    calculate("score_household", " + ".join(f"${{{code}_net}}" for code, *_ in RISK_FACTORS + PROTECTIVE_FACTORS)),
    question(
        "note",
        "household_summary",
        "Net score of the household (risk minus protective severity): ${score_household}",
        "الدرجة الصافية للأسرة (شدة الخطر ناقص شدة الحماية): ${score_household}",
    ),
    question("text", "assessor_summary", "Assessor's summary", "ملخص المقيِّم", appearance="multiline"),
]

CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "head",
        [
            ("two_parents", "Both parents", "الوالدان كلاهما"),
            ("single_parent", "One parent alone", "أحد الوالدين وحده"),
            ("child", "A child (under 18)", "طفل (دون 18 عامًا)"),
            ("grandparent", "A grandparent or other relative", "أحد الأجداد أو قريب آخر"),
            ("person_self", "The person themself", "الشخص نفسه"),
        ],
    ),
    *choices(
        "polarity",
        [
            ("risk", "Risk factor", "عامل خطر"),
            ("protective", "Protective factor", "عامل حماية"),
            ("neutral", "Neutral", "محايد"),
            ("not_assessed", "Not assessed", "لم يُقيَّم"),
        ],
    ),
    *choices(
        "severity",
        [("1", "1 – low", "١ – منخفضة"), ("2", "2 – moderate", "٢ – متوسطة"), ("3", "3 – high", "٣ – عالية")],
    ),
]

FORMS: dict[str, Form] = {
    "domv_household": (
        SURVEY,
        CHOICES,
        settings(
            "domv_household",
            "Household and family factors assessment (DoMV)",
            "concat('Household ', ${assessment_date}, ' · ', ${score_household})",
        ),
    ),
}
