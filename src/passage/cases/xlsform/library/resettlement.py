"""Resettlement prescreening interview (shared/reference/domain.md 6.1, 6.5): what the Resettlement Support Centre
collects when it opens the case file — the referral, the principal applicant's biographic data, the family
composition (a repeat, each member's relationship and whether they travel), biometrics taken, the claim (the
grounds and an account) and the processing priority."""

from __future__ import annotations

from passage.cases.xlsform.library._parts import (
    END_GROUP,
    END_REPEAT,
    NOT_FUTURE,
    SEX,
    YES_NO,
    Form,
    Row,
    calculate,
    choices,
    date_today,
    group,
    message,
    question,
    settings,
)

SURVEY: list[Row] = [
    date_today("interview_date", "Date of the interview", "تاريخ المقابلة"),
    question("select_one referral_source", "referral_source", "Referred by", "الجهة المحيلة", required="yes"),
    question(
        "select_one yes_no",
        "interpreter",
        "Was an interpreter used?",
        "هل استُعين بمترجم؟",
        required="yes",
    ),
    group("principal", "Principal applicant", "مقدم الطلب الرئيسي"),
    question("text", "pa_name", "Full name", "الاسم الكامل", required="yes"),
    question("date", "pa_birth_date", "Date of birth", "تاريخ الميلاد", required="yes", **NOT_FUTURE),
    question("select_one sex", "pa_sex", "Sex", "الجنس", required="yes", appearance="horizontal"),
    question("text", "pa_nationality", "Nationality", "الجنسية", required="yes"),
    question("text", "pa_language", "Language of the interview", "لغة المقابلة", required="yes"),
    END_GROUP,
    question("begin_repeat", "family", "Family member", "فرد من الأسرة"),
    question("text", "member_name", "Full name", "الاسم الكامل", required="yes"),
    question(
        "select_one relationship",
        "member_relationship",
        "Relationship to the principal applicant",
        "صلة القرابة بمقدم الطلب",
        required="yes",
    ),
    question("date", "member_birth_date", "Date of birth", "تاريخ الميلاد", required="yes", **NOT_FUTURE),
    question("select_one sex", "member_sex", "Sex", "الجنس", appearance="horizontal"),
    question(
        "select_one yes_no",
        "member_travels",
        "Is the member part of this case?",
        "هل هذا الفرد جزء من هذه الحالة؟",
        required="yes",
    ),
    calculate("member_in_case", "if(${member_travels} = 'yes', 1, 0)"),
    END_REPEAT,
    calculate("case_size", "sum(${member_in_case}) + 1"),
    question(
        "select_one yes_no",
        "biometrics_taken",
        "Were biometrics taken for everyone in the case?",
        "هل أُخذت البيانات البيومترية لكل أفراد الحالة؟",
        required="yes",
    ),
    group("claim", "The claim", "الطلب"),
    question(
        "select_multiple ground",
        "grounds",
        "Grounds of the fear of persecution or harm",
        "أسباب الخوف من الاضطهاد أو الأذى",
        required="yes",
    ),
    question("text", "claim_account", "Account of the claim", "سرد الطلب", required="yes", appearance="multiline"),
    question(
        "select_one yes_no",
        "medical_needs",
        "Does anyone in the case have urgent medical needs?",
        "هل لدى أي فرد من الحالة احتياجات طبية عاجلة؟",
        required="yes",
    ),
    END_GROUP,
    question(
        "select_one priority",
        "processing_priority",
        "Processing priority",
        "أولوية المعالجة",
        required="yes",
        constraint="not(. = 'normal' and ${medical_needs} = 'yes')",
        **message(
            "Urgent medical needs make the case urgent or an emergency.",
            "الاحتياجات الطبية العاجلة تجعل الحالة عاجلة أو طارئة.",
        ),
    ),
    question(
        "note",
        "case_note",
        "Case of ${case_size} people.",
        "حالة من ${case_size} أفراد.",
    ),
]

CHOICES: list[Row] = [
    *YES_NO,
    *SEX,
    *choices(
        "referral_source",
        [
            ("unhcr", "UNHCR (resettlement referral form)", "المفوضية (استمارة إحالة إعادة التوطين)"),
            ("embassy", "An embassy", "سفارة"),
            ("ngo", "A trained NGO", "منظمة غير حكومية مدربة"),
            ("private_sponsor", "A private sponsor", "كفيل خاص"),
            ("family", "Family reunification (direct access)", "لمّ شمل الأسرة (وصول مباشر)"),
        ],
    ),
    *choices(
        "relationship",
        [
            ("spouse", "Spouse", "الزوج/الزوجة"),
            ("child", "Child", "الابن/الابنة"),
            ("parent", "Parent", "الأب/الأم"),
            ("sibling", "Brother or sister", "الأخ/الأخت"),
            ("other_relative", "Other relative", "قريب آخر"),
        ],
    ),
    *choices(
        "ground",
        [
            ("race", "Race", "العرق"),
            ("religion", "Religion", "الدين"),
            ("nationality", "Nationality", "الجنسية"),
            ("political_opinion", "Political opinion", "الرأي السياسي"),
            ("social_group", "Membership of a particular social group", "الانتماء إلى فئة اجتماعية معينة"),
            ("violence", "Armed conflict or generalised violence", "النزاع المسلح أو العنف المعمم"),
        ],
    ),
    *choices(
        "priority",
        [
            ("emergency", "Emergency", "طارئة"),
            ("urgent", "Urgent", "عاجلة"),
            ("normal", "Normal", "عادية"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "prescreening_interview": (
        SURVEY,
        CHOICES,
        settings(
            "prescreening_interview",
            "Resettlement prescreening interview",
            "concat(${pa_name}, ' · ', ${interview_date})",
        ),
    ),
}
