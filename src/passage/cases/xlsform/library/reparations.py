"""Reparation claims (shared/reference/domain.md 5.2–5.4): the claim form (the claimant — the victim, an heir or
a representative — the violations claimed, each with its category, date and place, and the evidence offered),
the verification report (identity and kinship confirmed, each piece of evidence checked against an archive or
register with its match result) and the eligibility assessment (the programme's categories applied to the
verified facts, the filing deadline, individual or collective basis, the benefits recommended, with reasons).

The violation and eligibility categories are examples drawn from the programmes of 5.3 (GFLCP, the Sierra
Leone and Yazidi survivors' programmes): a programme puts its own on the choices sheet, as it does in Passage's
violation registry."""

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
    hint,
    message,
    only_none,
    question,
    settings,
)

VIOLATIONS = choices(
    "violation",
    [
        ("slave_labour", "Slave labour", "العمل بالسخرة"),
        ("forced_labour", "Forced labour", "العمل القسري"),
        ("personal_injury", "Personal injury", "الإصابة الجسدية"),
        ("sexual_violence", "Sexual violence", "العنف الجنسي"),
        ("captivity", "Abduction or captivity", "الاختطاف أو الأسر"),
        ("killing", "Killing of a family member", "قتل أحد أفراد الأسرة"),
        ("disappearance", "Enforced disappearance", "الاختفاء القسري"),
        ("property_loss", "Loss of property", "فقدان الممتلكات"),
        ("displacement", "Forced displacement", "التهجير القسري"),
        ("other", "Other", "أخرى"),
    ],
)
CAPACITY = choices(
    "capacity",
    [
        ("victim", "The victim", "الضحية"),
        ("heir", "An heir or legal successor", "وريث أو خلف قانوني"),
        ("representative", "A representative", "ممثل"),
    ],
)

# --- claim_form -----------------------------------------------------------------------------------------------

CLAIM_SURVEY: list[Row] = [
    date_today("received_date", "Date the claim was received", "تاريخ استلام المطالبة"),
    question("select_one channel", "channel", "How was the claim received?", "كيف استُلمت المطالبة؟", required="yes"),
    group("claimant", "The claimant", "المطالِب"),
    question("text", "claimant_name", "Claimant's full name", "الاسم الكامل للمطالِب", required="yes"),
    question(
        "select_one capacity", "claimant_capacity", "The claimant claims as", "يطالب المطالِب بصفته", required="yes"
    ),
    question(
        "date",
        "claimant_birth_date",
        "Claimant's date of birth",
        "تاريخ ميلاد المطالِب",
        required="yes",
        **NOT_FUTURE,
    ),
    question("select_one sex", "claimant_sex", "Claimant's sex", "جنس المطالِب", appearance="horizontal"),
    question(
        "text",
        "claimant_phone",
        "Phone number",
        "رقم الهاتف",
        constraint="regex(., '^\\+?[1-9][0-9]{1,14}$')",
        **message("An international number, digits only: +964…", "رقم دولي بالأرقام فقط: ‎+964…"),
    ),
    END_GROUP,
    group("victim", "The victim", "الضحية", relevant="${claimant_capacity} != 'victim'"),
    question("text", "victim_name", "Victim's full name", "الاسم الكامل للضحية", required="yes"),
    question(
        "select_one yes_no",
        "victim_deceased",
        "Has the victim died?",
        "هل توفيت الضحية؟",
        required="${claimant_capacity} = 'heir'",
        constraint="not(${claimant_capacity} = 'heir' and . = 'no')",
        **message("An heir claims for a victim who has died.", "يطالب الوريث عن ضحية متوفاة."),
    ),
    question(
        "select_one kinship",
        "kinship",
        "Claimant's relationship to the victim",
        "صلة المطالِب بالضحية",
        relevant="${claimant_capacity} = 'heir'",
        required="yes",
    ),
    question(
        "text",
        "mandate",
        "Mandate or power of attorney (reference)",
        "التوكيل أو الوكالة (المرجع)",
        relevant="${claimant_capacity} = 'representative'",
        required="yes",
    ),
    END_GROUP,
    question("begin_repeat", "violations", "Violation claimed", "الانتهاك المُطالَب به"),
    question("select_one violation", "violation_category", "Category", "الفئة", required="yes"),
    question(
        "text",
        "violation_other",
        "Which violation?",
        "أي انتهاك؟",
        relevant="${violation_category} = 'other'",
        required="yes",
    ),
    question(
        "date",
        "violation_date",
        "Date (or first day) of the violation",
        "تاريخ الانتهاك (أو يومه الأول)",
        required="yes",
        **NOT_FUTURE,
        **hint("The first of the month or year if the day is not known.", "أول الشهر أو السنة إن لم يُعرف اليوم."),
    ),
    question("text", "violation_place", "Place of the violation", "مكان الانتهاك", required="yes"),
    question("text", "violation_account", "What happened", "ما الذي حدث", appearance="multiline"),
    END_REPEAT,
    calculate("violations_count", "count(${violations})"),
    group("evidence", "Evidence offered", "الأدلة المقدمة"),
    question(
        "select_multiple evidence",
        "evidence_offered",
        "Evidence the claimant offers",
        "الأدلة التي يقدمها المطالِب",
        required="yes",
        **only_none(),
    ),
    question(
        "integer",
        "pages_received",
        "Pages received",
        "عدد الصفحات المستلمة",
        required="not(selected(${evidence_offered}, 'none'))",
        constraint=". >= 0",
        **message("Cannot be negative.", "لا يمكن أن يكون سالبًا."),
    ),
    END_GROUP,
    question(
        "select_one yes_no",
        "declaration",
        "Does the claimant declare the information true and complete?",
        "هل يقرّ المطالِب بأن المعلومات صحيحة وكاملة؟",
        required="yes",
        constraint=". = 'yes' and ${violations_count} >= 1",
        **message(
            "A claim is registered only with at least one violation claimed and the declaration.",
            "لا تُسجل المطالبة إلا بانتهاك واحد على الأقل ومع الإقرار.",
        ),
    ),
]

CLAIM_CHOICES: list[Row] = [
    *YES_NO,
    *SEX,
    *CAPACITY,
    *VIOLATIONS,
    *choices(
        "channel",
        [
            ("in_person", "In person", "حضوريًا"),
            ("post", "By post", "بالبريد"),
            ("online", "Online", "عبر الإنترنت"),
            ("partner", "Through a partner organisation", "عن طريق منظمة شريكة"),
        ],
    ),
    *choices(
        "kinship",
        [
            ("spouse", "Spouse", "الزوج/الزوجة"),
            ("child", "Child", "الابن/الابنة"),
            ("parent", "Parent", "الأب/الأم"),
            ("sibling", "Brother or sister", "الأخ/الأخت"),
            ("other", "Other legal successor", "خلف قانوني آخر"),
        ],
    ),
    *choices(
        "evidence",
        [
            ("archive_record", "Archive record", "سجل أرشيفي"),
            ("witness_statement", "Witness statement", "إفادة شاهد"),
            ("medical_certificate", "Medical certificate", "شهادة طبية"),
            ("identity_document", "Identity document", "وثيقة هوية"),
            ("kinship_proof", "Proof of kinship", "إثبات القرابة"),
            ("death_certificate", "Death certificate", "شهادة وفاة"),
            ("photo", "Photographs", "صور فوتوغرافية"),
            ("none", "None", "لا شيء"),
        ],
    ),
]

# --- verification_report --------------------------------------------------------------------------------------

VERIFICATION_SURVEY: list[Row] = [
    date_today("verification_date", "Date of verification", "تاريخ التحقق"),
    group("identity", "Identity and kinship", "الهوية والقرابة"),
    question("select_one confirmation", "identity_confirmed", "Claimant's identity", "هوية المطالِب", required="yes"),
    question(
        "select_multiple identity_source",
        "identity_sources",
        "Checked against",
        "جرى التحقق بالمقارنة مع",
        relevant="${identity_confirmed} != 'pending'",
        required="yes",
    ),
    question(
        "select_one capacity", "claimant_capacity", "The claimant claims as", "يطالب المطالِب بصفته", required="yes"
    ),
    question(
        "select_one confirmation",
        "kinship_confirmed",
        "Kinship with the victim",
        "القرابة بالضحية",
        relevant="${claimant_capacity} = 'heir'",
        required="yes",
    ),
    END_GROUP,
    question("begin_repeat", "evidence_checked", "Evidence checked", "دليل جرى التحقق منه"),
    question(
        "select_one violation", "violation_category", "Violation it supports", "الانتهاك الذي يدعمه", required="yes"
    ),
    question("select_one archive", "source_archive", "Archive or register", "الأرشيف أو السجل", required="yes"),
    question("text", "archive_reference", "Reference found", "المرجع الذي وُجد"),
    question("select_one match", "match_result", "Result", "النتيجة", required="yes"),
    calculate(
        "match_points",
        "if(${match_result} = 'match', 1, if(${match_result} = 'partial', 0.5, 0))",
    ),
    END_REPEAT,
    calculate("checked_count", "count(${evidence_checked})"),
    calculate(
        "score_evidence_match",
        "if(${checked_count} = 0, 0, round(100 * sum(${match_points}) div ${checked_count}, 0))",
    ),
    question(
        "note",
        "match_note",
        "${checked_count} pieces of evidence checked; match ${score_evidence_match} %.",
        "جرى التحقق من ${checked_count} أدلة؛ نسبة المطابقة ${score_evidence_match}٪.",
    ),
    question(
        "select_one recommendation",
        "recommendation",
        "Recommendation",
        "التوصية",
        required="yes",
        constraint="not(. = 'verified' and (${identity_confirmed} != 'confirmed' or ${score_evidence_match} = 0))",
        **message(
            "A claim is verified only with the identity confirmed and some evidence matching.",
            "لا يُتحقق من المطالبة إلا بتأكيد الهوية ومطابقة بعض الأدلة.",
        ),
    ),
    question("text", "verification_reasons", "Reasons", "الأسباب", required="yes", appearance="multiline"),
]

CONFIRMATION = choices(
    "confirmation",
    [
        ("confirmed", "Confirmed", "مؤكدة"),
        ("not_confirmed", "Not confirmed", "غير مؤكدة"),
        ("pending", "Still being checked", "قيد التحقق"),
    ],
)

VERIFICATION_CHOICES: list[Row] = [
    *CAPACITY,
    *VIOLATIONS,
    *CONFIRMATION,
    *choices(
        "identity_source",
        [
            ("civil_registry", "Civil registry", "السجل المدني"),
            ("identity_document", "Identity document", "وثيقة الهوية"),
            ("interview", "Interview", "المقابلة"),
            ("community_attestation", "Community attestation", "شهادة المجتمع المحلي"),
        ],
    ),
    *choices(
        "archive",
        [
            ("national_archive", "National archive", "الأرشيف الوطني"),
            ("company_records", "Company records", "سجلات الشركات"),
            ("court_records", "Court records", "سجلات المحاكم"),
            ("medical_records", "Medical records", "السجلات الطبية"),
            ("survivor_register", "Survivors' register shared by an NGO", "سجل الناجين الذي تشاركه منظمة غير حكومية"),
            ("other", "Other", "أخرى"),
        ],
    ),
    *choices(
        "match",
        [
            ("match", "Matches the claim", "يطابق المطالبة"),
            ("partial", "Matches in part", "يطابق جزئيًا"),
            ("no_match", "Contradicts the claim", "يناقض المطالبة"),
            ("not_found", "Nothing found", "لم يُعثر على شيء"),
        ],
    ),
    *choices(
        "recommendation",
        [
            ("verified", "Verified", "جرى التحقق منها"),
            ("partially_verified", "Partly verified", "جرى التحقق منها جزئيًا"),
            ("not_verified", "Not verified", "لم يُتحقق منها"),
            ("further_inquiry", "Further inquiry needed", "تحتاج إلى مزيد من التحري"),
        ],
    ),
]

# --- eligibility_assessment -----------------------------------------------------------------------------------

ELIGIBILITY_SURVEY: list[Row] = [
    date_today("assessment_date", "Date of assessment", "تاريخ التقييم"),
    question(
        "select_one verification",
        "verification_outcome",
        "Outcome of the verification",
        "نتيجة التحقق",
        required="yes",
    ),
    group("criteria", "Criteria", "المعايير"),
    question(
        "select_multiple category",
        "eligible_categories",
        "Eligibility categories the verified facts meet",
        "فئات الأهلية التي تستوفيها الوقائع المُتحقق منها",
        required="yes",
        **only_none(),
    ),
    question(
        "select_one yes_no",
        "within_period",
        "Did the violations happen within the programme's period?",
        "هل وقعت الانتهاكات ضمن الفترة التي يغطيها البرنامج؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "filed_in_time",
        "Was the claim filed before the deadline?",
        "هل قُدمت المطالبة قبل الموعد النهائي؟",
        required="yes",
    ),
    question(
        "select_one basis",
        "basis",
        "Basis of the reparation",
        "أساس جبر الضرر",
        required="yes",
        appearance="horizontal",
    ),
    question(
        "select_one yes_no",
        "duplicate_found",
        "Is the same victim claimed for elsewhere (another claim or programme)?",
        "هل قُدمت مطالبة عن الضحية نفسها في مكان آخر (مطالبة أو برنامج آخر)؟",
        required="yes",
    ),
    END_GROUP,
    calculate(
        "score_categories_met",
        "if(selected(${eligible_categories}, 'none'), 0, count-selected(${eligible_categories}))",
    ),
    group("recommendation_group", "Recommendation", "التوصية"),
    question(
        "select_one vulnerability",
        "vulnerability_level",
        "Vulnerability level (decides the type of assistance)",
        "مستوى الهشاشة (يحدد نوع المساعدة)",
        required="yes",
    ),
    question(
        "select_multiple benefit",
        "benefits",
        "Benefits recommended",
        "المنافع الموصى بها",
        relevant="${score_categories_met} > 0",
        required="yes",
    ),
    question(
        "select_one outcome",
        "recommended_outcome",
        "Recommended decision",
        "القرار الموصى به",
        required="yes",
        constraint="not(. != 'reject' and (${score_categories_met} = 0 or ${within_period} = 'no' "
        "or ${filed_in_time} = 'no' or ${verification_outcome} = 'not_verified'))",
        **message(
            "Without a category met, within the period, filed in time and verified, the recommendation is to reject.",
            "من دون استيفاء فئة وضمن الفترة وتقديم في الموعد وتحقق، تكون التوصية الرفض.",
        ),
    ),
    question("text", "reasons", "Reasons", "الأسباب", required="yes", appearance="multiline"),
    END_GROUP,
]

ELIGIBILITY_CHOICES: list[Row] = [
    *YES_NO,
    *choices(
        "verification",
        [
            ("verified", "Verified", "جرى التحقق منها"),
            ("partially_verified", "Partly verified", "جرى التحقق منها جزئيًا"),
            ("not_verified", "Not verified", "لم يُتحقق منها"),
        ],
    ),
    *choices(
        "category",
        [
            ("slave_labour", "Slave labourer", "عامل بالسخرة"),
            ("forced_labour", "Forced labourer", "عامل قسري"),
            ("personal_injury", "Personal injury victim", "ضحية إصابة جسدية"),
            ("sexual_violence", "Victim of sexual violence", "ضحية عنف جنسي"),
            ("child_victim", "Child victim", "ضحية طفل"),
            ("war_widow", "War widow", "أرملة حرب"),
            ("amputee_war_wounded", "Amputee or war-wounded", "مبتور الأطراف أو جريح حرب"),
            ("survivor_of_captivity", "Survivor of captivity", "ناجٍ من الأسر"),
            ("property_loss", "Property loss", "فقدان الممتلكات"),
            ("legal_successor", "Legal successor of a victim", "خلف قانوني لضحية"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices("basis", [("individual", "Individual", "فردي"), ("collective", "Collective", "جماعي")]),
    *choices(
        "vulnerability",
        [("low", "Low", "منخفض"), ("medium", "Medium", "متوسط"), ("high", "High", "مرتفع")],
    ),
    *choices(
        "benefit",
        [
            ("compensation", "Compensation payment", "دفعة تعويض"),
            ("vocational_training", "Vocational training", "التدريب المهني"),
            ("health_care", "Access to health care", "الوصول إلى الرعاية الصحية"),
            ("education", "Education", "التعليم"),
            ("housing_land", "Housing or land", "السكن أو الأرض"),
            ("psychosocial", "Psychosocial support", "الدعم النفسي والاجتماعي"),
        ],
    ),
    *choices(
        "outcome",
        [
            ("approve", "Approve", "الموافقة"),
            ("approve_in_part", "Approve in part", "الموافقة الجزئية"),
            ("reject", "Reject", "الرفض"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "claim_form": (
        CLAIM_SURVEY,
        CLAIM_CHOICES,
        settings("claim_form", "Reparation claim form", "concat(${claimant_name}, ' · ', ${received_date})"),
    ),
    "verification_report": (
        VERIFICATION_SURVEY,
        VERIFICATION_CHOICES,
        settings(
            "verification_report",
            "Verification report",
            "concat('Verification ', ${verification_date}, ' · ', ${recommendation})",
        ),
    ),
    "eligibility_assessment": (
        ELIGIBILITY_SURVEY,
        ELIGIBILITY_CHOICES,
        settings(
            "eligibility_assessment",
            "Eligibility assessment",
            "concat('Eligibility ', ${assessment_date}, ' · ', ${recommended_outcome})",
        ),
    ),
}
