"""Reintegration of former combatants (shared/reference/domain.md 9): registration (identity, the discharge
certificate of the national DDR authority, recruitment as a child, dependants), profiling by the Information,
Counselling and Referral Service (ICRS: education, skills, health and psychosocial needs, the person's
reintegration wishes, referrals) and the follow-up visit after support (livelihood, social cohesion, security,
health). Scores are a programme's reading, stated in the form: the psychosocial flags counted at profiling and
a follow-up reintegration score (0–10, higher is better)."""

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
    date_after,
    date_today,
    group,
    hint,
    message,
    only_none,
    question,
    settings,
)

AGE = {
    "constraint": ". >= 0 and . <= 120",
    **message("Enter an age from 0 to 120.", "أدخل عمرًا من 0 إلى 120."),
}

# --- ddr_registration -----------------------------------------------------------------------------------------

REGISTRATION_SURVEY: list[Row] = [
    date_today("registration_date", "Date of registration", "تاريخ التسجيل"),
    question(
        "select_one yes_no",
        "consent",
        "Does the person agree to be registered and to their data being shared with the DDR authority?",
        "هل يوافق الشخص على التسجيل وعلى مشاركة بياناته مع سلطة نزع السلاح والتسريح وإعادة الإدماج؟",
        required="yes",
        constraint=". = 'yes'",
        **message("Without consent, nothing is registered.", "من دون موافقة، لا يُسجَّل شيء."),
    ),
    group("person", "The person", "الشخص"),
    question("text", "full_name", "Full name", "الاسم الكامل", required="yes"),
    question("date", "birth_date", "Date of birth", "تاريخ الميلاد", required="yes", **NOT_FUTURE),
    question("select_one sex", "sex", "Sex", "الجنس", required="yes", appearance="horizontal"),
    calculate("age", "int((today() - ${birth_date}) div 365.25)"),
    question(
        "note",
        "child_note",
        "The person is under 18: refer them to child protection, not to the adult programme.",
        "الشخص دون 18 عامًا: أحِله إلى حماية الطفل، لا إلى برنامج البالغين.",
        relevant="${age} < 18",
    ),
    question(
        "text", "place_of_settlement", "Place of return or settlement", "مكان العودة أو الاستقرار", required="yes"
    ),
    END_GROUP,
    group("discharge", "Discharge", "التسريح"),
    question("text", "armed_group", "Armed force or group", "القوة أو الجماعة المسلحة", required="yes"),
    question("select_one role", "role", "Role in the group", "الدور في الجماعة", required="yes"),
    question(
        "integer",
        "age_at_recruitment",
        "Age when recruited (years)",
        "العمر عند التجنيد (بالسنوات)",
        required="yes",
        **AGE,
    ),
    calculate("recruited_as_child", "if(${age_at_recruitment} < 18, 'yes', 'no')"),
    question(
        "select_one yes_no",
        "discharge_certificate_seen",
        "Was the discharge certificate of the national DDR authority seen?",
        "هل جرى الاطلاع على شهادة التسريح الصادرة عن السلطة الوطنية لنزع السلاح والتسريح وإعادة الإدماج؟",
        required="yes",
    ),
    question(
        "text",
        "certificate_number",
        "Certificate number",
        "رقم الشهادة",
        relevant="${discharge_certificate_seen} = 'yes'",
        required="yes",
    ),
    question(
        "date",
        "discharge_date",
        "Date of discharge",
        "تاريخ التسريح",
        relevant="${discharge_certificate_seen} = 'yes'",
        required="yes",
        **NOT_FUTURE,
    ),
    END_GROUP,
    question(
        "begin_repeat",
        "dependants",
        "Dependant",
        "مُعال",
        **hint("Spouses, children and others the person supports.", "الأزواج والأطفال وغيرهم ممن يعيلهم الشخص."),
    ),
    question("text", "dependant_name", "Name", "الاسم", required="yes"),
    question("select_one relationship", "dependant_relationship", "Relationship", "صلة القرابة", required="yes"),
    question("integer", "dependant_age", "Age (years)", "العمر (بالسنوات)", required="yes", **AGE),
    END_REPEAT,
    calculate("dependants_count", "count(${dependants})"),
    question(
        "note",
        "registration_note",
        "Recruited as a child: ${recruited_as_child}. Dependants: ${dependants_count}.",
        "جُنّد طفلًا: ${recruited_as_child}. المُعالون: ${dependants_count}.",
    ),
]

REGISTRATION_CHOICES: list[Row] = [
    *YES_NO,
    *SEX,
    *choices(
        "role",
        [
            ("combatant", "Combatant", "مقاتل"),
            ("commander", "Commander", "قائد"),
            ("support", "Support role (cook, porter, messenger…)", "دور مساند (طاهٍ، حمّال، مرسال…)"),
            ("associated", "Associated with the group, not a combatant", "مرتبط بالجماعة، غير مقاتل"),
        ],
    ),
    *choices(
        "relationship",
        [
            ("spouse", "Spouse", "الزوج/الزوجة"),
            ("child", "Child", "الابن/الابنة"),
            ("parent", "Parent", "الأب/الأم"),
            ("other", "Other", "أخرى"),
        ],
    ),
]

# --- ddr_profiling --------------------------------------------------------------------------------------------

PROFILING_SURVEY: list[Row] = [
    date_today("profiling_date", "Date of profiling", "تاريخ التنميط"),
    group("education_skills", "Education and skills", "التعليم والمهارات"),
    question(
        "select_one education", "education", "Highest education completed", "أعلى مستوى تعليمي مكتمل", required="yes"
    ),
    question(
        "select_one yes_no",
        "literate",
        "Can the person read and write?",
        "هل يجيد الشخص القراءة والكتابة؟",
        required="yes",
    ),
    question(
        "select_multiple skill",
        "skills",
        "Skills the person has",
        "المهارات التي يملكها الشخص",
        required="yes",
        **only_none(),
    ),
    question("text", "work_before", "Work before joining the group", "العمل قبل الانضمام إلى الجماعة"),
    END_GROUP,
    group("health", "Health and well-being", "الصحة والرفاه"),
    question(
        "select_one yes_no",
        "war_injury",
        "Does the person have a war injury or disability?",
        "هل لدى الشخص إصابة حرب أو إعاقة؟",
        required="yes",
    ),
    question(
        "select_multiple distress",
        "distress_signs",
        "In the last month, has the person had…",
        "خلال الشهر الماضي، هل عانى الشخص من…",
        required="yes",
        **only_none(),
    ),
    question(
        "select_one yes_no",
        "gbv_services",
        "Does the person ask for services after sexual or gender-based violence?",
        "هل يطلب الشخص خدمات بعد العنف الجنسي أو القائم على النوع الاجتماعي؟",
        required="yes",
    ),
    END_GROUP,
    calculate(
        "score_psychosocial_flags",
        "if(selected(${distress_signs}, 'none'), 0, count-selected(${distress_signs}))",
    ),
    group("wishes", "Reintegration wishes", "رغبات إعادة الإدماج"),
    question(
        "select_one option",
        "preferred_option",
        "Which reintegration option does the person choose?",
        "ما خيار إعادة الإدماج الذي يختاره الشخص؟",
        required="yes",
    ),
    question(
        "select_one reception",
        "community_reception",
        "How does the community of return receive the person?",
        "كيف يستقبل مجتمع العودة الشخص؟",
        required="yes",
    ),
    question(
        "select_multiple referral",
        "referrals",
        "Referrals made",
        "الإحالات المُجراة",
        required="yes",
        constraint="not(selected(., 'none') and count-selected(.) > 1) "
        "and not(${score_psychosocial_flags} >= 3 and not(selected(., 'mhpss')))",
        **message(
            "'None' stands alone; three or more signs of distress call for a psychosocial referral.",
            "«لا شيء» لا يُختار مع غيره؛ ثلاث علامات ضيق أو أكثر تستدعي إحالة نفسية واجتماعية.",
        ),
    ),
    END_GROUP,
]

PROFILING_CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "education",
        [
            ("none", "None", "لا شيء"),
            ("primary", "Primary", "ابتدائي"),
            ("secondary", "Secondary", "ثانوي"),
            ("vocational", "Vocational", "مهني"),
            ("university", "University", "جامعي"),
        ],
    ),
    *choices(
        "skill",
        [
            ("farming", "Farming or livestock", "الزراعة أو تربية المواشي"),
            ("construction", "Construction", "البناء"),
            ("driving_mechanics", "Driving or mechanics", "القيادة أو الميكانيك"),
            ("tailoring", "Tailoring", "الخياطة"),
            ("trade", "Small trade", "التجارة الصغيرة"),
            ("ict", "Computers and phones", "الحواسيب والهواتف"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "distress",
        [
            ("sleep", "Trouble sleeping or nightmares", "صعوبة في النوم أو كوابيس"),
            ("anger", "Outbursts of anger", "نوبات غضب"),
            ("withdrawal", "Keeping away from others", "الابتعاد عن الآخرين"),
            ("substances", "Alcohol or drug use", "تعاطي الكحول أو المخدرات"),
            ("hopelessness", "Hopelessness", "فقدان الأمل"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "option",
        [
            ("agriculture", "Agriculture", "الزراعة"),
            ("vocational_training", "Vocational training", "التدريب المهني"),
            ("business", "Small business", "مشروع صغير"),
            ("education", "Return to education", "العودة إلى التعليم"),
            ("employment", "Wage employment", "العمل المأجور"),
        ],
    ),
    *choices(
        "reception",
        [
            ("welcoming", "Welcoming", "مرحّب"),
            ("neutral", "Neutral", "محايد"),
            ("hostile", "Hostile", "عدائي"),
            ("unknown", "Not known yet", "غير معروف بعد"),
        ],
    ),
    *choices(
        "referral",
        [
            ("mhpss", "Mental health and psychosocial support", "الصحة النفسية والدعم النفسي والاجتماعي"),
            ("medical", "Medical care", "الرعاية الطبية"),
            ("education", "Education", "التعليم"),
            ("tvet", "Technical and vocational training", "التدريب التقني والمهني"),
            ("business_development", "Business development and financial literacy", "تطوير الأعمال والثقافة المالية"),
            ("none", "None", "لا شيء"),
        ],
    ),
]

# --- ddr_follow_up --------------------------------------------------------------------------------------------

FOLLOW_UP_SURVEY: list[Row] = [
    date_today("visit_date", "Date of the visit", "تاريخ الزيارة"),
    question(
        "integer",
        "months_since_support",
        "Months since the support was given",
        "الأشهر منذ تقديم الدعم",
        required="yes",
        constraint=". >= 0 and . <= 60",
        **message("From 0 to 60.", "من 0 إلى 60."),
    ),
    group("livelihood", "Livelihood", "سبل العيش"),
    question(
        "select_one livelihood", "livelihood_status", "Main livelihood now", "مصدر العيش الرئيسي حاليًا", required="yes"
    ),
    question(
        "select_one yes_no",
        "business_running",
        "Is the business supported still running?",
        "هل ما زال المشروع المدعوم قائمًا؟",
        relevant="${livelihood_status} = 'self_employed'",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "income_sufficient",
        "Does the income cover the household's basic needs?",
        "هل يغطي الدخل الاحتياجات الأساسية للأسرة؟",
        required="yes",
    ),
    END_GROUP,
    group("cohesion", "Social cohesion", "التماسك الاجتماعي"),
    question(
        "select_one relations",
        "community_relations",
        "Relations with the community",
        "العلاقات مع المجتمع",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "community_activities",
        "Does the person take part in community activities?",
        "هل يشارك الشخص في الأنشطة المجتمعية؟",
        required="yes",
    ),
    END_GROUP,
    group("security", "Security", "الأمن"),
    question(
        "select_one yes_no",
        "threats",
        "Has the person been threatened since the last visit?",
        "هل تعرض الشخص لتهديد منذ الزيارة الأخيرة؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "re_recruitment_approach",
        "Has an armed group approached the person to rejoin?",
        "هل حاولت جماعة مسلحة إعادة ضم الشخص؟",
        required="yes",
    ),
    END_GROUP,
    group("health", "Health", "الصحة"),
    question(
        "select_one yes_no",
        "health_access",
        "Can the person get health care when needed?",
        "هل يستطيع الشخص الحصول على الرعاية الصحية عند الحاجة؟",
        required="yes",
    ),
    question(
        "integer",
        "wellbeing",
        "How does the person rate their well-being (1 very bad to 5 very good)?",
        "كيف يقيّم الشخص حالته (من 1 سيئة جدًا إلى 5 جيدة جدًا)؟",
        required="yes",
        constraint=". >= 1 and . <= 5",
        **message("From 1 to 5.", "من 1 إلى 5."),
    ),
    END_GROUP,
    calculate(
        "score_reintegration",
        "if(${livelihood_status} = 'no_income', 0, 1) + if(${income_sufficient} = 'yes', 2, 0)"
        " + if(${community_relations} = 'good', 2, if(${community_relations} = 'fair', 1, 0))"
        " + if(${community_activities} = 'yes', 1, 0) + if(${threats} = 'no', 1, 0)"
        " + if(${re_recruitment_approach} = 'no', 1, 0) + if(${health_access} = 'yes', 1, 0)"
        " + if(${wellbeing} >= 4, 1, 0)",
    ),
    question(
        "note",
        "reintegration_note",
        "Reintegration score: ${score_reintegration} of 10.",
        "درجة إعادة الإدماج: ${score_reintegration} من 10.",
    ),
    question(
        "select_one next_step",
        "next_step",
        "Next step",
        "الخطوة التالية",
        required="yes",
        constraint="not(. = 'close' and ${re_recruitment_approach} = 'yes')",
        **message(
            "A person approached to rejoin an armed group stays followed.",
            "يبقى الشخص الذي حاولت جماعة مسلحة إعادة ضمه تحت المتابعة.",
        ),
    ),
    date_after(
        "next_visit_date",
        "Date of the next visit",
        "تاريخ الزيارة التالية",
        "visit_date",
        relevant="${next_step} != 'close'",
        required="yes",
    ),
]

FOLLOW_UP_CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "livelihood",
        [
            ("self_employed", "Own business or farm", "مشروع أو مزرعة خاصة"),
            ("employed", "Wage employment", "عمل مأجور"),
            ("training", "In training or education", "في التدريب أو التعليم"),
            ("no_income", "No income", "لا دخل"),
        ],
    ),
    *choices("relations", [("good", "Good", "جيدة"), ("fair", "Fair", "مقبولة"), ("poor", "Poor", "سيئة")]),
    *choices(
        "next_step",
        [
            ("continue", "Continue the follow-up", "مواصلة المتابعة"),
            ("more_support", "Further support or referral", "دعم إضافي أو إحالة"),
            ("close", "Propose closure", "اقتراح الإغلاق"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "ddr_registration": (
        REGISTRATION_SURVEY,
        REGISTRATION_CHOICES,
        settings(
            "ddr_registration",
            "Registration of a former combatant",
            "concat(${full_name}, ' · ', ${registration_date})",
        ),
    ),
    "ddr_profiling": (
        PROFILING_SURVEY,
        PROFILING_CHOICES,
        settings(
            "ddr_profiling",
            "Profiling (Information, Counselling and Referral Service)",
            "concat('Profiling ', ${profiling_date})",
        ),
    ),
    "ddr_follow_up": (
        FOLLOW_UP_SURVEY,
        FOLLOW_UP_CHOICES,
        settings(
            "ddr_follow_up",
            "Reintegration follow-up visit",
            "concat('Follow-up ', ${visit_date}, ' · ', ${score_reintegration})",
        ),
    ),
}
