"""Protection intake: who came, where from, who is in the household, what they need and how urgent it is.
It uses every question type Passage supports (text, integer, decimal, date, time, select_one,
select_multiple, geopoint, image, note, calculate, groups, a repeat) and a choice_filter (districts by
governorate). The places are placeholders: an operation puts its own administrative areas and their OCHA
P-codes on the choices sheet."""

from __future__ import annotations

EN, AR = "English (en)", "Arabic (ar)"


def _label(en: str, ar: str) -> dict[str, str]:
    return {f"label::{EN}": en, f"label::{AR}": ar}


def _message(en: str, ar: str) -> dict[str, str]:
    return {f"constraint_message::{EN}": en, f"constraint_message::{AR}": ar}


def _choices(list_name: str, items: list[tuple[str, str, str]], **columns: str) -> list[dict[str, str]]:
    return [{"list_name": list_name, "name": name, **_label(en, ar), **columns} for name, en, ar in items]


NOT_FUTURE = _message("The date cannot be in the future.", "لا يمكن أن يكون التاريخ في المستقبل.")

SURVEY: list[dict[str, str]] = [
    {"type": "today", "name": "today"},
    {"type": "username", "name": "username"},
    {
        "type": "date",
        "name": "intake_date",
        **_label("Date of intake", "تاريخ الاستقبال"),
        "required": "yes",
        "default": "today()",
        "constraint": ". <= today()",
        **NOT_FUTURE,
    },
    {"type": "time", "name": "intake_time", **_label("Time of intake", "وقت الاستقبال")},
    {
        "type": "select_one yes_no",
        "name": "consent",
        **_label(
            "Does the person agree that we record this information to help them?",
            "هل يوافق الشخص على أن نسجل هذه المعلومات لمساعدته؟",
        ),
        "required": "yes",
    },
    {
        "type": "note",
        "name": "no_consent_note",
        **_label(
            "Without consent, give information on services only and record nothing more.",
            "من دون موافقة، قدّم معلومات عن الخدمات فقط ولا تسجّل أي شيء آخر.",
        ),
        "relevant": "${consent} = 'no'",
    },
    {"type": "begin_group", "name": "intake", **_label("Intake", "الاستقبال"), "relevant": "${consent} = 'yes'"},
    {"type": "begin_group", "name": "person", **_label("The person", "الشخص"), "appearance": "field-list"},
    {"type": "text", "name": "full_name", **_label("Full name", "الاسم الكامل"), "required": "yes"},
    {"type": "select_one sex", "name": "sex", **_label("Sex", "الجنس"), "required": "yes", "appearance": "horizontal"},
    {
        "type": "integer",
        "name": "age",
        **_label("Age (years)", "العمر (بالسنوات)"),
        "required": "yes",
        "constraint": ". >= 0 and . <= 120",
        **_message("Enter an age from 0 to 120.", "أدخل عمرًا من 0 إلى 120."),
    },
    {
        "type": "select_one yes_no",
        "name": "disability",
        **_label(
            "Does the person have a lot of difficulty seeing, hearing, walking, remembering, "
            "with self-care or communicating?",
            "هل يواجه الشخص صعوبة كبيرة في الرؤية أو السمع أو المشي أو التذكر أو العناية الذاتية أو التواصل؟",
        ),
    },
    {"type": "end_group"},
    {"type": "begin_group", "name": "place", **_label("Where the person is", "مكان وجود الشخص")},
    {
        "type": "select_one governorate",
        "name": "governorate",
        **_label("Governorate", "المحافظة"),
        "required": "yes",
        "appearance": "minimal",
    },
    {
        "type": "select_one district",
        "name": "district",
        **_label("District", "القضاء"),
        "required": "yes",
        "choice_filter": "governorate = ${governorate}",
        "appearance": "minimal",
    },
    {
        "type": "geopoint",
        "name": "location",
        **_label("Location", "الموقع"),
        f"hint::{EN}": "Where the person lives now, if they agree.",
        f"hint::{AR}": "مكان سكن الشخص الحالي، إن وافق.",
    },
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "household_members", **_label("Household member", "فرد من الأسرة")},
    {"type": "text", "name": "member_name", **_label("Name", "الاسم"), "required": "yes"},
    {
        "type": "select_one relationship",
        "name": "member_relationship",
        **_label("Relationship", "صلة القرابة"),
        "required": "yes",
    },
    {
        "type": "integer",
        "name": "member_age",
        **_label("Age (years)", "العمر (بالسنوات)"),
        "constraint": ". >= 0 and . <= 120",
        **_message("Enter an age from 0 to 120.", "أدخل عمرًا من 0 إلى 120."),
    },
    {"type": "select_one sex", "name": "member_sex", **_label("Sex", "الجنس"), "appearance": "horizontal"},
    {
        "type": "calculate",
        "name": "member_is_child",
        "calculation": "if(${member_age} != '' and ${member_age} < 18, 1, 0)",
    },
    {"type": "end_repeat"},
    {"type": "calculate", "name": "household_size", "calculation": "count(${household_members}) + 1"},
    {"type": "calculate", "name": "children_count", "calculation": "sum(${member_is_child}) + if(${age} < 18, 1, 0)"},
    {
        "type": "note",
        "name": "household_note",
        **_label(
            "Household of ${household_size}, of whom ${children_count} children.",
            "أسرة من ${household_size} أفراد، منهم ${children_count} أطفال.",
        ),
    },
    {"type": "begin_group", "name": "needs_group", **_label("Needs and safety", "الاحتياجات والسلامة")},
    {
        "type": "select_multiple need",
        "name": "needs",
        **_label("What does the household need most?", "ما أكثر ما تحتاجه الأسرة؟"),
        "required": "yes",
    },
    {
        "type": "text",
        "name": "needs_other",
        **_label("Other need", "احتياج آخر"),
        "relevant": "selected(${needs}, 'other')",
        "required": "yes",
    },
    {
        "type": "decimal",
        "name": "monthly_income",
        **_label("Household income last month", "دخل الأسرة في الشهر الماضي"),
        f"hint::{EN}": "In the local currency; 0 if none.",
        f"hint::{AR}": "بالعملة المحلية؛ 0 إن لم يوجد.",
        "constraint": ". >= 0",
        **_message("Income cannot be negative.", "لا يمكن أن يكون الدخل سالبًا."),
    },
    {
        "type": "select_one risk",
        "name": "safety_risk",
        **_label("Is the person at risk of harm now?", "هل الشخص معرّض لخطر الأذى الآن؟"),
        "required": "yes",
    },
    {
        "type": "date",
        "name": "incident_date",
        **_label("Date of the last incident", "تاريخ آخر حادثة"),
        "relevant": "${safety_risk} != 'none'",
        "constraint": ". <= today()",
        **NOT_FUTURE,
    },
    {
        "type": "select_one yes_no",
        "name": "immediate_referral",
        **_label("Refer the person today for immediate protection?", "هل تُحال الحالة اليوم للحماية الفورية؟"),
        "relevant": "${safety_risk} = 'high'",
        "required": "yes",
    },
    {
        "type": "image",
        "name": "document_photo",
        **_label("Photo of an identity or incident document", "صورة وثيقة هوية أو وثيقة الحادثة"),
        f"hint::{EN}": "Only with the person's agreement.",
        f"hint::{AR}": "فقط بموافقة الشخص.",
    },
    {
        "type": "text",
        "name": "caseworker_note",
        **_label("Caseworker's note", "ملاحظة مدير الحالة"),
        "appearance": "multiline",
    },
    {"type": "end_group"},
    {
        "type": "calculate",
        "name": "score_protection_risk",
        "calculation": "if(${safety_risk} = 'high', 3, if(${safety_risk} = 'medium', 2, "
        "if(${safety_risk} = 'low', 1, 0))) + if(${disability} = 'yes', 1, 0) + if(${children_count} > 0, 1, 0)",
    },
    {"type": "end_group"},
]

CHOICES: list[dict[str, str]] = [
    *_choices("yes_no", [("yes", "Yes", "نعم"), ("no", "No", "لا")]),
    *_choices("sex", [("female", "Female", "أنثى"), ("male", "Male", "ذكر")]),
    *_choices(
        "relationship",
        [
            ("spouse", "Spouse", "الزوج/الزوجة"),
            ("child", "Child", "الابن/الابنة"),
            ("parent", "Parent", "الأب/الأم"),
            ("sibling", "Brother or sister", "الأخ/الأخت"),
            ("other_relative", "Other relative", "قريب آخر"),
            ("not_related", "Not related", "لا قرابة"),
        ],
    ),
    *_choices(
        "need",
        [
            ("shelter", "Shelter", "المأوى"),
            ("food", "Food", "الغذاء"),
            ("health", "Health care", "الرعاية الصحية"),
            ("psychosocial", "Psychosocial support", "الدعم النفسي والاجتماعي"),
            ("legal", "Legal aid", "المساعدة القانونية"),
            ("documentation", "Documents", "الوثائق"),
            ("cash", "Cash", "المساعدة النقدية"),
            ("education", "Education", "التعليم"),
            ("other", "Other", "أخرى"),
        ],
    ),
    *_choices(
        "risk",
        [
            ("none", "No", "لا"),
            ("low", "Low risk", "خطر منخفض"),
            ("medium", "Medium risk", "خطر متوسط"),
            ("high", "High risk", "خطر مرتفع"),
        ],
    ),
    *_choices("governorate", [("gov_a", "Governorate A", "المحافظة أ"), ("gov_b", "Governorate B", "المحافظة ب")]),
    *_choices(
        "district",
        [("gov_a_1", "District A1", "القضاء أ1"), ("gov_a_2", "District A2", "القضاء أ2")],
        governorate="gov_a",
    ),
    *_choices(
        "district",
        [("gov_b_1", "District B1", "القضاء ب1"), ("gov_b_2", "District B2", "القضاء ب2")],
        governorate="gov_b",
    ),
]

SETTINGS = {
    "form_title": "Protection intake",
    "form_id": "passage_protection_intake",
    "version": "2025.1",
    "default_language": EN,
    "instance_name": "concat(${full_name}, ' · ', ${intake_date})",
}
