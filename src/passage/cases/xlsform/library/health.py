"""Migration health and movement (shared/reference/domain.md 6.2, 6.4, 6.5): the migration health assessment
(history and physical and mental examination, chest X-ray at the receiving country's age threshold, sputum
smear and culture when the X-ray suggests TB, vaccinations, the Health Undertaking, fitness to travel), the
fitness-to-travel check and its conditions (wheelchair, stretcher, oxygen, escort), the pre-embarkation check
24 to 72 hours before departure, and the medical evacuation assessment (diagnosis, urgency, treatment needed
abroad, escort and equipment on the way)."""

from __future__ import annotations

from passage.cases.xlsform.library._parts import (
    END_GROUP,
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

CONDITIONS = choices(
    "condition",
    [
        ("wheelchair", "Wheelchair", "كرسي متحرك"),
        ("stretcher", "Stretcher", "نقالة"),
        ("oxygen", "Oxygen", "أكسجين"),
        ("medical_escort", "Medical escort", "مرافقة طبية"),
        ("operational_escort", "Operational escort", "مرافقة تشغيلية"),
        ("none", "None", "لا شيء"),
    ],
)
SYMPTOMS = choices(
    "symptom",
    [
        ("fever", "Fever", "حمى"),
        ("cough", "Cough", "سعال"),
        ("breathing", "Difficulty breathing", "صعوبة في التنفس"),
        ("vomiting_diarrhoea", "Vomiting or diarrhoea", "قيء أو إسهال"),
        ("rash", "Rash", "طفح جلدي"),
        ("none", "None", "لا شيء"),
    ],
)
FITNESS = choices(
    "fitness",
    [
        ("fit", "Fit to travel", "لائق للسفر"),
        ("fit_with_conditions", "Fit to travel with conditions", "لائق للسفر بشروط"),
        ("not_yet_fit", "Not fit to travel yet", "غير لائق للسفر بعد"),
    ],
)
TRAVEL_PURPOSE = choices(
    "purpose",
    [
        ("resettlement", "Resettlement", "إعادة التوطين"),
        ("avrr", "Assisted voluntary return", "العودة الطوعية المدعومة"),
        ("medical_evacuation", "Medical evacuation", "الإجلاء الطبي"),
    ],
)


def _vitals() -> list[Row]:
    return [
        question(
            "decimal",
            "temperature",
            "Temperature (°C)",
            "درجة الحرارة (°م)",
            required="yes",
            constraint=". >= 30 and . <= 45",
            **message("From 30 to 45 °C.", "من 30 إلى 45 °م."),
        ),
        question(
            "integer",
            "oxygen_saturation",
            "Oxygen saturation (%)",
            "تشبع الأكسجين (٪)",
            required="yes",
            constraint=". >= 50 and . <= 100",
            **message("From 50 to 100 %.", "من 50 إلى 100٪."),
        ),
        question(
            "select_multiple symptom",
            "symptoms",
            "Symptoms now",
            "الأعراض حاليًا",
            required="yes",
            **only_none(),
        ),
    ]


RED_FLAGS = "${temperature} >= 38 or ${oxygen_saturation} < 92 or selected(${symptoms}, 'breathing')"

# --- migration_health_assessment ------------------------------------------------------------------------------

MHA_SURVEY: list[Row] = [
    date_today("exam_date", "Date of the examination", "تاريخ الفحص"),
    question("text", "panel_physician", "Examining physician", "الطبيب الفاحص", required="yes"),
    question(
        "select_one yes_no",
        "consent",
        "Has the person consented to the examination and to sharing its results with the receiving country?",
        "هل وافق الشخص على الفحص وعلى مشاركة نتائجه مع بلد الاستقبال؟",
        required="yes",
    ),
    group("examination", "Examination", "الفحص", relevant="${consent} = 'yes'"),
    question(
        "integer",
        "age",
        "Age (years)",
        "العمر (بالسنوات)",
        required="yes",
        constraint=". >= 0 and . <= 120",
        **message("Enter an age from 0 to 120.", "أدخل عمرًا من 0 إلى 120."),
    ),
    question(
        "select_one exam_result",
        "physical_exam",
        "History and physical examination",
        "التاريخ المرضي والفحص السريري",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "mental_health_concern",
        "Is there a mental health concern?",
        "هل توجد مشكلة في الصحة النفسية؟",
        required="yes",
    ),
    calculate("cxr_age", "15"),
    question(
        "select_one cxr",
        "cxr_result",
        "Chest X-ray",
        "صورة الصدر بالأشعة السينية",
        relevant="${age} >= ${cxr_age}",
        required="yes",
        **hint(
            "From the receiving country's age threshold (15 here; 11 for the UK and Australia).",
            "ابتداءً من العمر الذي يحدده بلد الاستقبال (15 هنا؛ 11 للمملكة المتحدة وأستراليا).",
        ),
    ),
    question(
        "select_one lab",
        "sputum_smear",
        "Sputum smear",
        "لطاخة القشع",
        relevant="${cxr_result} = 'suggestive_tb'",
        required="yes",
    ),
    question(
        "select_one lab",
        "sputum_culture",
        "Sputum culture",
        "زرع القشع",
        relevant="${cxr_result} = 'suggestive_tb'",
        required="yes",
    ),
    question(
        "select_multiple vaccine",
        "vaccinations",
        "Vaccinations given or confirmed",
        "التطعيمات المعطاة أو المؤكدة",
        required="yes",
        **only_none(),
    ),
    question(
        "select_multiple treatment",
        "presumptive_treatment",
        "Presumptive treatment given",
        "العلاج الوقائي المعطى",
        required="yes",
        **only_none(),
    ),
    END_GROUP,
    calculate(
        "score_tb_concern",
        "if(${sputum_smear} = 'positive' or ${sputum_culture} = 'positive', 2, "
        "if(${cxr_result} = 'suggestive_tb', 1, 0))",
    ),
    question(
        "select_one yes_no",
        "health_undertaking",
        "Has the person signed a Health Undertaking for follow-up after arrival?",
        "هل وقّع الشخص تعهدًا صحيًا للمتابعة بعد الوصول؟",
        relevant="${score_tb_concern} > 0",
        required="yes",
    ),
    question(
        "select_one fitness",
        "fitness",
        "Fitness to travel",
        "اللياقة للسفر",
        relevant="${consent} = 'yes'",
        required="yes",
        constraint="not(. = 'fit' and ${score_tb_concern} = 2)",
        **message("Active TB must be treated before travel.", "يجب علاج السل النشط قبل السفر."),
    ),
    question(
        "select_multiple condition",
        "travel_conditions",
        "Conditions for travel",
        "شروط السفر",
        relevant="${fitness} = 'fit_with_conditions'",
        required="yes",
        constraint="not(selected(., 'none'))",
        **message("Name the conditions.", "حدّد الشروط."),
    ),
]

MHA_CHOICES: list[Row] = [
    *YES_NO,
    *CONDITIONS,
    *choices(
        "exam_result",
        [
            ("normal", "Normal", "طبيعي"),
            ("minor", "A minor finding", "ملاحظة بسيطة"),
            ("needs_treatment", "A condition that needs treatment", "حالة تحتاج إلى علاج"),
        ],
    ),
    *choices(
        "cxr",
        [
            ("normal", "Normal", "طبيعية"),
            ("abnormal_not_tb", "Abnormal, not suggestive of TB", "غير طبيعية، لا تشير إلى السل"),
            ("suggestive_tb", "Suggestive of TB", "تشير إلى السل"),
        ],
    ),
    *choices(
        "lab",
        [("negative", "Negative", "سلبي"), ("positive", "Positive", "إيجابي"), ("pending", "Pending", "قيد الانتظار")],
    ),
    *choices(
        "vaccine",
        [
            ("mmr", "Measles, mumps and rubella", "الحصبة والنكاف والحصبة الألمانية"),
            ("polio", "Polio", "شلل الأطفال"),
            ("dtp", "Diphtheria, tetanus and pertussis", "الخناق والكزاز والسعال الديكي"),
            ("hepatitis_b", "Hepatitis B", "التهاب الكبد ب"),
            ("yellow_fever", "Yellow fever", "الحمى الصفراء"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "treatment",
        [
            ("malaria", "Malaria test and treatment", "فحص الملاريا وعلاجها"),
            ("anthelminthic", "Treatment for intestinal parasites", "علاج الطفيليات المعوية"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *FITNESS,
]

# --- fit_to_travel --------------------------------------------------------------------------------------------

FIT_SURVEY: list[Row] = [
    date_today("check_date", "Date of the check", "تاريخ الفحص"),
    question("select_one purpose", "purpose", "Travel for", "السفر لغرض", required="yes"),
    question("text", "checked_by", "Checked by (physician or nurse)", "أجرى الفحص (طبيب أو ممرض)", required="yes"),
    question("select_one sex", "sex", "Sex", "الجنس", required="yes", appearance="horizontal"),
    group("vitals", "Examination", "الفحص"),
    *_vitals(),
    question(
        "select_one yes_no",
        "pregnant",
        "Is the person pregnant?",
        "هل الشخص حامل؟",
        relevant="${sex} = 'female'",
        required="yes",
    ),
    question(
        "integer",
        "pregnancy_weeks",
        "Weeks of pregnancy",
        "أسابيع الحمل",
        relevant="${pregnant} = 'yes'",
        required="yes",
        constraint=". >= 1 and . <= 42",
        **message("From 1 to 42 weeks.", "من 1 إلى 42 أسبوعًا."),
    ),
    END_GROUP,
    question(
        "select_multiple condition",
        "travel_conditions",
        "Needed on the way",
        "ما يلزم أثناء السفر",
        required="yes",
        **only_none(),
    ),
    calculate(
        "score_travel_conditions", "if(selected(${travel_conditions}, 'none'), 0, count-selected(${travel_conditions}))"
    ),
    question(
        "select_one fitness",
        "fitness",
        "Fitness to travel",
        "اللياقة للسفر",
        required="yes",
        constraint=f"not(. = 'fit' and ({RED_FLAGS} or coalesce(${{pregnancy_weeks}}, 0) >= 36 "
        "or ${score_travel_conditions} > 0))",
        **message(
            "With a red flag, late pregnancy or a condition on the way, the person is fit only with conditions.",
            "مع وجود علامة خطر أو حمل متقدم أو شرط أثناء السفر، يكون الشخص لائقًا بشروط فقط.",
        ),
    ),
    date_after(
        "valid_until",
        "Valid until",
        "صالح حتى",
        "check_date",
        relevant="${fitness} != 'not_yet_fit'",
        required="yes",
    ),
    question(
        "text",
        "medical_note",
        "Note for the escort or airline",
        "ملاحظة للمرافق أو شركة الطيران",
        appearance="multiline",
    ),
]

FIT_CHOICES: list[Row] = [*YES_NO, *SEX, *TRAVEL_PURPOSE, *SYMPTOMS, *CONDITIONS, *FITNESS]

# --- pre_embarkation_check ------------------------------------------------------------------------------------

PEC_SURVEY: list[Row] = [
    date_today("check_date", "Date of the check", "تاريخ الفحص"),
    question(
        "date",
        "departure_date",
        "Date of departure",
        "تاريخ المغادرة",
        required="yes",
        constraint=". - ${check_date} >= 1 and . - ${check_date} <= 3",
        **message(
            "The check is done 24 to 72 hours before departure.",
            "يُجرى الفحص قبل المغادرة بمدة تتراوح بين 24 و72 ساعة.",
        ),
    ),
    question(
        "integer",
        "people_checked",
        "People of the case checked",
        "عدد أفراد الحالة الذين فُحصوا",
        required="yes",
        constraint=". >= 1",
        **message("At least 1.", "1 على الأقل."),
    ),
    group("health", "Health now", "الحالة الصحية حاليًا"),
    *_vitals(),
    END_GROUP,
    question(
        "select_multiple document",
        "documents_checked",
        "Documents checked",
        "الوثائق التي جرى التحقق منها",
        required="yes",
    ),
    question("select_one outcome", "outcome", "Outcome", "النتيجة", required="yes"),
    question(
        "text",
        "deferral_reason",
        "Why is the travel deferred?",
        "لماذا أُجّل السفر؟",
        relevant="${outcome} = 'deferred'",
        required="yes",
    ),
    calculate("score_red_flags", f"if({RED_FLAGS}, 1, 0)"),
    question(
        "note",
        "red_flag_note",
        "A red flag is present: a physician must confirm clearance.",
        "توجد علامة خطر: يجب أن يؤكد طبيب الإذن بالسفر.",
        relevant="${score_red_flags} = 1",
    ),
    question(
        "text",
        "clearing_physician",
        "Physician who cleared the travel",
        "الطبيب الذي أذن بالسفر",
        relevant="${score_red_flags} = 1 and ${outcome} != 'deferred'",
        required="yes",
    ),
]

PEC_CHOICES: list[Row] = [
    *SYMPTOMS,
    *choices(
        "document",
        [
            ("travel_document", "Travel document", "وثيقة السفر"),
            ("visa", "Visa or entry permit", "التأشيرة أو تصريح الدخول"),
            ("medical_clearance", "Medical clearance", "الإذن الطبي"),
            ("health_undertaking", "Health Undertaking", "التعهد الصحي"),
            ("ticket", "Ticket and itinerary", "التذكرة وخط الرحلة"),
        ],
    ),
    *choices(
        "outcome",
        [
            ("cleared", "Cleared to travel", "مأذون له بالسفر"),
            ("cleared_with_conditions", "Cleared with conditions", "مأذون له بشروط"),
            ("deferred", "Travel deferred", "أُجّل السفر"),
        ],
    ),
]

# --- medical_evacuation_assessment ----------------------------------------------------------------------------

MEDEVAC_SURVEY: list[Row] = [
    date_today("assessment_date", "Date of assessment", "تاريخ التقييم"),
    question("text", "referring_physician", "Referring physician", "الطبيب المحيل", required="yes"),
    group("clinical", "Clinical picture", "الصورة السريرية"),
    question("text", "diagnosis", "Diagnosis", "التشخيص", required="yes"),
    question("select_one urgency", "urgency", "Urgency", "درجة الاستعجال", required="yes"),
    question(
        "select_one yes_no",
        "stable",
        "Is the patient stable for transport?",
        "هل حالة المريض مستقرة للنقل؟",
        required="yes",
    ),
    question("text", "treatment_needed", "Treatment needed abroad", "العلاج المطلوب في الخارج", required="yes"),
    question(
        "select_one yes_no",
        "unavailable_locally",
        "Is that treatment unavailable in the country?",
        "هل هذا العلاج غير متوفر في البلد؟",
        required="yes",
    ),
    END_GROUP,
    group("transport", "On the way", "أثناء النقل"),
    question("text", "receiving_facility", "Receiving facility", "المرفق المستقبِل", required="yes"),
    question("select_one transport", "transport_mode", "Means of transport", "وسيلة النقل", required="yes"),
    question(
        "select_multiple equipment",
        "equipment",
        "Equipment needed",
        "المعدات اللازمة",
        required="yes",
        **only_none(),
    ),
    question("select_one escort", "escort", "Escort", "المرافقة", required="yes"),
    question(
        "integer",
        "family_escorts",
        "Family members travelling with the patient",
        "أفراد الأسرة المسافرون مع المريض",
        required="yes",
        constraint=". >= 0 and . <= 3",
        **message("From 0 to 3.", "من 0 إلى 3."),
    ),
    END_GROUP,
    calculate(
        "score_priority",
        "if(${urgency} = 'emergency', 3, if(${urgency} = 'urgent', 2, 1)) + if(${stable} = 'no', 1, 0)",
    ),
    question(
        "select_one recommendation",
        "recommendation",
        "Recommendation",
        "التوصية",
        required="yes",
        constraint="not(. = 'evacuate' and ${unavailable_locally} = 'no')",
        **message(
            "Evacuate only for treatment that is not available in the country.",
            "لا يُجلى المريض إلا لعلاج غير متوفر في البلد.",
        ),
    ),
]

MEDEVAC_CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "urgency",
        [
            ("emergency", "Emergency (within 24 hours)", "طارئة (خلال 24 ساعة)"),
            ("urgent", "Urgent (within 72 hours)", "عاجلة (خلال 72 ساعة)"),
            ("planned", "Planned", "مخطط لها"),
        ],
    ),
    *choices(
        "transport",
        [
            ("commercial_seated", "Commercial flight, seated", "رحلة تجارية، جلوسًا"),
            ("commercial_stretcher", "Commercial flight, on a stretcher", "رحلة تجارية، على نقالة"),
            ("air_ambulance", "Air ambulance", "إسعاف جوي"),
            ("road_ambulance", "Road ambulance", "إسعاف بري"),
        ],
    ),
    *choices(
        "equipment",
        [
            ("oxygen", "Oxygen", "أكسجين"),
            ("stretcher", "Stretcher", "نقالة"),
            ("wheelchair", "Wheelchair", "كرسي متحرك"),
            ("monitor", "Cardiac monitor", "جهاز مراقبة القلب"),
            ("infusion", "Infusion pump", "مضخة تسريب"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "escort",
        [
            ("none", "None", "لا شيء"),
            ("nurse", "Nurse", "ممرض"),
            ("doctor", "Doctor", "طبيب"),
            ("operational", "Operational escort", "مرافق تشغيلي"),
        ],
    ),
    *choices(
        "recommendation",
        [
            ("evacuate", "Evacuate", "الإجلاء"),
            ("treat_locally", "Treat in the country", "العلاج داخل البلد"),
            ("more_information", "More information needed", "يلزم مزيد من المعلومات"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "migration_health_assessment": (
        MHA_SURVEY,
        MHA_CHOICES,
        settings(
            "migration_health_assessment",
            "Migration health assessment",
            "concat('Health assessment ', ${exam_date}, ' · ', ${fitness})",
        ),
    ),
    "fit_to_travel": (
        FIT_SURVEY,
        FIT_CHOICES,
        settings("fit_to_travel", "Fitness to travel", "concat('Fit to travel ', ${check_date}, ' · ', ${fitness})"),
    ),
    "pre_embarkation_check": (
        PEC_SURVEY,
        PEC_CHOICES,
        settings(
            "pre_embarkation_check",
            "Pre-embarkation check",
            "concat('Pre-embarkation ', ${check_date}, ' · ', ${outcome})",
        ),
    ),
    "medical_evacuation_assessment": (
        MEDEVAC_SURVEY,
        MEDEVAC_CHOICES,
        settings(
            "medical_evacuation_assessment",
            "Medical evacuation assessment",
            "concat('Medical evacuation ', ${assessment_date}, ' · ', ${recommendation})",
        ),
    ),
}
