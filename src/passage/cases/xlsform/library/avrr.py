"""Assisted voluntary return and reintegration (shared/reference/domain.md 7.3, 2.4): the return counselling
record (country-of-origin information, the options discussed and an informed, voluntary decision — the AVRR
principle of voluntariness), the application (the programme's beneficiary categories, the family members who
return with the person, the needs on the way) and the reintegration plan (assistance by dimension — economic,
social, psychosocial — and by level — individual, community, structural — as the Reintegration Handbook's
integrated approach sets it out)."""

from __future__ import annotations

from passage.cases.xlsform.library._parts import (
    END_GROUP,
    END_REPEAT,
    SEX,
    YES_NO,
    Form,
    Row,
    calculate,
    choices,
    date_after,
    date_today,
    group,
    hint,
    message,
    only_none,
    question,
    settings,
)

# --- avrr_counselling -----------------------------------------------------------------------------------------

COUNSELLING_SURVEY: list[Row] = [
    date_today("counselling_date", "Date of counselling", "تاريخ الإرشاد"),
    question(
        "integer",
        "session_number",
        "Session number",
        "رقم الجلسة",
        required="yes",
        constraint=". >= 1",
        **message("From 1.", "ابتداءً من 1."),
    ),
    question(
        "select_one yes_no",
        "interpreter",
        "Was an interpreter used?",
        "هل استُعين بمترجم؟",
        required="yes",
    ),
    group("information", "Information given", "المعلومات المقدمة"),
    question(
        "select_multiple coi_topic",
        "coi_topics",
        "Country-of-origin information given",
        "معلومات بلد المنشأ المقدمة",
        required="yes",
    ),
    question(
        "select_multiple option",
        "options_discussed",
        "Options discussed with the person",
        "الخيارات التي نوقشت مع الشخص",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "assistance_explained",
        "Were the return and reintegration assistance and its limits explained?",
        "هل شُرحت مساعدة العودة وإعادة الإدماج وحدودها؟",
        required="yes",
    ),
    question(
        "text",
        "person_questions",
        "The person's questions and concerns",
        "أسئلة الشخص ومخاوفه",
        appearance="multiline",
    ),
    END_GROUP,
    calculate("score_information_given", "count-selected(${coi_topics})"),
    group("decision_group", "The person's decision", "قرار الشخص"),
    question("select_one decision", "decision", "Decision", "القرار", required="yes"),
    question(
        "select_one yes_no",
        "free_decision",
        "Does the person confirm that no one pressures them to return?",
        "هل يؤكد الشخص أن أحدًا لا يضغط عليه للعودة؟",
        relevant="${decision} = 'wants_return'",
        required="yes",
        constraint=". = 'yes'",
        **message(
            "A return that is not freely chosen cannot be assisted: refer the person for protection.",
            "لا يمكن دعم عودة لم تُختر بحرية: أحِل الشخص إلى الحماية.",
        ),
    ),
    date_after(
        "next_session",
        "Date of the next session",
        "تاريخ الجلسة التالية",
        "counselling_date",
        relevant="${decision} = 'needs_time'",
        required="yes",
    ),
    END_GROUP,
]

COUNSELLING_CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "coi_topic",
        [
            ("security", "Security situation", "الوضع الأمني"),
            ("housing", "Housing", "السكن"),
            ("employment", "Work and livelihoods", "العمل وسبل العيش"),
            ("health", "Health services", "الخدمات الصحية"),
            ("education", "Education", "التعليم"),
            ("documents", "Civil documents", "الوثائق المدنية"),
            ("reintegration", "Reintegration support available", "دعم إعادة الإدماج المتاح"),
        ],
    ),
    *choices(
        "option",
        [
            ("avrr", "Assisted voluntary return", "العودة الطوعية المدعومة"),
            ("regularise", "Staying with a legal status", "البقاء بوضع قانوني"),
            ("asylum", "Asylum or international protection", "اللجوء أو الحماية الدولية"),
            ("onward", "Onward migration", "الهجرة إلى بلد آخر"),
            ("other", "Other", "أخرى"),
        ],
    ),
    *choices(
        "decision",
        [
            ("wants_return", "Wants to return", "يرغب في العودة"),
            ("needs_time", "Needs time to decide", "يحتاج وقتًا للتفكير"),
            ("declines", "Does not want to return", "لا يرغب في العودة"),
        ],
    ),
]

# --- avrr_application -----------------------------------------------------------------------------------------

APPLICATION_SURVEY: list[Row] = [
    date_today("application_date", "Date of application", "تاريخ الطلب"),
    group("eligibility", "Eligibility", "الأهلية"),
    question(
        "select_one category",
        "beneficiary_category",
        "Beneficiary category",
        "فئة المستفيد",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "assisted_before",
        "Has the person had assisted return before?",
        "هل سبق أن حصل الشخص على عودة مدعومة؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "best_interests_done",
        "Has a best-interests determination found return in the child's best interests?",
        "هل خلص تحديد المصلحة الفضلى إلى أن العودة في مصلحة الطفل الفضلى؟",
        relevant="${beneficiary_category} = 'unaccompanied_child'",
        required="yes",
        constraint=". = 'yes'",
        **message(
            "An unaccompanied child returns only after a best-interests determination.",
            "لا يعود الطفل غير المصحوب إلا بعد تحديد المصلحة الفضلى.",
        ),
    ),
    END_GROUP,
    group("return", "The return", "العودة"),
    question("text", "country_of_return", "Country of return", "بلد العودة", required="yes"),
    question("text", "place_of_return", "Town or district of return", "مدينة أو قضاء العودة", required="yes"),
    question(
        "select_one travel_document",
        "travel_document",
        "Travel document",
        "وثيقة السفر",
        required="yes",
    ),
    calculate("needs_travel_document", "if(${travel_document} = 'valid_passport', 'no', 'yes')"),
    question(
        "select_multiple need",
        "travel_needs",
        "Needs on the way",
        "الاحتياجات أثناء السفر",
        required="yes",
        **only_none(),
    ),
    END_GROUP,
    question(
        "begin_repeat",
        "family_returning",
        "Family member returning with the person",
        "فرد من الأسرة يعود مع الشخص",
        **hint("Leave empty if the person returns alone.", "اتركه فارغًا إن كان الشخص يعود وحده."),
    ),
    question("text", "member_name", "Name", "الاسم", required="yes"),
    question("select_one relationship", "member_relationship", "Relationship", "صلة القرابة", required="yes"),
    question(
        "integer",
        "member_age",
        "Age (years)",
        "العمر (بالسنوات)",
        required="yes",
        constraint=". >= 0 and . <= 120",
        **message("Enter an age from 0 to 120.", "أدخل عمرًا من 0 إلى 120."),
    ),
    question("select_one sex", "member_sex", "Sex", "الجنس", appearance="horizontal"),
    END_REPEAT,
    calculate("people_returning", "count(${family_returning}) + 1"),
    question(
        "select_one yes_no",
        "declaration_signed",
        "Has the person signed the declaration of voluntary return?",
        "هل وقّع الشخص إقرار العودة الطوعية؟",
        required="yes",
    ),
    question(
        "note",
        "application_summary",
        "${people_returning} people return; travel document needed: ${needs_travel_document}.",
        "يعود ${people_returning} أشخاص؛ الحاجة إلى وثيقة سفر: ${needs_travel_document}.",
    ),
]

APPLICATION_CHOICES: list[Row] = [
    *YES_NO,
    *SEX,
    *choices(
        "category",
        [
            ("rejected_asylum_seeker", "Rejected asylum seeker", "طالب لجوء مرفوض طلبه"),
            ("withdrawn_asylum", "Asylum seeker who withdrew their claim", "طالب لجوء سحب طلبه"),
            ("stranded_migrant", "Stranded migrant", "مهاجر عالق"),
            ("irregular_migrant", "Irregular migrant", "مهاجر غير نظامي"),
            ("victim_of_trafficking", "Victim of trafficking", "ضحية اتجار بالبشر"),
            ("unaccompanied_child", "Unaccompanied child", "طفل غير مصحوب"),
            ("elderly", "Elderly person", "شخص مسن"),
            ("health_needs", "Person with health needs", "شخص ذو احتياجات صحية"),
        ],
    ),
    *choices(
        "travel_document",
        [
            ("valid_passport", "Valid passport", "جواز سفر ساري"),
            ("expired_passport", "Expired passport", "جواز سفر منتهي الصلاحية"),
            ("national_id", "National identity card only", "بطاقة هوية وطنية فقط"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "need",
        [
            ("medical", "Medical assistance", "مساعدة طبية"),
            ("escort", "Escort", "مرافقة"),
            ("wheelchair", "Wheelchair", "كرسي متحرك"),
            ("transit_assistance", "Transit assistance", "المساعدة أثناء العبور"),
            ("reception", "Reception on arrival by a partner", "الاستقبال عند الوصول من قبل شريك"),
            ("none", "None", "لا شيء"),
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
]

# --- reintegration_plan ---------------------------------------------------------------------------------------

DIMENSIONS = {
    "economic": (
        ("Economic reintegration", "إعادة الإدماج الاقتصادي"),
        [
            ("business_grant", "Business start-up support (in kind)", "دعم بدء مشروع (عينيًا)"),
            ("vocational_training", "Vocational training", "التدريب المهني"),
            ("job_placement", "Job placement or apprenticeship", "التوظيف أو التدريب أثناء العمل"),
            ("financial_literacy", "Financial literacy", "الثقافة المالية"),
            ("cash", "Cash for immediate needs", "نقد للاحتياجات العاجلة"),
        ],
    ),
    "social": (
        ("Social reintegration", "إعادة الإدماج الاجتماعي"),
        [
            ("housing", "Housing", "السكن"),
            ("education", "Education for the person or their children", "التعليم للشخص أو لأطفاله"),
            ("health", "Health care", "الرعاية الصحية"),
            ("documents", "Civil documents", "الوثائق المدنية"),
            ("legal", "Legal aid", "المساعدة القانونية"),
        ],
    ),
    "psychosocial": (
        ("Psychosocial reintegration", "إعادة الإدماج النفسي والاجتماعي"),
        [
            ("counselling", "Individual counselling", "الإرشاد الفردي"),
            ("peer_support", "Peer support group", "مجموعة دعم الأقران"),
            ("family_mediation", "Family mediation", "الوساطة الأسرية"),
            ("community_activities", "Community activities", "الأنشطة المجتمعية"),
            ("specialised_mhpss", "Referral for specialised mental health care", "إحالة إلى رعاية صحية نفسية متخصصة"),
        ],
    ),
}


def _dimension(code: str) -> list[Row]:
    (en, ar), _items = DIMENSIONS[code]
    return [
        group(code, en, ar),
        question(
            f"select_multiple {code}_support",
            f"{code}_assistance",
            "Assistance planned",
            "المساعدة المخطط لها",
            required="yes",
        ),
        question(
            "select_one level",
            f"{code}_level",
            "Level",
            "المستوى",
            required="yes",
            appearance="horizontal",
        ),
        question(
            "decimal",
            f"{code}_budget",
            "Budget",
            "الميزانية",
            required="yes",
            constraint=". >= 0",
            **message("The budget cannot be negative.", "لا يمكن أن تكون الميزانية سالبة."),
            **hint("In the programme's currency; 0 if none.", "بعملة البرنامج؛ 0 إن لم توجد."),
        ),
        END_GROUP,
    ]


REINTEGRATION_SURVEY: list[Row] = [
    date_today("plan_date", "Date the plan was agreed", "تاريخ الاتفاق على الخطة"),
    question(
        "select_one yes_no",
        "rss_baseline_done",
        "Has the RSS baseline been done?",
        "هل أُجري المسح الأساسي لاستدامة إعادة الإدماج؟",
        required="yes",
    ),
    question(
        "select_multiple dimension",
        "dimensions",
        "Dimensions the plan covers",
        "الأبعاد التي تغطيها الخطة",
        required="yes",
    ),
    *(
        {**row, "relevant": f"selected(${{dimensions}}, '{code}')"} if row["type"] == "begin_group" else row
        for code in DIMENSIONS
        for row in _dimension(code)
    ),
    calculate(
        "total_budget",
        " + ".join(f"coalesce(${{{code}_budget}}, 0)" for code in DIMENSIONS),
    ),
    question(
        "note",
        "budget_note",
        "Total budget of the plan: ${total_budget}",
        "الميزانية الإجمالية للخطة: ${total_budget}",
    ),
    question(
        "select_one yes_no",
        "returnee_agreed",
        "Did the returnee take part in the plan and agree to it?",
        "هل شارك العائد في الخطة ووافق عليها؟",
        required="yes",
    ),
    date_after(
        "review_date",
        "Date of the first monitoring visit",
        "تاريخ أول زيارة متابعة",
        "plan_date",
        required="yes",
    ),
]

REINTEGRATION_CHOICES: list[Row] = [
    *YES_NO,
    *choices("dimension", [(code, *DIMENSIONS[code][0]) for code in DIMENSIONS]),
    *(row for code, (_title, items) in DIMENSIONS.items() for row in choices(f"{code}_support", items)),
    *choices(
        "level",
        [
            ("individual", "Individual", "فردي"),
            ("community", "Community", "مجتمعي"),
            ("structural", "Structural", "هيكلي"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "avrr_counselling": (
        COUNSELLING_SURVEY,
        COUNSELLING_CHOICES,
        settings("avrr_counselling", "Return counselling record", "concat('Counselling ', ${counselling_date})"),
    ),
    "avrr_application": (
        APPLICATION_SURVEY,
        APPLICATION_CHOICES,
        settings(
            "avrr_application",
            "Application for assisted voluntary return",
            "concat('AVRR application ', ${application_date})",
        ),
    ),
    "reintegration_plan": (
        REINTEGRATION_SURVEY,
        REINTEGRATION_CHOICES,
        settings("reintegration_plan", "Reintegration plan", "concat('Reintegration plan ', ${plan_date})"),
    ),
}
